"""Security on the server side: the audit log's hash chain, and operator accounts managed
centrally and synced to their office's devices (hash, never a password)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy import text

from common import protocol as P
from syncserver import db, operators
from syncserver.audit import verify_chain
from syncserver.cli import main as server_cli
from syncserver.queries.reviews import append_audit


def _chain(api):
    with db.transaction(api.ext.sessions) as s:
        return verify_chain(s)


def _some_history(api, people):
    dev = api.enroll("320101")
    recs = [api.record(p, dev) for p in people[:3]]
    assert api.push(dev, recs).outcomes == ["accepted"] * 3
    api.decide(recs[0].id, "verified")
    api.decide(recs[1].id, "returned", note="perbaiki RT")
    return dev, recs


def test_the_audit_chain_verifies_and_catches_tampering(api, people, db_url) -> None:
    _some_history(api, people)
    report = _chain(api)
    assert report.ok and report.entries >= 4  # code issued, device enrolled, two decisions
    assert server_cli(["--database", db_url, "verify-audit"]) == 0

    # a curious admin edits one decision's details in the database
    victim = api.sql("select id from audit_log where action = 'decision.returned'")[0][0]
    with api.ext.engine.begin() as conn:
        conn.execute(
            text("update audit_log set actor = 'someone-else' where id = :id"), {"id": victim}
        )
    report = _chain(api)
    assert not report.ok and report.first_bad_id == victim
    assert server_cli(["--database", db_url, "verify-audit"]) == 1


def test_deleting_an_entry_breaks_the_chain(api, people) -> None:
    _some_history(api, people)
    ids = [r[0] for r in api.sql("select id from audit_log order by id")]
    with api.ext.engine.begin() as conn:
        conn.execute(text("delete from audit_log where id = :id"), {"id": ids[1]})
    report = _chain(api)
    assert not report.ok and report.first_bad_id == ids[2]


def test_concurrent_appends_do_not_fork_the_chain(api) -> None:
    api.office("320101")
    errors: list[BaseException] = []

    def append(n: int) -> None:
        try:
            for i in range(15):
                with db.transaction(api.ext.sessions) as s:
                    append_audit(
                        s,
                        now=datetime.now(UTC),
                        actor_kind="system",
                        actor=f"t{n}",
                        action="test.append",
                        details={"i": i},
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = _chain(api)
    assert report.ok and report.entries == 60


def test_operators_reach_only_their_offices_devices_as_hashes(api) -> None:
    bogor = api.enroll("320101")
    jakarta = api.enroll("317101")
    now = datetime.now(UTC)
    with db.transaction(api.ext.sessions) as s:
        operators.add_operator(s, "320101", "Siti", "kata-sandi-siti", "Siti Rahayu", "admin1", now)
    pulled = P.decode(P.PullResponse, api.pull(bogor).get_json())
    ops = [c for c in pulled.changes if c.kind is P.ChangeKind.OPERATOR]
    assert len(ops) == 1
    data = ops[0].data
    assert (
        data["username"] == "siti" and data["active"] is True and data["full_name"] == "Siti Rahayu"
    )
    assert data["password_hash"].startswith("$argon2id$")
    assert PasswordHasher().verify(data["password_hash"], "kata-sandi-siti")
    assert "kata-sandi-siti" not in str(api.pull(bogor).get_data(as_text=True))
    assert not [
        c
        for c in P.decode(P.PullResponse, api.pull(jakarta).get_json()).changes
        if c.kind is P.ChangeKind.OPERATOR
    ]

    with db.transaction(api.ext.sessions) as s:
        operators.set_active(s, "320101", "siti", False, "admin1", now)
    later = P.decode(P.PullResponse, api.pull(bogor, cursor=pulled.cursor).get_json())
    assert [(c.kind, c.data["active"]) for c in later.changes] == [(P.ChangeKind.OPERATOR, False)]
    actions = [
        r[0]
        for r in api.sql("select action from audit_log where target_kind = 'operator' order by id")
    ]
    assert actions == ["operator.add", "operator.disable"]
    assert _chain(api).ok
