"""Least access on the sync API (docs/ARCHITECTURE.md, promise 6): a device acts only for its own office.

Every cross-office path is tried with a real credential of office A against office B's data;
each is refused, leaks nothing of B, and changes nothing (full table dumps compared).
"""

from __future__ import annotations

import dataclasses

from common import errors as E
from common import protocol as P
from common.record import content_hash
from common.regcode import make_code
from tests.syncserver.conftest import dump_tables


def _two_offices(api, people):
    a = api.enroll("320101", "PC Bogor")
    b = api.enroll("317101", "PC Jakarta Pusat")
    rec_b = api.record(people[0], b)
    assert api.push(b, [rec_b]).outcomes == ["accepted"]
    return a, b, rec_b


def test_a_device_cannot_push_for_another_office(api, people) -> None:
    a, b, _ = _two_offices(api, people)
    before = dump_tables(api.ext.engine)
    body = api.body(a, [api.record(people[1], a)])
    body["office_code"] = b.office_code
    pushed = api.push(a, [], body=body)
    assert pushed.status == 403 and pushed.body["code"] == "DEVICE_MISMATCH"
    body = api.body(a, [api.record(people[1], a)])
    body["device_id"] = b.id  # speaking for another device of any office
    pushed = api.push(a, [], body=body)
    assert pushed.status == 403 and pushed.body["code"] == "DEVICE_MISMATCH"
    assert dump_tables(api.ext.engine) == before


def test_a_device_cannot_overwrite_another_offices_record(api, people) -> None:
    a, b, rec_b = _two_offices(api, people)
    before = dump_tables(api.ext.engine)
    # A learned B's record id (a leaked receipt, a stolen log) and sends "revision 2" of it
    forged = dataclasses.replace(
        rec_b,
        code=make_code(a.office_code, a.device_no, 99),  # B's own code is refused up front
        revision=2,
        base_revision=1,
        applicant=people[2],
        content_hash=content_hash(people[2]),
    )
    pushed = api.push(a, [forged])
    assert pushed.outcomes == ["conflict"]
    result = pushed.response.results[0]
    # nothing about B's record is revealed: no status, no revision, no duplicate code
    assert (result.status, result.server_revision, result.duplicate_of) == (None, None, None)
    after = dump_tables(api.ext.engine)
    for table in ("registrations", "registration_revisions", "nik_primaries", "kk_slots"):
        assert after[table] == before[table], table


def test_a_replayed_foreign_record_reveals_nothing(api, people) -> None:
    a, b, rec_b = _two_offices(api, people)
    pushed = api.push(a, [rec_b])  # B's exact record, sent with A's credential
    # B's code is not A's: refused before the record is looked up (nothing to reveal)
    assert pushed.outcomes == ["invalid"]
    assert pushed.response.results[0].errors == [E.REGISTRATION_CODE_INVALID]
    # with a code of A's, the record is found to be another office's: conflict, nothing said
    pushed = api.push(
        a, [dataclasses.replace(rec_b, code=make_code(a.office_code, a.device_no, 98))]
    )
    assert pushed.outcomes == ["conflict"]
    result = pushed.response.results[0]
    assert (result.status, result.server_revision, result.duplicate_of) == (None, None, None)
    assert api.sql(
        "select office_code, device_id from registrations where id = :id", id=rec_b.id
    ) == [(b.office_code, b.id)]


def test_a_device_pulls_only_its_own_offices_decisions(api, people) -> None:
    a, b, rec_b = _two_offices(api, people)
    rec_a = api.record(people[3], a)
    assert api.push(a, [rec_a]).outcomes == ["accepted"]
    api.decide(rec_b.id, "returned", note="rahasia kantor B")
    api.decide(rec_a.id, "verified")
    seen_by_a = P.decode(P.PullResponse, api.pull(a).get_json())
    assert [c.registration_id for c in seen_by_a.changes] == [rec_a.id]
    seen_by_b = P.decode(P.PullResponse, api.pull(b).get_json())
    assert [c.registration_id for c in seen_by_b.changes] == [rec_b.id]
    # a cursor taken from B's feed does not open B's changes to A
    leaked_cursor = api.pull(a, cursor="0").get_json()
    assert all(c["registration_id"] != rec_b.id for c in leaked_cursor["changes"])


def test_a_stolen_credential_with_a_wrong_secret_is_refused(api, people) -> None:
    a, b, _ = _two_offices(api, people)
    forged = dataclasses.replace(b, credential=b.id + "." + a.credential.split(".", 1)[1])
    r = api.pull(forged)
    assert r.status_code == 401 and r.get_json()["code"] == "AUTH_INVALID"
