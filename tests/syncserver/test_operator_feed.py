"""The change feed keeps only the latest state of a desktop operator account (security issue
12, finding 1): an old password's verifier is neither kept at the server nor sent by pull, on
SQLite and PostgreSQL; migration 0007 purges the rows kept before it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command

from syncserver import db, operators
from syncserver.models import ChangeRecord

from .conftest import Api

OFFICE = "320101"


def _feed_text(api: Api) -> str:
    return json.dumps([str(r) for r in api.sql("SELECT seq, kind, payload FROM changes")])


def _operator_changes(api: Api, dev) -> list[dict]:
    r = api.pull(dev)
    assert r.status_code == 200, r.data
    return [c for c in r.get_json()["changes"] if c["kind"] == "operator"]


def test_the_feed_keeps_only_the_latest_state_of_an_operator(api: Api) -> None:
    dev = api.enroll(OFFICE)
    now = datetime.now(UTC)
    with db.transaction(api.ext.sessions) as s:
        operators.add_operator(s, OFFICE, "dewi", "pertama-123", "Dewi", "admin", now)
        operators.add_operator(s, OFFICE, "eko", "eko-rahasia", "Eko", "admin", now)
    hashes = [api.sql("SELECT password_hash FROM office_operators WHERE username='dewi'")[0][0]]
    for password in ("kedua-1234", "ketiga-123"):
        with db.transaction(api.ext.sessions) as s:
            operators.set_password(s, OFFICE, "dewi", password, "admin", datetime.now(UTC))
        hashes.append(
            api.sql("SELECT password_hash FROM office_operators WHERE username='dewi'")[0][0]
        )
    with db.transaction(api.ext.sessions) as s:
        operators.set_active(s, OFFICE, "dewi", False, "admin", datetime.now(UTC))

    feed = _feed_text(api)
    for old in hashes[:-1]:  # no old verifier anywhere in the feed
        assert old not in feed
    changes = _operator_changes(api, dev)
    dewi = [c for c in changes if c["data"]["username"] == "dewi"]
    assert len(dewi) == 1
    assert dewi[0]["data"]["password_hash"] == hashes[-1] and dewi[0]["data"]["active"] is False
    assert [c["data"]["username"] for c in changes].count("eko") == 1  # others untouched
    rows = api.sql("SELECT count(*) FROM changes WHERE kind = 'operator'")
    assert rows[0][0] == 2


def test_migration_0007_purges_the_old_operator_rows(api: Api) -> None:
    api.office(OFFICE)
    api.office("320102")
    now = datetime.now(UTC)

    def row(office: str, name: str, pw_hash: str) -> ChangeRecord:
        data = {"username": name, "full_name": name, "password_hash": pw_hash, "active": True}
        return ChangeRecord(
            office_code=office,
            kind="operator",
            payload={"kind": "operator", "data": data},
            created_at=now,
        )

    with db.transaction(api.ext.sessions) as s:  # as versions before 0007 kept them
        for r in (
            row(OFFICE, "dewi", "$argon2id$old-1"),
            row(OFFICE, "dewi", "$argon2id$old-2"),
            row("320102", "dewi", "$argon2id$other-office"),
            row(OFFICE, "eko", "$argon2id$eko-1"),
            row(OFFICE, "dewi", "$argon2id$new"),
            row(OFFICE, "eko", "$argon2id$eko-2"),
        ):
            s.add(r)
    engine = api.ext.engine
    engine.dispose()
    command.downgrade(db.alembic_config(engine), "0004_lean_ingest")
    engine.dispose()
    db.migrate(engine)
    assert db.current_revision(engine) == db.head_revision()
    kept = sorted(
        (
            o,
            json.loads(p)["data"]["password_hash"]
            if isinstance(p, str)
            else p["data"]["password_hash"],
        )
        for o, p in api.sql("SELECT office_code, payload FROM changes WHERE kind = 'operator'")
    )
    assert kept == [
        (OFFICE, "$argon2id$eko-2"),
        (OFFICE, "$argon2id$new"),
        ("320102", "$argon2id$other-office"),
    ]
