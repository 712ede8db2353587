"""The programme's two rules hold for verified registrations, in the database (issue 14,
defect 1): at most one verified registration per NIK and at most two per family card, on
both backends, whatever path verifies, and with two processes deciding at once."""

from __future__ import annotations

import multiprocessing
import re
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from common import errors as E
from common.errors import ApiError
from syncserver import db
from syncserver.decisions import record_decision
from tests.support.deciders import decide_rounds
from tests.support.integrity import integrity_problems
from tests.support.liveserver import LiveServer
from tests.syncserver.conftest import Api
from tests.syncserver.test_concurrency import _post

ROUNDS = 30


def _try_verify(api: Api, rid: str) -> str:
    """Verify as the console does; ``verified`` or the refusal's code (nothing written)."""
    session = api.ext.sessions()
    try:
        record_decision(session, rid, "verified", "reviewer1")
        session.commit()
        return "verified"
    except ApiError as exc:
        session.rollback()
        return exc.code
    finally:
        session.close()


def _nik_pair(api: Api, dev: Any, person: dict[str, Any]) -> list[str]:
    recs = [api.record(person, dev), api.record(dict(person, phone="081299990000"), dev)]
    assert api.push(dev, recs).outcomes == ["accepted", "duplicate_nik"]
    return [r.id for r in recs]


def _family(api: Api, dev: Any, people: list[dict[str, Any]]) -> list[str]:
    kk = people[0]["kk_number"]
    recs = [api.record(dict(p, kk_number=kk), dev) for p in people]
    assert api.push(dev, recs).outcomes == ["accepted", "accepted", "kk_limit"]
    return [r.id for r in recs]


def _verified_counts(api: Api) -> tuple[int, int]:
    """The most verified registrations of one NIK, and of one family card."""
    nik = api.sql(
        "select coalesce(max(n), 0) from (select count(*) as n from registrations "
        "where status = 'verified' group by nik) t"
    )[0][0]
    kk = api.sql(
        "select coalesce(max(n), 0) from (select count(*) as n from registrations "
        "where status = 'verified' group by kk_number) t"
    )[0][0]
    return int(nik), int(kk)


def test_a_rejected_duplicate_cannot_be_verified_beside_the_kept_one(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll("320101")
    kept, dup = _nik_pair(api, dev, people[0])
    api.decide(kept, "verified")
    api.decide(dup, "rejected", reason="duplicate")
    assert _try_verify(api, dup) == E.DECISION_NIK_VERIFIED
    a, b, c = _family(api, dev, people[1:4])
    assert [_try_verify(api, a), _try_verify(api, b), _try_verify(api, c)] == [
        "verified",
        "verified",
        E.DECISION_KK_FULL,
    ]
    api.decide(a, "returned", note="periksa KK")  # leaving "verified" frees the card's slot
    assert _try_verify(api, c) == "verified"
    assert _verified_counts(api) == (1, 2)
    code = api.sql("select code from registrations where id = :i", i=kept)[0][0]
    msg = E.message(E.DECISION_NIK_VERIFIED, {"code": code}, "en")
    assert code in msg and "one NIK" in msg


def test_the_database_refuses_what_bypasses_the_decision_code(api: Api, people: list[dict]) -> None:
    """A script setting the status itself breaks no rule either: the indexes refuse it."""
    dev = api.enroll("320101")
    kept, dup = _nik_pair(api, dev, people[0])
    a, b, c = _family(api, dev, people[1:4])
    api.decide(kept, "verified")
    api.decide(a, "verified")
    api.decide(b, "verified")
    for rid in (dup, c):
        for slot in (1, 2):
            with pytest.raises(IntegrityError), api.ext.engine.begin() as conn:
                conn.execute(
                    text(
                        "update registrations set status = 'verified', kk_verified_slot = :s "
                        "where id = :i"
                    ),
                    {"i": rid, "s": slot},
                )
    with pytest.raises(IntegrityError), api.ext.engine.begin() as conn:
        conn.execute(text("update registrations set kk_verified_slot = 3 where id = :i"), {"i": a})
    assert _verified_counts(api) == (1, 2)


def test_two_processes_deciding_at_once_never_break_the_rules(
    api: Api, people: list[dict], db_url: str
) -> None:
    """Two OS processes, each with its own engine, verify at the same moment (a barrier per
    round): one the second registration of a NIK, the other the first; then the last free
    slot of a family card, one registration each. Exactly one of each pair wins; the other
    is refused with the rule's code."""
    dev = api.enroll("320101")
    first: list[str] = []
    second: list[str] = []
    for i in range(ROUNDS):
        nik = _nik_pair(api, dev, people[4 * i])
        fam = _family(api, dev, people[4 * i + 1 : 4 * i + 4])
        api.decide(fam[0], "verified")
        first += [nik[0], fam[1]]
        second += [nik[1], fam[2]]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=decide_rounds, args=(db_url, targets, barrier, results))
        for targets in (first, second)
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for step, pair in enumerate(zip(*outcomes, strict=True)):
        rule = E.DECISION_NIK_VERIFIED if step % 2 == 0 else E.DECISION_KK_FULL
        assert sorted(pair) == sorted(["verified", rule]), (step, pair)
    assert _verified_counts(api) == (1, 2)
    with api.ext.engine.connect() as conn:
        assert integrity_problems(conn) == []


def test_the_migration_sends_rule_breakers_back_to_review(api: Api, people: list[dict]) -> None:
    """A database that broke the rules before 0008: the first verified stays, the others go
    back to review in a reopened group, with an audit entry each."""
    dev = api.enroll("320101")
    kept, dup = _nik_pair(api, dev, people[0])
    fam = _family(api, dev, people[1:4])
    group = api.sql("select id from duplicate_groups where kind = 'nik'")[0][0]
    with db.transaction(api.ext.sessions) as s:  # resolved: same person, dup rejected
        s.execute(
            text("update duplicate_groups set resolved_at = created_at, resolution = 'same_person'")
        )
    api.decide(kept, "verified")
    for rid in fam[:2]:
        api.decide(rid, "verified")
    command.downgrade(db.alembic_config(api.ext.engine), "0007_operator_feed_latest")
    with api.ext.engine.begin() as conn:  # what the old code let through
        for rid in (dup, fam[2]):
            conn.execute(
                text("update registrations set status = 'verified' where id = :i"), {"i": rid}
            )
    db.migrate(api.ext.engine)
    assert _verified_counts(api) == (1, 2)
    status = dict(api.sql("select id, status from registrations"))
    assert status[kept] == "verified" and status[dup] == "potential_duplicate"
    assert [status[r] for r in fam] == ["verified", "verified", "potential_duplicate"]
    assert api.sql("select resolved_at from duplicate_groups where id = :g", g=group) == [(None,)]
    assert sorted(
        r[0]
        for r in api.sql(
            "select target_id from audit_log where action = 'migration.verified_conflict'"
        )
    ) == sorted([dup, fam[2]])
    slots = api.sql(
        "select kk_verified_slot from registrations where status = 'verified' and kk_number = :k",
        k=people[1]["kk_number"],
    )
    assert sorted(s[0] for s in slots) == [1, 2]


LIVE_ROUNDS = 12
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _console(server: LiveServer, username: str) -> requests.Session:
    """A signed-in console session on ``server`` (over plain HTTP: the cookie is not Secure)."""
    s = requests.Session()
    page = s.get(server.url + "/console/login", timeout=30).text
    token = _TOKEN.search(page)
    assert token
    r = s.post(
        server.url + "/console/login",
        timeout=30,
        allow_redirects=False,
        data={"username": username, "password": "kata-sandi-ujian", "csrf_token": token.group(1)},
    )
    assert r.status_code in (302, 303), r.text[:300]
    return s


def _verify_over_http(server: LiveServer, s: requests.Session, rid: str) -> str:
    """Press "Verify" on the record page: ``verified`` or the refusal's error code."""
    page = s.get(f"{server.url}/console/records/{rid}", timeout=30).text
    token = _TOKEN.search(page)
    assert token
    r = s.post(
        f"{server.url}/console/records/{rid}/decide",
        timeout=60,
        allow_redirects=False,
        data={"action": "verified", "revision": "1", "csrf_token": token.group(1)},
    )
    if r.status_code == 303:  # saved, or a flashed refusal (a pending duplicate, say)
        after = s.get(server.url + r.headers["Location"], timeout=30).text
        return "verified" if 'class="flash ok"' in after else "refused: " + after[-2000:]
    found = re.search(r'data-error-code="([A-Z_]+)"', r.text)
    assert r.status_code == 409 and found, (r.status_code, r.text[:500])
    return found.group(1)


def test_two_live_servers_on_one_database_never_break_the_rules(
    db_url: str, tmp_path: Path, people: list[dict]
) -> None:
    """Two real ``loket-server`` processes on one database, a reviewer signed in on each,
    pressing "Verify" at the same moment (a barrier per round) on the two registrations of
    a NIK, then on the two registrations competing for a family card's last verified slot."""
    s1 = LiveServer(tmp_path / "s1", db_url)
    s1.cli("migrate")
    for name in ("rina", "budi"):
        s1.cli("add-user", name, "--role", "reviewer", password="kata-sandi-ujian")
    s1.start()
    s2 = LiveServer(tmp_path / "s2", db_url).start()
    try:
        code = s1.office_and_code("320101", "32.01")
        e = requests.post(s2.url + "/api/v1/devices/enroll", json={"code": code}, timeout=30).json()
        dev = {
            "id": e["device_id"],
            "credential": e["credential"],
            "office": "320101",
            "no": e["device_no"],
        }
        seq = [0]
        setup: list[tuple[str, str, str]] = []
        first: list[str] = []
        second: list[str] = []
        for i in range(LIVE_ROUNDS):
            p = people[200 + 4 * i : 204 + 4 * i]
            kk = p[1]["kk_number"]
            apps = [p[0], dict(p[0], phone="081299990000"), *(dict(x, kk_number=kk) for x in p[1:])]
            recs = _push_records(apps, dev, seq)
            answer = _post(s1.url, dev, str(uuid.uuid4()), recs)
            assert [r["outcome"] for r in answer["results"]] == [
                "accepted",
                "duplicate_nik",
                "accepted",
                "accepted",
                "kk_limit",
            ]
            first += [recs[0].id, recs[3].id]
            second += [recs[1].id, recs[4].id]
            setup.append((recs[1].id, recs[2].id, recs[4].id))
        engine = db.make_engine(db_url)
        try:  # each NIK's duplicate rejected by its group, each card's first holder verified
            for dup, pre, third in setup:
                for rid, decision in ((dup, "rejected"), (third, "rejected"), (pre, "verified")):
                    with db.transaction(db.session_factory(engine)) as session:
                        record_decision(session, rid, decision, "setup", reason="duplicate")
        finally:
            engine.dispose()
        sessions = [(s1, _console(s1, "rina")), (s2, _console(s2, "budi"))]
        barrier = threading.Barrier(2)
        outcomes: list[list[str]] = [[], []]
        failures: list[BaseException] = []

        def reviewer(n: int, targets: list[str]) -> None:
            server, s = sessions[n]
            try:
                for rid in targets:
                    barrier.wait(timeout=120)
                    outcomes[n].append(_verify_over_http(server, s, rid))
            except BaseException as exc:
                failures.append(exc)
                barrier.abort()

        threads = [
            threading.Thread(target=reviewer, args=(n, t)) for n, t in enumerate((first, second))
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join(600)
        assert not failures, failures[0]
        for step, pair in enumerate(zip(*outcomes, strict=True)):
            rule = E.DECISION_NIK_VERIFIED if step % 2 == 0 else E.DECISION_KK_FULL
            assert sorted(pair) == sorted(["verified", rule]), (step, pair)
        engine = db.make_engine(db_url)
        try:
            with engine.connect() as conn:
                worst = conn.execute(
                    text(
                        "select max(n) from (select count(*) as n from registrations "
                        "where status = 'verified' group by nik) t"
                    )
                ).scalar()
                worst_kk = conn.execute(
                    text(
                        "select max(n) from (select count(*) as n from registrations "
                        "where status = 'verified' group by kk_number) t"
                    )
                ).scalar()
                assert (worst, worst_kk) == (1, 2)
                assert integrity_problems(conn) == []
        finally:
            engine.dispose()
    finally:
        s2.stop()
        s1.stop()


def _push_records(apps: list[dict[str, Any]], dev: dict[str, Any], seq: list[int]) -> list[Any]:
    from common import protocol as P
    from common.record import content_hash, new_registration_id
    from common.regcode import make_code

    out = []
    for a in apps:
        seq[0] += 1
        out.append(
            P.PushRecord(
                id=new_registration_id(),
                code=make_code(dev["office"], dev["no"], seq[0]),
                revision=1,
                base_revision=0,
                content_hash=content_hash(a),
                applicant=a,
                operator="petugas",
                channel="counter",
                device_time="2026-01-05T09:00:00Z",
            )
        )
    return out
