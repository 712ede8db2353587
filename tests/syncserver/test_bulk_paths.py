"""The ingest SQL's two ways of sending many values (syncserver/queries/ingest.py): one text per
column split by the database, and the fallback for values that cannot go that way (a value
holding the separator or the NULL marker, mixed types). Both must store exactly what was given,
on both backends. Validated records never hold control characters, so ingest itself cannot
reach the fallback: it is exercised here directly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from syncserver import db
from syncserver.models import BatchRecord, DuplicateGroup
from syncserver.queries import ingest as q

from .conftest import Api

SEP, NUL = "\x1f", "\x1e"


@pytest.mark.parametrize(
    "ids",
    [
        ["plain-1", "plain-2", "plain-3"],  # one text, split by the database
        ["with" + SEP + "separator", "plain-2", "plain-3"],  # fallback
        [NUL, "plain-2", "plain-3"],  # a value equal to the NULL marker: fallback
    ],
)
def test_values_are_stored_exactly_whichever_way_they_go(api: Api, ids: list[str]) -> None:
    t0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    groups = [
        # kind constant, key varying, a primary id that may hold a control character,
        # created_at varying (timestamps as text), resolved_at all NULL (one parameter)
        ("nik", f"key{i}", rid, t0 + timedelta(seconds=i), None, "")
        for i, rid in enumerate(ids)
    ]
    cols = ("kind", "key", "primary_registration_id", "created_at", "resolved_at", "resolution")
    with db.transaction(api.ext.sessions) as s:
        got = q.bulk_insert(s, DuplicateGroup.__table__, cols, groups, ("kind", "key"), ("key",))
    assert sorted(r[0] for r in got) == sorted(g[1] for g in groups)
    rows = api.sql(
        "SELECT key, primary_registration_id, created_at, resolved_at FROM duplicate_groups "
        "ORDER BY key"
    )
    assert [r[1] for r in rows] == ids
    assert [r[3] for r in rows] == [None] * 3
    stored = [r[2] if isinstance(r[2], datetime) else datetime.fromisoformat(r[2]) for r in rows]
    assert [t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC) for t in stored] == [
        g[3] for g in groups
    ]
    with db.transaction(api.ext.sessions) as s:  # a second insert of the same keys: nothing
        again = q.bulk_insert(s, DuplicateGroup.__table__, cols, groups, ("kind", "key"), ("key",))
    assert again == []


def test_json_text_ints_and_nulls_in_varying_columns(api: Api) -> None:
    dev = api.enroll()
    pushed = api.push(dev, [])
    assert pushed.status == 200
    batch_pk = api.sql("SELECT id FROM batches")[0][0]
    rows = [  # errors: JSON text or SQL NULL; revision: ints; batch_pk and outcome: one value
        (batch_pk, 10, "r-1", 1, "invalid", '["NIK_FORMAT"]'),
        (batch_pk, 11, "r-2", 2, "invalid", None),
    ]
    with db.transaction(api.ext.sessions) as s:
        q.bulk_insert(s, BatchRecord.__table__, q.BATCH_RECORD_COLS, rows, ("batch_pk", "position"))
    stored = api.sql(
        "SELECT position, revision, errors FROM batch_records WHERE position >= 10 ORDER BY 1"
    )
    errors = [json.loads(r[2]) if isinstance(r[2], str) else r[2] for r in stored]
    assert [(r[0], r[1]) for r in stored] == [(10, 1), (11, 2)]
    assert errors == [["NIK_FORMAT"], None]
    with db.transaction(api.ext.sessions) as s:  # keep the batch whole for the integrity check
        s.execute(BatchRecord.__table__.delete().where(BatchRecord.position >= 10))


def test_lookups_by_many_keys_with_odd_keys(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    records = [api.record(p, dev) for p in people[:3]]
    assert api.push(dev, records).outcomes == ["accepted"] * 3
    wanted = [r.id for r in records] + ["no" + SEP + "such", NUL, "missing"]
    with db.transaction(api.ext.sessions) as s:
        states = q.registration_states(s, wanted)
        hashes = q.revision_hashes(s, wanted)
    assert set(states) == {r.id for r in records}
    assert hashes == {(r.id, 1): r.content_hash for r in records}


def test_one_row_with_empty_texts(api: Api) -> None:
    """A statement of one row: PostgreSQL's string_to_array('') is an empty array, not one
    empty text, so an empty value went in as NULL (a NOT NULL column: a 500)."""
    t0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    cols = ("kind", "key", "primary_registration_id", "created_at", "resolution")
    with db.transaction(api.ext.sessions) as s:
        q.bulk_insert(
            s, DuplicateGroup.__table__, cols, [("nik", "k1", "", t0, "")], ("kind", "key")
        )
    assert api.sql("SELECT primary_registration_id, resolution FROM duplicate_groups") == [("", "")]
    with db.transaction(api.ext.sessions) as s:
        s.execute(DuplicateGroup.__table__.delete())


def test_a_record_pushed_alone_with_no_operator(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    alone = api.record(people[0], dev, operator="")
    assert api.push(dev, [alone]).outcomes == ["accepted"]
    assert api.sql("SELECT operator FROM registrations") == [("",)]
    assert api.sql("SELECT operator FROM registration_revisions") == [("",)]
