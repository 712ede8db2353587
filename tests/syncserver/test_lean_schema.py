"""Migration 0004 (lean ingest) on both backends: it keeps the data, goes down and up again,
and the orphan checks that stand in for the dropped foreign keys do find orphans."""

from __future__ import annotations

import warnings
from typing import Any

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import SAWarning

from syncserver import db
from tests.support.integrity import integrity_problems

from .conftest import Api


def _foreign_keys(engine: Any, table: str) -> set[str]:
    return {fk["referred_table"] for fk in inspect(engine).get_foreign_keys(table)}


def _indexes(engine: Any, table: str) -> set[str]:
    with warnings.catch_warnings():  # SQLite: the lower(full_name) index is not reflected
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        return {ix["name"] for ix in inspect(engine).get_indexes(table)}


def _json_type(api: Api, table: str, column: str) -> str:
    rows = api.sql(
        "SELECT data_type FROM information_schema.columns WHERE table_name = :t "
        "AND column_name = :c",
        t=table,
        c=column,
    )
    return str(rows[0][0])


def test_down_to_0003_and_up_again_keeps_every_row(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    first = api.push(dev, [api.record(p, dev) for p in people[:20]])
    assert first.outcomes == ["accepted"] * 20
    engine = api.ext.engine
    before = db.current_revision(engine)
    assert before == db.head_revision()
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        assert _json_type(api, "registrations", "applicant") == "json"
    assert _foreign_keys(engine, "nik_primaries") == set()
    assert "ix_registrations_full_name" not in _indexes(engine, "registrations")
    counts = {
        t: api.sql(f"SELECT count(*) FROM {t}")[0][0]
        for t in (
            "registrations",
            "registration_revisions",
            "nik_primaries",
            "kk_slots",
            "batch_records",
        )
    }

    engine.dispose()  # SQLite: the table copies need no other connection open
    command.downgrade(db.alembic_config(engine), "0003_operators")
    assert db.current_revision(engine) == "0003_operators"
    assert _foreign_keys(engine, "nik_primaries") == {"registrations"}
    assert _foreign_keys(engine, "batch_records") == {"batches"}
    assert "ix_registrations_full_name" in _indexes(engine, "registrations")
    if postgres:
        assert _json_type(api, "registration_revisions", "applicant") == "jsonb"
    for table, n in counts.items():
        assert api.sql(f"SELECT count(*) FROM {table}")[0][0] == n, table

    engine.dispose()
    db.migrate(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert _foreign_keys(engine, "kk_slots") == set()
    # ingest works on the database that went down and up again
    again = api.push(dev, [api.record(p, dev) for p in people[20:25]])
    assert again.outcomes == ["accepted"] * 5
    stored = api.sql("SELECT applicant FROM registrations WHERE nik = :n", n=people[0]["nik"])
    assert len(stored) == 1


def test_integrity_checks_find_rows_that_point_at_nothing(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    api.push(dev, [api.record(p, dev) for p in people[:3]])
    engine = api.ext.engine
    with engine.connect() as conn:
        assert integrity_problems(conn) == []
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO kk_slots (kk_number, slot, registration_id) VALUES ('1', 1, 'gone')")
        )
        conn.execute(
            text(
                "INSERT INTO batch_records (batch_pk, position, registration_id, revision, "
                "outcome) VALUES (999999, 0, 'x', 1, 'invalid')"
            )
        )
    with engine.connect() as conn:
        found = integrity_problems(conn)
    assert "1 family-card slots without a registration" in found
    assert "1 batch records without their batch" in found
    with engine.begin() as conn:  # leave the database whole for the fixture's own check
        conn.execute(text("DELETE FROM kk_slots WHERE registration_id = 'gone'"))
        conn.execute(text("DELETE FROM batch_records WHERE batch_pk = 999999"))
