"""A correction after sync (issue 13: "a typo noticed minutes after saving cannot be corrected
once synced"): the device sends the corrected record as the next revision, and the server
accepts it while no reviewer has decided (``received``, ``potential_duplicate``,
``returned``); once a reviewer verified or rejected the record, a revision is a
``conflict`` with the decided status and nothing changes (the decision stands). Both
backends."""

from __future__ import annotations

import pytest

from tests.syncserver.conftest import Api


def _fix(api: Api, dev, person: dict, rid: str, revision: int):
    edited = dict(person, street=f"Jl. Melati No. {revision}")
    return api.record(edited, dev, id=rid, revision=revision, base_revision=revision - 1)


def test_a_received_record_takes_corrections_until_a_reviewer_decides(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    assert api.push(dev, [rec]).outcomes == ["accepted"]
    got = api.push(dev, [_fix(api, dev, people[0], rec.id, 2)])  # minutes later: a typo
    assert got.outcomes == ["accepted"] and got.response.results[0].status.value == "received"
    fixed = _fix(api, dev, people[0], rec.id, 2)
    assert api.sql("SELECT revision, content_hash FROM registrations") == [(2, fixed.content_hash)]
    # a possible duplicate is undecided too: its correction is accepted (still flagged)
    same = {k: people[0][k] for k in ("nik", "birth_date", "sex")}
    twin = api.record(dict(people[1], **same), dev)
    assert api.push(dev, [twin]).outcomes == ["duplicate_nik"]
    fix = api.record(
        dict(people[1], **same, street="Jl. Anggrek 3"),
        dev,
        id=twin.id,
        revision=2,
        base_revision=1,
    )
    assert api.push(dev, [fix]).outcomes == ["duplicate_nik"]


@pytest.mark.parametrize("decision", ["verified", "rejected"])
def test_a_decided_record_refuses_a_correction(api: Api, people: list[dict], decision: str) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    assert api.push(dev, [rec]).outcomes == ["accepted"]
    kw = {"reason": "not_eligible"} if decision == "rejected" else {}
    api.decide(rec.id, decision, **kw)
    got = api.push(dev, [_fix(api, dev, people[0], rec.id, 2)])
    result = got.response.results[0]
    assert got.outcomes == ["conflict"] and result.status.value == decision
    assert result.server_revision == 1
    assert api.sql("SELECT revision, status FROM registrations") == [(1, decision)]


def test_a_returned_record_takes_its_correction(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    assert api.push(dev, [rec]).outcomes == ["accepted"]
    api.decide(rec.id, "returned", note="Alamat salah")
    assert api.push(dev, [_fix(api, dev, people[0], rec.id, 2)]).outcomes == ["accepted"]
    assert api.sql("SELECT revision, status FROM registrations") == [(2, "received")]
