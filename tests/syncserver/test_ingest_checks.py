"""What ingest checks before it stores a record (issue 12, findings 3, 8 and 15): bounds of
every list and string, values the columns of both databases hold, the registration code of
the pushing device, contiguous revisions, the content hash, strict JSON types. Runs on
SQLite and PostgreSQL: the two must agree (a value one stores and the other refuses was a
500 on PostgreSQL that blocked the batch forever)."""

from __future__ import annotations

import uuid

import pytest

from common import errors as E
from common import protocol as P
from common import wire
from common.record import content_hash
from common.regcode import make_code
from tests.syncserver.conftest import Api, dump_tables


def _raw_push(api: Api, dev, records: list[dict]) -> tuple[int, dict]:
    body = {
        "device_id": dev.id,
        "office_code": dev.office_code,
        "batch_id": str(uuid.uuid4()),
        "records": records,
    }
    r = api.push_raw(dev, wire.compress(wire.dumps(body)), "zstd")
    return r.status_code, wire.loads(wire.decompress(r.data, r.headers.get("Content-Encoding")))


# --- finding 8: values both schemas hold, refused with a 4xx and a code ----------------
@pytest.mark.parametrize(
    "over",
    [
        {"id": "a" * 37},  # registrations.id is VARCHAR(36)
        {"id": "a" * 64},
        {"revision": 2**31},  # INTEGER
        {"revision": 2**63},
        {"revision": 2**31, "base_revision": 2**31 - 1},
        {"base_revision": -1},
        {"code": "3" * 33},
        {"operator": "o" * 101},
        {"content_hash": "a" * 65},
        {"device_time": "2026-01-05T09:00:00" + "0" * 40},
        {"channel": "c" * 17},
    ],
    ids=lambda o: ",".join(f"{k}={str(v)[:12]}" for k, v in o.items()),
)
def test_values_no_column_holds_are_a_4xx_with_a_code_and_change_nothing(
    api: Api, people: list[dict], over: dict
) -> None:
    dev = api.enroll()
    before = dump_tables(api.ext.engine)
    rec = {**wire.loads(wire.dumps(api.record(people[0], dev))), **over}
    status, body = _raw_push(api, dev, [wire.loads(wire.dumps(api.record(people[1], dev))), rec])
    assert 400 <= status < 500 and body["code"] == E.SCHEMA_VIOLATION, (status, body)
    assert dump_tables(api.ext.engine) == before


def test_a_device_time_outside_the_years_both_databases_agree_on_is_invalid(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll()
    recs = [
        api.record(people[0], dev, device_time="0001-01-01T00:00:00+14:00"),
        api.record(people[1], dev, device_time="9999-12-31T23:59:59-12:00"),
    ]
    got = api.push(dev, recs)
    assert got.status == 200 and got.outcomes == ["invalid", "invalid"]
    assert all(r.errors == [E.DATE_INVALID] for r in got.response.results)
    assert api.sql("SELECT count(*) FROM registrations")[0][0] == 0


# --- finding 3: bounds bite before per-element work --------------------------------------
def test_a_huge_list_in_the_applicant_is_refused_by_its_length(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll()
    rec = api.record(dict(people[0], skills=["las"] * 100_000), dev)
    got = api.push(dev, [rec])
    assert got.outcomes == ["invalid"]
    assert got.response.results[0].errors == [E.TOO_MANY_ITEMS]


def test_a_body_of_millions_of_values_is_refused_before_parsing(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll()
    rec = wire.loads(wire.dumps(api.record(people[0], dev)))
    rec["applicant"]["motivation"] = [[]] * (P.MAX_JSON_VALUES + 1)
    status, body = _raw_push(api, dev, [rec])
    assert status == 413 and body["code"] == E.JSON_TOO_COMPLEX
    # the records list: over the batch limit before any record is looked at
    status, body = _raw_push(api, dev, [0] * (P.MAX_BATCH_RECORDS + 1))
    assert status == 413 and body["code"] == E.BATCH_TOO_LARGE


def test_an_applicant_with_many_keys_is_refused_and_problems_are_capped(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll()
    too_many = dict(people[0], **{f"x{i}": "y" for i in range(P.MAX_APPLICANT_KEYS)})
    status, body = _raw_push(api, dev, [wire.loads(wire.dumps(api.record(too_many, dev)))])
    assert status == 400 and body["code"] == E.SCHEMA_VIOLATION
    # within the key bound but wrong everywhere: at most MAX_RECORD_ERRORS codes
    wrong = {f"x{i}": "y" for i in range(P.MAX_APPLICANT_KEYS - 1)}
    got = api.push(dev, [api.record(wrong, dev)])
    assert got.outcomes == ["invalid"]
    assert 0 < len(got.response.results[0].errors) <= P.MAX_RECORD_ERRORS


# --- finding 15: code, revisions, hash, types ---------------------------------------------
def test_a_code_not_of_the_pushing_device_is_refused(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    other_office = api.enroll("327101", "PC Bogor kota")
    same_office = api.enroll()  # device_no 2 of the same office
    codes = [
        make_code(other_office.office_code, other_office.device_no, 7),  # another office
        make_code(dev.office_code, same_office.device_no, 7),  # another device of the office
        "bukan kode",  # any text
        make_code(dev.office_code, dev.device_no, 7)[:-1] + "0",  # wrong check character
        " " + make_code(dev.office_code, dev.device_no, 7),  # not canonical
        make_code(dev.office_code, dev.device_no, 7).replace("7", "\u0667"),  # Arabic-Indic 7
    ]
    recs = [api.record(people[i], dev, code=c) for i, c in enumerate(codes)]
    # made before the device was enrolled (device 000, office set up or not yet): two devices
    # working offline first gave the same code to two applicants (issue 13 defect 2)
    unenrolled = [make_code(dev.office_code, 0, 9), make_code("000000", 0, 10)]
    early = [api.record(people[20 + i], dev, code=c) for i, c in enumerate(unenrolled)]
    good = api.record(people[10], dev, code=make_code(dev.office_code, dev.device_no, 8))
    got = api.push(dev, [*recs, *early, good])
    assert got.outcomes == ["invalid"] * (len(codes) + len(early)) + ["accepted"]
    assert all(
        r.errors == [E.REGISTRATION_CODE_INVALID] for r in got.response.results[: len(codes)]
    )
    assert all(
        r.errors == [E.REGISTRATION_CODE_UNENROLLED] for r in got.response.results[len(codes) : -1]
    )
    assert api.sql("SELECT code FROM registrations") == [(good.code,)]


def test_a_pre_enrollment_code_is_refused_from_every_device_even_when_unused(
    api: Api, people: list[dict]
) -> None:
    """No device may bring a new registration with a ``-000-`` code, not even the first one
    to send it: the other device holding the same code may simply not have synced yet."""
    first, second = api.enroll(), api.enroll()
    code = make_code("000000", 0, 1)
    for i, dev in enumerate((first, second)):
        got = api.push(dev, [api.record(people[i], dev, code=code)])
        assert got.outcomes == ["invalid"]
        assert got.response.results[0].errors == [E.REGISTRATION_CODE_UNENROLLED]
    assert api.sql("SELECT count(*) FROM registrations")[0][0] == 0


def test_a_registration_received_with_a_pre_enrollment_code_keeps_it(
    api: Api, people: list[dict]
) -> None:
    """A registration stored before the check (an older server accepted ``-000-`` codes)
    keeps its code: its corrections carry exactly that code and are accepted; a resend of
    what was received is still ``already_received``."""
    dev = api.enroll()
    rec = api.record(people[0], dev)
    assert api.push(dev, [rec]).outcomes == ["accepted"]
    legacy = make_code("000000", 0, 1)
    with api.ext.engine.begin() as conn:  # as an older server stored it
        from sqlalchemy import text

        conn.execute(text("UPDATE registrations SET code = :c"), {"c": legacy})
    again = api.record(people[0], dev, id=rec.id, code=legacy)
    assert api.push(dev, [again]).outcomes == ["already_received"]
    edited = dict(people[0], phone="081299990000")
    fix = api.record(edited, dev, id=rec.id, code=legacy, revision=2, base_revision=1)
    assert api.push(dev, [fix]).outcomes == ["accepted"]
    assert api.sql("SELECT code, revision FROM registrations") == [(legacy, 2)]


def test_a_revision_never_changes_the_registration_code(api: Api, people: list[dict]) -> None:
    """A printed code stays the record's for good: a revision with another valid code (the
    pushing device's own) is a conflict, enforced in the compare-and-set."""
    first, second = api.enroll(), api.enroll()
    rec = api.record(people[0], first)
    assert api.push(first, [rec]).outcomes == ["accepted"]
    edited = dict(people[0], phone="081299990000")
    for dev in (first, second):
        renamed = api.record(
            edited,
            dev,
            id=rec.id,
            code=make_code(dev.office_code, dev.device_no, 5),
            revision=2,
            base_revision=1,
        )
        assert api.push(dev, [renamed]).outcomes == ["conflict"]
    assert api.sql("SELECT code, revision FROM registrations") == [(rec.code, 1)]
    same = api.record(edited, second, id=rec.id, code=rec.code, revision=2, base_revision=1)
    assert api.push(second, [same]).outcomes == ["accepted"]


def test_a_new_record_must_be_revision_1(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    got = api.push(dev, [api.record(people[0], dev, revision=5, base_revision=4)])
    assert got.outcomes == ["invalid"]
    assert got.response.results[0].errors == [E.REVISION_NOT_CONTIGUOUS]
    assert api.sql("SELECT count(*) FROM registrations")[0][0] == 0


def test_an_update_must_be_exactly_the_next_revision(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    assert api.push(dev, [rec]).outcomes == ["accepted"]
    v = dict(people[0], street="Jl. Lompat No. 9")
    jump = api.record(v, dev, id=rec.id, code=rec.code, revision=2**31 - 1, base_revision=1)
    got = api.push(dev, [jump])
    assert got.outcomes == ["conflict"]
    result = got.response.results[0]
    assert result.errors == [E.REVISION_NOT_CONTIGUOUS] and result.server_revision == 1
    assert api.sql("SELECT revision FROM registrations") == [(1,)]
    nxt = api.record(v, dev, id=rec.id, code=rec.code, revision=2, base_revision=1)
    assert api.push(dev, [nxt]).outcomes == ["accepted"]


def test_a_content_hash_that_does_not_match_is_refused(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    lying = api.record(people[0], dev, content_hash=content_hash(people[1]))
    honest = api.record(people[2], dev)
    got = api.push(dev, [lying, honest])
    assert got.outcomes == ["invalid", "accepted"]
    assert got.response.results[0].errors == [E.CONTENT_HASH_MISMATCH]
    stored = api.sql("SELECT content_hash FROM registration_revisions")
    assert stored == [(content_hash(people[2]),)]


@pytest.mark.parametrize(
    "over",
    [
        {"nik": 3201011203900001},  # a JSON number where the schema says text
        {"phone": 81234567890},
        {"rt": 1},
        {"declaration_not_excluded": "ya"},  # a text where it says true/false
        {"consent_given": 1},
        {"skills": "las;jahit"},  # a text where it says a list
        {"sex": 1},
    ],
    ids=lambda o: ",".join(o),
)
def test_a_value_of_the_wrong_json_type_is_invalid(
    api: Api, people: list[dict], over: dict
) -> None:
    dev = api.enroll()
    got = api.push(dev, [api.record(dict(people[0], **over), dev)])
    assert got.outcomes == ["invalid"], got.body
    assert E.SCHEMA_VIOLATION in got.response.results[0].errors
    assert api.sql("SELECT count(*) FROM registrations")[0][0] == 0
