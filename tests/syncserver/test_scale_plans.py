"""What stays fast at 10 million registrations (issue 17, bench/central_scale.py), checked on a
real PostgreSQL loaded with common/bulk.py rows: the statements' plans and the work they do,
not their time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from common.bulk import COLUMNS, BulkSpec, registration_id
from syncserver import db
from syncserver.queries import console_records as cr
from syncserver.queries.ingest import nik_primaries
from tests.support.pgcluster import PgCluster

ROWS = 12_000


@pytest.fixture(scope="module")
def loaded(pg_cluster: PgCluster) -> Iterator[tuple[Engine, BulkSpec]]:
    """A migrated database holding ROWS bulk registrations (their claims too), analysed."""
    name = pg_cluster.create_database()
    engine = create_engine(pg_cluster.url(name))
    db.migrate(engine)
    spec = BulkSpec(ROWS, seed=17, per_regency=10)
    with pg_cluster.connect(name, autocommit=False) as conn:
        for table in ("offices", "devices"):
            with conn.cursor().copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as cp:
                cp.write(spec.fixed_table(table))
        for table in ("batches", "duplicate_groups", "registrations", "nik_primaries", "kk_slots"):
            text, _ = spec.table(table, 0, spec.n_batches)
            with conn.cursor().copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as cp:
                cp.write(text)
        conn.commit()
    with pg_cluster.connect(name) as conn:
        conn.execute("VACUUM ANALYZE")
    try:
        yield engine, spec
    finally:
        engine.dispose()
        pg_cluster.drop_database(name)


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _common_part(spec: BulkSpec) -> tuple[str, int]:
    """The name part (three letters or more: a trigram) in most stored names, and in how many."""
    text, _ = spec.table("registrations", 0, spec.n_batches)
    names = [line.split("\t")[6].lower() for line in text.splitlines()]
    found = {p: sum(p in n for n in names) for p in ("ant", "awan", "sari", "wan", "ari", "put")}
    part = max(found, key=lambda p: found[p])
    return part, found[part]


def test_a_common_name_part_is_not_counted_when_the_estimate_is_far_above_the_limit(
    loaded: tuple[Engine, BulkSpec],
) -> None:
    """Counting the first limit+1 matches of a name part costs the trigram index's whole
    bitmap (every match), which grows with the table: 100 ms at 10M. Far above the limit the
    planner's estimate is shown without counting."""
    engine, spec = loaded
    part, matches = _common_part(spec)
    limit = 5
    assert matches > cr.TRUST_ESTIMATE_ABOVE * limit * 2, (part, matches)
    with Session(engine) as s, _statements(engine) as seen:
        got = cr.count(s, cr.RecordFilter(q=part), exact_limit=limit)
    assert not got.exact and got.n > limit
    counting = [st for st in seen if re.search(r"count\(\*\)", st)]
    assert counting == [], counting
    assert any(st.startswith("EXPLAIN") for st in seen)
    # below the limit (and within its twentyfold) it is still counted, exactly
    name = spec.table("registrations", 3, 4)[0].splitlines()[7].split("\t")[6]
    with Session(engine) as s, _statements(engine) as seen:
        exact = cr.count(s, cr.RecordFilter(q=name))
    assert exact.exact and 1 <= exact.n <= cr.EXACT_COUNT_LIMIT
    assert [st for st in seen if re.search(r"count\(\*\)", st)]


def test_ingest_finds_a_stored_nik_through_the_claims_primary_key(
    loaded: tuple[Engine, BulkSpec],
) -> None:
    """The duplicate check's lookup (one per record) is two primary-key probes, never a scan:
    the statement ingest runs, explained with its own parameters."""
    engine, spec = loaded
    i = ROWS // 2 + 3
    nik = spec.nik(i)
    with Session(engine) as s, _params(engine) as seen:
        assert nik_primaries(s, [nik])[nik][0] == registration_id(i)
    (statement, params), *_ = seen
    with engine.connect() as conn:
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params))
    assert "pk_nik_primaries" in plan and "pk_registrations" in plan, plan
    assert "Seq Scan" not in plan, plan


@contextmanager
def _params(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
