"""A revision made without knowing a reviewer's decision never silently undoes it
(docs/ARCHITECTURE.md, promise 4).

The case the fault suite found: the device's first push loses its answer, a reviewer verifies
the record, the clerk (who still sees it as "saved") edits it. Revision 2 must be a conflict,
the decision must stand, and the device learns it on its next pull. A record returned for
correction still takes its correction as the next revision.
"""

from __future__ import annotations

import dataclasses

import pytest

from common import protocol as P
from common.record import content_hash


def _revision_2(rec, applicant):
    return dataclasses.replace(
        rec, revision=2, base_revision=1, applicant=applicant, content_hash=content_hash(applicant)
    )


@pytest.mark.parametrize("decision", ["verified", "rejected"])
def test_a_revision_after_a_decision_is_a_conflict(api, people, decision) -> None:
    dev = api.enroll("320101")
    rec = api.record(people[0], dev)
    assert api.push(dev, [rec]).outcomes == ["accepted"]  # the device never saw this answer
    api.decide(rec.id, decision, reason="not_eligible" if decision == "rejected" else "")
    edited = dict(people[0], street="Jl. Baru No. 1")
    pushed = api.push(dev, [_revision_2(rec, edited)])
    assert pushed.outcomes == ["conflict"]
    result = pushed.response.results[0]
    assert result.status.value == decision and result.server_revision == 1
    assert api.sql("select status, revision from registrations where id = :id", id=rec.id) == [
        (decision, 1)
    ]
    assert api.sql(
        "select count(*) from registration_revisions where registration_id = :id", id=rec.id
    ) == [(1,)]
    pulled = P.decode(P.PullResponse, api.pull(dev).get_json())
    assert [(c.registration_id, c.status.value) for c in pulled.changes] == [(rec.id, decision)]


def test_a_returned_record_takes_its_correction(api, people) -> None:
    dev = api.enroll("320101")
    rec = api.record(people[1], dev)
    assert api.push(dev, [rec]).outcomes == ["accepted"]
    api.decide(rec.id, "returned", note="RT salah")
    pushed = api.push(dev, [_revision_2(rec, dict(people[1], rt="7"))])
    assert pushed.outcomes == ["accepted"]
    assert api.sql("select status, revision from registrations where id = :id", id=rec.id) == [
        ("received", 2)
    ]
