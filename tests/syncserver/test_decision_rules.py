"""The programme's two rules hold for verified registrations, in the database (issue 14,
defect 1): at most one verified registration per NIK and at most two per family card, on
both backends, whatever path verifies, and with two processes deciding at once."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from common import errors as E
from common.errors import ApiError
from syncserver import db
from syncserver.decisions import record_decision
from tests.support.deciders import decide_rounds
from tests.support.integrity import integrity_problems
from tests.syncserver.conftest import Api

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
        "verified", "verified", E.DECISION_KK_FULL,
    ]  # fmt: skip
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
                    text("update registrations set status = 'verified', kk_verified_slot = :s "
                         "where id = :i"),
                    {"i": rid, "s": slot},
                )  # fmt: skip
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
        s.execute(text("update duplicate_groups set resolved_at = created_at, "
                       "resolution = 'same_person'"))  # fmt: skip
    api.decide(kept, "verified")
    for rid in fam[:2]:
        api.decide(rid, "verified")
    command.downgrade(db.alembic_config(api.ext.engine), "0007_operator_feed_latest")
    with api.ext.engine.begin() as conn:  # what the old code let through
        for rid in (dup, fam[2]):
            conn.execute(text("update registrations set status = 'verified' where id = :i"),
                         {"i": rid})  # fmt: skip
    db.migrate(api.ext.engine)
    assert _verified_counts(api) == (1, 2)
    status = dict(api.sql("select id, status from registrations"))
    assert status[kept] == "verified" and status[dup] == "potential_duplicate"
    assert [status[r] for r in fam] == ["verified", "verified", "potential_duplicate"]
    assert api.sql("select resolved_at from duplicate_groups where id = :g", g=group) == [(None,)]
    assert sorted(
        r[0] for r in api.sql(
            "select target_id from audit_log where action = 'migration.verified_conflict'")
    ) == sorted([dup, fam[2]])  # fmt: skip
    slots = api.sql(
        "select kk_verified_slot from registrations where status = 'verified' and kk_number = :k",
        k=people[1]["kk_number"],
    )
    assert sorted(s[0] for s in slots) == [1, 2]
