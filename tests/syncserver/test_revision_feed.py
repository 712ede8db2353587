"""A newer revision of a record reaches the devices that hold it (issue 12 finding 13): two
devices of one office, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from common.regcode import make_code
from tests.syncserver.conftest import Api, Device


def _record_of(api: Api, applicant: dict[str, Any], dev: Device, n: int) -> Any:
    """A record of ``dev`` (its own code: a new registration with a pre-enrollment code is
    refused since issue 13); every device of the office may push a revision of it with that
    code, which is how two devices of one office come to hold (and revise) it."""
    return api.record(applicant, dev, code=make_code(dev.office_code, dev.device_no, n))


def _changes(api: Api, dev: Device, cursor: str = "") -> tuple[list[dict[str, Any]], str]:
    r = api.pull(dev, cursor)
    assert r.status_code == 200, r.data
    body = r.get_json()
    return body["changes"], body["cursor"]


def test_a_device_learns_of_the_revision_another_device_made(api: Api, people: list[dict]) -> None:
    first, second = api.enroll("320101", "PC 1"), api.enroll("320101", "PC 2")
    bystander, elsewhere = api.enroll("320101", "PC 3"), api.enroll("737101", "Laptop")
    rec = _record_of(api, people[0], first, 1)
    assert api.push(first, [rec]).outcomes == ["accepted"]
    seen, cursor = _changes(api, first)
    assert [c for c in seen if c["registration_id"] == rec.id] == []  # its own first revision
    edited = dict(people[0], phone="081299990000")
    rev2 = api.record(edited, second, id=rec.id, code=rec.code, revision=2, base_revision=1)
    assert api.push(second, [rev2]).outcomes == ["accepted"]

    got, cursor = _changes(api, first, cursor)
    assert [(c["kind"], c["registration_id"], c["revision"], c["status"]) for c in got] == [
        ("revision", rec.id, 2, "received")
    ]
    assert got[0]["data"] == {
        "applicant": edited,
        "content_hash": rev2.content_hash,
        "operator": "petugas",
    }
    # only the devices holding the record are told; another office never
    assert [c["kind"] for c in _changes(api, bystander)[0]] == []
    assert [c["kind"] for c in _changes(api, elsewhere)[0]] == []

    # and the other way round: the first device's next revision reaches the second
    _, cursor2 = _changes(api, second)
    rev3 = api.record(
        dict(edited, street="Jl. Baru 3"),
        first,
        id=rec.id,
        code=rec.code,
        revision=3,
        base_revision=2,
    )
    assert api.push(first, [rev3]).outcomes == ["accepted"]
    got, _ = _changes(api, second, cursor2)
    assert [(c["registration_id"], c["revision"]) for c in got] == [(rec.id, 3)]
    assert got[0]["data"]["applicant"]["street"] == "Jl. Baru 3"


def test_a_revision_flagged_in_the_office_says_so_and_a_refused_one_is_not_announced(
    api: Api, people: list[dict]
) -> None:
    first, second = api.enroll("320101", "PC 1"), api.enroll("320101", "PC 2")
    a, rec = api.record(people[1], first), _record_of(api, people[0], first, 1)
    api.push(first, [a, rec])
    _, cursor = _changes(api, first)
    dup = api.record(people[1], second, id=rec.id, code=rec.code, revision=2, base_revision=1)
    assert api.push(second, [dup]).outcomes == ["duplicate_nik"]
    stale = api.record(
        dict(people[0], rt="001"), second, id=rec.id, code=rec.code, revision=2, base_revision=1
    )
    assert api.push(second, [stale]).outcomes == ["conflict"]
    got, _ = _changes(api, first, cursor)
    assert [(c["revision"], c["status"], c["duplicate_of"]) for c in got] == [
        (2, "potential_duplicate", a.code)
    ]


def test_a_record_the_nik_passed_to_is_told_it_stands_on_its_own(
    api: Api, people: list[dict]
) -> None:
    first, second = api.enroll("320101", "PC 1"), api.enroll("320101", "PC 2")
    a = api.record(people[0], first)
    api.push(first, [a])
    b = api.record(dict(people[0], phone="081299990000"), second)
    assert api.push(second, [b]).outcomes == ["duplicate_nik"]
    _, cursor = _changes(api, second)
    moved = api.record(people[1], first, id=a.id, code=a.code, revision=2, base_revision=1)
    assert api.push(first, [moved]).outcomes == ["accepted"]
    got, _ = _changes(api, second, cursor)
    assert [(c["registration_id"], c["revision"], c["status"], c["duplicate_of"]) for c in got] == [
        (b.id, 1, "received", None)
    ]
