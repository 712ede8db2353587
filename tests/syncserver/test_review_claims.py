"""Review claims (issue 14, "work that two reviewers do not do twice"): a reviewer claims a
duplicate group or a batch of records for a while; another reviewer's decision on claimed
work is refused in the decision's own transaction, whatever path it takes. Both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common import errors as E
from common.errors import ApiError
from syncserver import claims, db
from syncserver.decisions import record_decision
from tests.syncserver.conftest import Api


def _claim(api: Api, kind: str, targets: list[str], who: str, minutes: int = 30) -> list[str]:
    with db.transaction(api.ext.sessions) as s:
        return claims.claim(s, kind, targets, who, now=api.clock(), minutes=minutes)


def _decide(api: Api, rid: str, who: str, decision: str = "verified") -> None:
    """record_decision in its own transaction; an ApiError is raised after the rollback
    (ApiError cannot pass through a @contextmanager: docs/DEVELOPING.md)."""
    failed: ApiError | None = None
    with db.transaction(api.ext.sessions) as s:
        try:
            record_decision(
                s,
                rid,
                decision,
                who,
                now=api.clock(),
                reason="not_eligible" if decision == "rejected" else "",
            )
        except ApiError as exc:
            failed = exc
            s.rollback()
    if failed is not None:
        raise failed


def _status(api: Api, rid: str) -> str:
    return str(api.sql("select status from registrations where id = :i", i=rid)[0][0])


def test_a_claimed_record_is_decided_only_by_its_holder(api: Api, people: list) -> None:
    dev = api.enroll("320101")
    recs = [api.record(p, dev) for p in people[:3]]
    assert api.push(dev, recs).outcomes == ["accepted"] * 3
    assert _claim(api, claims.REGISTRATION, [recs[0].id, recs[1].id], "ani") == sorted(
        [recs[0].id, recs[1].id]
    )
    # someone else's live claim is not taken over
    assert _claim(api, claims.REGISTRATION, [recs[0].id], "budi") == []
    for decision in ("verified", "rejected", "returned"):
        with pytest.raises(ApiError) as refused:
            _decide(api, recs[0].id, "budi", decision)
        assert refused.value.code == E.DECISION_CLAIMED
        assert refused.value.params["reviewer"] == "ani"
        assert "ani" in refused.value.message("en") and "ani" in refused.value.message("id")
    assert _status(api, recs[0].id) == "received"
    assert api.sql("select count(*) from review_decisions")[0][0] == 0
    _decide(api, recs[0].id, "ani")  # the holder decides
    assert _status(api, recs[0].id) == "verified"
    _decide(api, recs[2].id, "budi")  # unclaimed work: anyone
    assert _status(api, recs[2].id) == "verified"


def test_a_claim_expires_and_can_then_be_taken(api: Api, people: list) -> None:
    dev = api.enroll("320101")
    rec = api.record(people[0], dev)
    api.push(dev, [rec])
    assert _claim(api, claims.REGISTRATION, [rec.id], "ani", minutes=5) == [rec.id]
    api.clock.offset += timedelta(minutes=6)
    with db.transaction(api.ext.sessions) as s:
        assert claims.live(s, api.clock()) == []
    _decide(api, rec.id, "budi")  # expired: no longer refused
    assert _claim(api, claims.REGISTRATION, [rec.id], "budi") == [rec.id]


def test_a_group_claim_covers_every_member(api: Api, people: list) -> None:
    bogor, makassar = api.enroll("320101"), api.enroll("737101")
    first = api.record(people[0], bogor)
    api.push(bogor, [first])
    second = api.record(dict(people[0], phone="081299990000"), makassar)
    api.push(makassar, [second])
    gid = api.sql("select duplicate_group_id from registrations where id = :i", i=second.id)[0][0]
    assert gid is not None
    assert _claim(api, claims.GROUP, [str(gid)], "ani") == [str(gid)]
    for rid in (first.id, second.id):  # the primary too: it is a member of its NIK's group
        with pytest.raises(ApiError) as refused:
            _decide(api, rid, "budi", "rejected")
        assert refused.value.code == E.DECISION_CLAIMED
    _decide(api, second.id, "ani", "rejected")
    assert _status(api, second.id) == "rejected"


def test_a_batch_claim_takes_the_oldest_waiting_unclaimed_records(api: Api, people: list) -> None:
    dev = api.enroll("320101")
    recs = []
    for p in people[:6]:
        recs.append(api.record(p, dev))
        api.push(dev, [recs[-1]])
        api.clock.offset += timedelta(seconds=1)
    _claim(api, claims.REGISTRATION, [recs[0].id], "budi")
    with db.transaction(api.ext.sessions) as s:
        got = claims.claim_next_records(s, "ani", now=api.clock(), minutes=30, limit=3)
    assert sorted(got) == sorted(r.id for r in recs[1:4])
    with db.transaction(api.ext.sessions) as s:
        who = {(c.target, c.reviewer) for c in claims.live(s, api.clock())}
        assert claims.release(s, "ani") == 3
    assert who == {(recs[0].id, "budi"), *((r.id, "ani") for r in recs[1:4])}


def test_two_reviewers_claiming_at_once_get_it_once(api: Api, people: list) -> None:
    import threading

    dev = api.enroll("320101")
    recs = [api.record(p, dev) for p in people[:20]]
    api.push(dev, recs)
    ids = [r.id for r in recs]
    got: dict[str, list[str]] = {}
    start = threading.Barrier(2)

    def take(who: str) -> None:
        start.wait()
        got[who] = _claim(api, claims.REGISTRATION, ids, who)

    threads = [threading.Thread(target=take, args=(w,)) for w in ("ani", "budi")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(got["ani"] + got["budi"]) == sorted(ids)  # each record to exactly one
    assert not set(got["ani"]) & set(got["budi"])
    rows = api.sql("select target, reviewer from review_claims")
    assert len(rows) == 20 and {t: r for t, r in rows} == {
        **{t: "ani" for t in got["ani"]},
        **{t: "budi" for t in got["budi"]},
    }
