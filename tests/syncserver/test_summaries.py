"""The dashboard's summary tables (migrations 0010 and 0012) always equal what they summarise:
after ingest (new records, flags, revisions that move a record to another province,
unflagging), decisions, duplicate groups opened, resolved, reopened and dropped, and after the
migration's backfill. Both backends."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from alembic import command

from common.record import content_hash
from syncserver import db
from syncserver.db import alembic_config
from syncserver.queries import console_duplicates as dq
from tests.syncserver.conftest import Api

_DAY = {
    "sqlite": "date({col}, '+7 hours')",
    "postgresql": "((({col}) AT TIME ZONE 'UTC') + interval '7 hours')::date",
}


def _expected(api: Api) -> tuple[Any, Any, Any, Any]:
    day = _DAY[api.ext.engine.dialect.name]
    by_regency = api.sql(
        "select regency_code, status, count(*) from registrations group by 1, 2 order by 1, 2"
    )
    by_day = api.sql(
        f"select {day.format(col='received_at')}, province_code, status, count(*) "
        "from registrations group by 1, 2, 3 order by 1, 2, 3"
    )
    decisions = api.sql(
        f"select {day.format(col='d.decided_at')}, r.province_code, d.decision, count(*) "
        "from review_decisions d join registrations r on r.id = d.registration_id "
        "group by 1, 2, 3 order by 1, 2, 3"
    )
    open_groups = api.sql("select count(*) from duplicate_groups where resolved_at is null")
    return by_regency, by_day, decisions, open_groups


def _summaries(api: Api) -> tuple[Any, Any, Any, Any]:
    def norm(rows: list[Any]) -> list[tuple[Any, ...]]:
        return [(*(str(v) for v in r[:-1]), int(r[-1])) for r in rows]

    by_regency = api.sql(
        "select regency_code, status, sum(n) from summary_regency_status "
        "group by 1, 2 having sum(n) <> 0 order by 1, 2"
    )
    by_day = api.sql(
        "select day, province_code, status, sum(n) from summary_day_status "
        "group by 1, 2, 3 having sum(n) <> 0 order by 1, 2, 3"
    )
    decisions = api.sql(
        "select day, province_code, decision, sum(n) from summary_day_decisions "
        "group by 1, 2, 3 having sum(n) <> 0 order by 1, 2, 3"
    )
    open_groups = api.sql("select coalesce(sum(n), 0) from summary_open_groups")
    return norm(by_regency), norm(by_day), norm(decisions), norm(open_groups)


def _norm_expected(api: Api) -> tuple[Any, ...]:
    return tuple([(*(str(v) for v in r[:-1]), int(r[-1])) for r in rows] for rows in _expected(api))


def _open_groups(api: Api) -> int:
    return int(api.sql("select count(*) from duplicate_groups where resolved_at is null")[0][0])


def _revision(rec: Any, applicant: dict[str, Any], revision: int) -> Any:
    return dataclasses.replace(
        rec,
        revision=revision,
        base_revision=revision - 1,
        applicant=applicant,
        content_hash=content_hash(applicant),
    )


def test_summaries_follow_ingest_and_decisions(api: Api, people: list) -> None:
    bogor, makassar = api.enroll("320101"), api.enroll("737101")
    plain = [api.record(p, bogor) for p in people[:8]]
    kk = people[10]["kk_number"]
    on_card = [api.record(dict(p, kk_number=kk), bogor) for p in people[10:13]]  # third: kk_limit
    assert api.push(bogor, plain + on_card).outcomes[-1] == "kk_limit"
    assert _summaries(api) == _norm_expected(api)

    api.clock.offset += timedelta(days=1)  # another day
    dup = api.record(dict(people[0], phone="081299990000"), makassar)  # flagged duplicate_nik
    api.push(makassar, [dup])
    elsewhere = next(
        p for p in people[20:] if p["village_code"][:2] != people[1]["village_code"][:2]
    )
    moved = dict(people[1], village_code=elsewhere["village_code"])  # another province
    assert api.push(bogor, [_revision(plain[1], moved, 2)]).outcomes == ["accepted"]
    # the first card holder leaves the card: the flagged third one takes the slot (unflagged)
    left = dict(on_card[0].applicant, kk_number=people[14]["kk_number"])
    groups = api.sql("select count(*) from duplicate_groups")[0][0]
    assert api.push(bogor, [_revision(on_card[0], left, 2)]).outcomes == ["accepted"]
    # its family card's group has no flagged member left: dropped (the delete trigger)
    assert api.sql("select count(*) from duplicate_groups")[0][0] == groups - 1
    assert _summaries(api) == _norm_expected(api)

    api.decide(plain[2].id, "verified")
    api.decide(plain[3].id, "rejected", reason="not_eligible")
    api.decide(plain[4].id, "returned", note="Periksa alamat")
    api.clock.offset += timedelta(days=1)
    api.decide(plain[5].id, "verified")
    assert api.push(
        bogor, [_revision(plain[4], dict(people[4], street="Jl. Baru 2"), 2)]
    ).outcomes == ["accepted"]
    got = _summaries(api)
    assert got == _norm_expected(api)
    assert sum(n for *_k, n in got[2]) == 4
    # open duplicate groups (0012): resolved, reopened, resolved again, each one statement
    assert _open_groups(api) >= 1
    gid = int(api.sql("select min(id) from duplicate_groups where resolved_at is null")[0][0])
    before = _open_groups(api)
    steps = (
        (lambda s: dq.claim_resolution(s, gid, "bukan_duplikat", api.clock()), before - 1),
        (lambda s: dq.reopen(s, gid), before),
        (lambda s: dq.claim_resolution(s, gid, "bukan_duplikat", api.clock()), before - 1),
    )
    for change, open_after in steps:
        with db.transaction(api.ext.sessions) as s:
            assert change(s)
        assert _open_groups(api) == open_after
        assert _summaries(api) == _norm_expected(api)
    assert {k[2] for k in got[1]} >= {"received", "verified", "rejected", "potential_duplicate"}


def test_the_migration_backfills_the_summaries(api: Api, people: list) -> None:
    dev = api.enroll("320101")
    recs = [api.record(p, dev) for p in people[:5]]
    api.push(dev, recs)
    api.decide(recs[0].id, "verified")
    api.ext.engine.dispose()
    command.downgrade(alembic_config(api.ext.engine), "0007_operator_feed_latest")
    command.upgrade(alembic_config(api.ext.engine), "head")
    assert _summaries(api) == _norm_expected(api)
    assert _summaries(api)[0] != []
