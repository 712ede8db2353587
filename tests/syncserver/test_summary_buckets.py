"""PostgreSQL: each open writing transaction updates summary rows of its own bucket
(migration 0013, ``loket_summary_bucket()``), so writers never wait on, or deadlock over,
each other's summary rows.

Before, the bucket was the backend's pid modulo 16: two backends with the same remainder
shared rows, and a reviewer resolving a duplicate group (its bucket's open-groups row, then
the registration's status rows) against an ingest (status rows, then the open-groups row of
a group it opened) deadlocked; the reviewer got an error page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from tests.syncserver.conftest import Api
from tests.syncserver.test_summaries import _norm_expected, _summaries

BUCKETS = 16


@pytest.fixture
def db_url(pg_database: str) -> str:  # this module's api runs on PostgreSQL only
    return pg_database


@pytest.fixture
def connect(db_url: str) -> Iterator[Any]:
    engine = create_engine(db_url, poolclass=NullPool)
    opened: list[Connection] = []

    def open_one() -> Connection:
        conn = engine.connect()
        opened.append(conn)
        return conn

    yield open_one
    for conn in opened:
        conn.close()
    engine.dispose()


def _pid(conn: Connection) -> int:
    """The connection's backend pid (read outside any transaction the test begins)."""
    pid = int(conn.execute(text("select pg_backend_pid()")).scalar_one())
    conn.rollback()
    return pid


def _same_remainder(connect: Any) -> tuple[Connection, Connection]:
    """Two connections whose backends' pids have the same remainder modulo 16 (the old
    bucket); among 17 there are always two."""
    seen: dict[int, Connection] = {}
    while True:
        conn = connect()
        key = _pid(conn) % BUCKETS
        if key in seen:
            return seen[key], conn
        seen[key] = conn


def _copy_sql(new_id: str, nik: str) -> str:
    """A registration like :src (its regency, day and status) under a new id and NIK."""
    cols = (
        "code, office_code, device_id, kk_number, full_name, phone, province_code, "
        "regency_code, village_code, status, revision, applicant, content_hash, operator, "
        "channel, device_time, received_at, updated_at, batch_pk, kk_verified_slot"
    )
    return (
        f"insert into registrations (id, nik, {cols}) "
        f"select '{new_id}', '{nik}', {cols} from registrations where id = :src"
    )


def test_a_reviewer_and_an_ingest_of_one_old_bucket_do_not_deadlock(
    api: Api, people: list[dict[str, Any]], connect: Any
) -> None:
    dev = api.enroll()
    twin = dict(people[0], phone="081299990000")  # the same person again: a NIK duplicate
    recs = [api.record(people[0], dev), api.record(twin, dev), api.record(people[2], dev)]
    assert api.push(dev, recs).outcomes == ["accepted", "duplicate_nik", "accepted"]
    group = int(api.sql("select id from duplicate_groups")[0][0])
    other = recs[2].id  # received, in the same regency and day as the new one below
    reviewer, ingest = _same_remainder(connect)
    rev_tx, ing_tx = reviewer.begin(), ingest.begin()
    errors: list[BaseException] = []

    # the reviewer resolves the group: its bucket's open-groups row changes
    reviewer.execute(
        text("update duplicate_groups set resolved_at = now(), resolution = 'x' where id = :g"),
        {"g": group},
    )
    # an ingest stores a registration: its bucket's rows for (regency, received) and the day
    new_id, nik = "0190aaaa-0000-7000-8000-000000000001", "3201011111110001"
    ingest.execute(text(_copy_sql(new_id, nik)), {"src": other})
    ingest.execute(text("insert into nik_primaries values (:n, :r)"), {"n": nik, "r": new_id})

    def decide() -> None:  # then the reviewer changes a received registration's status
        try:
            reviewer.execute(
                text("update registrations set status = 'rejected' where id = :r"), {"r": other}
            )
        except BaseException as exc:  # reported below
            errors.append(exc)

    worker = threading.Thread(target=decide)
    worker.start()
    worker.join(timeout=0.5)
    try:  # ... and the ingest opens a duplicate group: its bucket's open-groups row
        ingest.execute(
            text(
                "insert into duplicate_groups (kind, key, primary_registration_id, created_at, "
                "resolution) values ('nik', :k, :p, now(), '')"
            ),
            {"p": other, "k": nik},
        )
    except BaseException as exc:  # reported below
        errors.append(exc)
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert errors == []
    ing_tx.commit()
    rev_tx.commit()
    assert _summaries(api) == _norm_expected(api)


def test_open_writers_hold_distinct_buckets_and_a_17th_waits(api: Api, connect: Any) -> None:
    conns = [connect() for _ in range(BUCKETS)]
    txs = [c.begin() for c in conns]
    got = [int(c.execute(text("select loket_summary_bucket()")).scalar_one()) for c in conns]
    assert sorted(got) == list(range(BUCKETS))
    # a transaction keeps its bucket
    assert int(conns[0].execute(text("select loket_summary_bucket()")).scalar_one()) == got[0]

    late = connect()
    own = _pid(late) % BUCKETS
    late_tx = late.begin()
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(
            int(late.execute(text("select loket_summary_bucket()")).scalar_one())
        )
    )
    worker.start()
    worker.join(timeout=1.0)
    assert worker.is_alive() and result == []  # every bucket is taken: it waits
    txs[got.index(own)].commit()  # the holder of the bucket it waits for commits
    worker.join(timeout=10)
    assert result == [own]
    late_tx.commit()
    for tx in txs:
        if tx.is_active:
            tx.commit()
    # after commit the bucket is free again, and a new transaction takes one afresh
    again = conns[1].begin()
    assert 0 <= int(conns[1].execute(text("select loket_summary_bucket()")).scalar_one()) < BUCKETS
    again.commit()
