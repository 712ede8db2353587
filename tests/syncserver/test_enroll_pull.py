"""Enrollment and pull (cursor semantics, office isolation, decisions reaching the device)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from common import errors as E
from common import protocol as P
from common import wire
from syncserver.enrollment import sha256_hex
from tests.syncserver.conftest import Api


def test_enrollment_gives_numbered_devices_and_stores_only_hashes(api: Api) -> None:
    a = api.enroll()
    b = api.enroll()
    assert (a.device_no, b.device_no) == (1, 2) and a.office_code == "320101"
    assert a.credential.startswith(a.id + ".")
    secret = a.credential.split(".", 1)[1]
    rows = api.sql("SELECT credential_hash FROM devices WHERE id = :i", i=a.id)
    assert rows == [(sha256_hex(secret),)]
    assert secret not in str(api.sql("SELECT * FROM devices"))
    assert api.sql("SELECT count(*) FROM audit_log WHERE action = 'device.enroll'") == [(2,)]


def test_enrollment_code_is_single_use_and_expires(api: Api) -> None:
    api.office()
    code = api.enroll_code("320101")
    assert (
        api.client.post(
            "/api/v1/devices/enroll", json={"code": code.lower().replace("-", " ")}
        ).status_code
        == 200
    )
    r = api.client.post("/api/v1/devices/enroll", json={"code": code})
    assert r.status_code == 400 and r.get_json()["code"] == E.ENROLL_CODE_USED
    r = api.client.post("/api/v1/devices/enroll", json={"code": "AAAA-BBBB-CCCC-DDDD"})
    assert r.get_json()["code"] == E.ENROLL_CODE_INVALID
    old = api.enroll_code("320101", ttl=timedelta(hours=1))
    api.clock.offset = timedelta(hours=2)
    r = api.client.post("/api/v1/devices/enroll", json={"code": old})
    assert r.get_json()["code"] == E.ENROLL_CODE_EXPIRED
    assert api.sql(
        "SELECT count(*) FROM enrollment_codes WHERE code_hash = :h", h=sha256_hex(code)
    ) == [(0,)]


def _pull(api: Api, dev, cursor=None, limit=None) -> P.PullResponse:
    r = api.pull(dev, cursor, limit)
    assert r.status_code == 200, r.data
    return P.decode(
        P.PullResponse, wire.loads(wire.decompress(r.data, r.headers.get("Content-Encoding")))
    )


def test_an_enrollment_sent_again_gets_the_same_answer(api: Api) -> None:
    """On a slow link the answer to an enrollment can be lost after the server used the
    code; the device sends the same request again (its own credential secret) and gets the
    same device back, where it got ENROLL_CODE_USED and had to ask for a new code. Only the
    request that chose the secret can: another secret, a revoked device or no secret is
    ENROLL_CODE_USED as before, and a weak secret is refused."""
    api.office()
    code = api.enroll_code("320101")
    secret = "s" * 10 + "A1_-" * 8
    body = {"code": code, "device_name": "Laptop lapangan", "credential_secret": secret}
    first = api.client.post("/api/v1/devices/enroll", json=body)
    again = api.client.post("/api/v1/devices/enroll", json={**body, "code": code.lower()})
    assert first.status_code == again.status_code == 200, again.data
    a, b = first.get_json(), again.get_json()
    assert a["credential"] == b["credential"] == f"{a['device_id']}.{secret}"
    assert (a["device_id"], a["device_no"], a["office_code"]) == (
        b["device_id"],
        b["device_no"],
        b["office_code"],
    )
    assert api.sql("SELECT count(*) FROM devices") == [(1,)]
    assert api.sql("SELECT credential_hash FROM devices") == [(sha256_hex(secret),)]
    # the credential works
    pulled = api.client.get(
        "/api/v1/sync/pull", headers={"Authorization": f"Bearer {b['credential']}"}
    )
    assert pulled.status_code == 200
    for other in ({**body, "credential_secret": "t" * 43}, {"code": code}):
        r = api.client.post("/api/v1/devices/enroll", json=other)
        assert r.status_code == 400 and r.get_json()["code"] == E.ENROLL_CODE_USED
    with api.ext.engine.begin() as conn:
        conn.execute(text("UPDATE devices SET revoked_at = enrolled_at"))
    r = api.client.post("/api/v1/devices/enroll", json=body)
    assert r.status_code == 400 and r.get_json()["code"] == E.ENROLL_CODE_USED
    weak = {"code": api.enroll_code("320101"), "credential_secret": "short"}
    r = api.client.post("/api/v1/devices/enroll", json=weak)
    assert r.status_code == 400 and r.get_json()["code"] == E.SCHEMA_VIOLATION
    assert api.sql("SELECT count(*) FROM devices") == [(1,)]


def test_pull_pages_in_server_order_and_only_the_office(api: Api, people: list[dict]) -> None:
    a = api.enroll("320101")
    other = api.enroll("327101")
    recs = [api.record(p, a) for p in people[:5]]
    api.push(a, recs)
    theirs = api.record(people[5], other)
    api.push(other, [theirs])
    empty = _pull(api, a)
    assert empty.changes == [] and not empty.more
    for rec, decision in zip(
        recs, ["verified", "rejected", "returned", "verified", "verified"], strict=True
    ):
        api.decide(
            rec.id,
            decision,
            reason="data_palsu" if decision == "rejected" else "",
            note="cek" if decision == "returned" else "",
        )
    api.decide(theirs.id, "verified")
    page1 = _pull(api, a, "", 2)
    assert [c.registration_id for c in page1.changes] == [r.id for r in recs[:2]] and page1.more
    page2 = _pull(api, a, page1.cursor, 2)
    page3 = _pull(api, a, page2.cursor, 2)
    assert not page3.more and len(page3.changes) == 1
    seqs = [c.seq for p in (page1, page2, page3) for c in p.changes]
    assert seqs == sorted(seqs) and page3.cursor == str(seqs[-1])
    returned = page2.changes[0]
    assert (returned.kind, returned.status.value, returned.note, returned.revision) == (
        "decision",
        "returned",
        "cek",
        1,
    )
    assert page1.changes[1].reason == "data_palsu"
    assert _pull(api, a, page3.cursor).changes == []  # nothing new
    assert [c.registration_id for c in _pull(api, other).changes] == [theirs.id]  # own office only


def test_decision_writes_status_audit_and_feed(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    api.push(dev, [rec])
    result = api.decide(rec.id, "verified")
    assert result.status.value == "verified" and result.change_seq > 0
    assert api.sql("SELECT status FROM registrations") == [("verified",)]
    assert api.sql("SELECT decision, reviewer, revision FROM review_decisions") == [
        ("verified", "reviewer1", 1)
    ]
    assert api.sql(
        "SELECT actor, action, target_id FROM audit_log WHERE action LIKE 'decision.%'"
    ) == [("reviewer1", "decision.verified", rec.id)]


def test_bad_cursor_and_limit(api: Api) -> None:
    dev = api.enroll()
    for cursor in ("abc", "-1", "999999"):
        r = api.pull(dev, cursor)
        assert r.status_code == 400 and r.get_json()["code"] == E.CURSOR_INVALID
    assert api.pull(dev, "0", 0).status_code == 400
    assert api.pull(dev, "0", P.MAX_PULL_PAGE + 1).status_code == 400


def test_numbers_too_long_to_convert_are_refused_not_crashed(api: Api) -> None:
    """Python refuses to turn more than 4,300 digits into an int; the pull must refuse such a
    cursor, limit or backlog value as it refuses any other bad one (it answered 500)."""
    dev = api.enroll()
    huge = "9" * 5000
    r = api.pull(dev, huge)
    assert r.status_code == 400 and r.get_json()["code"] == E.CURSOR_INVALID
    r = api.pull(dev, "0", huge)
    assert r.status_code == 400 and r.get_json()["code"] == E.SCHEMA_VIOLATION
    r = api.pull(dev, "0" * 5000)  # a server never hands out a cursor with leading zeros
    assert r.status_code == 400 and r.get_json()["code"] == E.CURSOR_INVALID


def test_health_ready_metrics(api: Api, people: list[dict]) -> None:
    assert api.client.get("/healthz").get_json() == {"status": "ok"}
    assert api.client.get("/readyz").get_json()["database"] == "ok"
    dev = api.enroll()
    api.push(dev, [api.record(people[0], dev)])
    # Counted, but served only to a configured scraper (tests/syncserver/test_metrics.py).
    assert api.client.get("/metrics").status_code == 404


def test_readyz_fails_without_schema(tmp_path) -> None:
    from syncserver.app import create_app

    app = create_app({"database": f"sqlite:///{tmp_path / 'empty.db'}", "data_dir": str(tmp_path)})
    r = app.test_client().get("/readyz")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable"
