"""Issue 12, findings 2 and 5, on SQLite and PostgreSQL.

2: a decision names the revision the reviewer saw; a device's newer revision refuses it with
what changed, and nothing is written (one record, a bulk, a duplicate group's resolution).
5: a province-limited reviewer sees a duplicate group's members outside their provinces
masked and cannot decide them, but can act on the members inside, even when the group's
first registration is elsewhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.record import content_hash
from syncserver import db
from syncserver.users import add_user
from tests.syncserver.console.conftest import PASSWORD, open_session, post, token


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'loket-server.db'}"
    return str(request.getfixturevalue("pg_database"))


def applicant_of(api: Any, rid: str) -> dict[str, Any]:
    raw = api.sql("select applicant from registrations where id = :i", i=rid)[0][0]
    return dict(json.loads(raw) if isinstance(raw, str) else raw)


def push_revision_2(api: Any, device: Any, rid: str, **changes: Any) -> None:
    """The office's device sends revision 2 of ``rid`` (another person, perhaps)."""
    applicant = {**applicant_of(api, rid), **changes}
    code = api.sql("select code from registrations where id = :i", i=rid)[0][0]
    rec = api.record(
        applicant,
        device,
        id=rid,
        code=code,
        revision=2,
        base_revision=1,
        content_hash=content_hash(applicant),
    )
    pushed = api.push(device, [rec])
    assert pushed.status == 200 and pushed.outcomes[0] in ("accepted", "duplicate_nik"), pushed


def form_revisions(page: str) -> dict[str, str]:
    """The hidden revision fields of a page: ``revision`` and ``rev-<id>``."""
    return dict(re.findall(r'name="(revision|rev-[^"]+)" value="(\d+)"', page))


def decisions(api: Any) -> int:
    return int(api.sql("select count(*) from review_decisions")[0][0])


def test_a_decision_on_a_revision_never_seen_is_refused_with_the_changes(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    rid = seeded.ids[0]
    page = c.get(f"/console/records/{rid}").get_data(as_text=True)
    seen = form_revisions(page)
    assert seen == {"revision": "1"}
    push_revision_2(api, seeded.devices["320101"], rid, mother_maiden_name="Orang Lain Sekali")

    r = post(c, f"/console/records/{rid}/decide", {"action": "verified", **seen})
    body = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "DECISION_STALE_REVISION" in body
    assert "revisi 1, sekarang 2" in body and "keputusan tidak disimpan" in body
    assert re.search(
        r'Nama ibu kandung</th>\s*<td class="del">[^<]*</td><td class="ins">Orang Lain Sekali', body
    )
    assert decisions(api) == 0
    assert api.sql("select status, revision from registrations where id = :i", i=rid)[0] == (
        "received",
        2,
    )
    assert api.sql("select count(*) from changes where kind = 'decision'")[0][0] == 0

    # a decision without a revision is refused too, with a code
    r = post(c, f"/console/records/{rid}/decide", {"action": "verified"})
    assert r.status_code == 422 and "DECISION_REVISION_REQUIRED" in r.get_data(as_text=True)
    assert decisions(api) == 0

    # having seen revision 2, the reviewer decides on it
    seen = form_revisions(c.get(f"/console/records/{rid}").get_data(as_text=True))
    assert seen == {"revision": "2"}
    r = post(c, f"/console/records/{rid}/decide", {"action": "verified", **seen})
    assert r.status_code == 303
    assert api.sql("select revision, decision from review_decisions")[0] == (2, "verified")


def test_the_database_refuses_a_stale_revision_whatever_the_caller(api: Any, seeded: Any) -> None:
    from common import errors as E
    from common.errors import ApiError

    rid = seeded.ids[1]
    push_revision_2(api, seeded.devices["320101"], rid, phone="081277776666")
    from syncserver.decisions import record_decision

    # not through db.transaction(): a frozen ApiError cannot pass a @contextmanager's exit
    with api.ext.sessions() as s, pytest.raises(ApiError) as err:
        record_decision(s, rid, "verified", "reviewer1", seen_revision=1)
    assert err.value.code == E.DECISION_STALE_REVISION
    assert err.value.details["current_revision"] == 2
    assert decisions(api) == 0
    assert api.decide(rid, "verified").revision == 2  # the helper decides what it just read


def test_a_bulk_with_a_stale_record_is_refused_as_a_whole(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    page = c.get("/console/records/?status=received").get_data(as_text=True)
    seen = form_revisions(page)
    ids = seeded.ids[:4]
    assert all(seen[f"rev-{i}"] == "1" for i in ids)
    stale_id = ids[2]
    push_revision_2(api, seeded.devices["320101"], stale_id, street="Jl. Baru Sekali No. 1")
    code = api.sql("select code from registrations where id = :i", i=stale_id)[0][0]

    r = c.post(
        "/console/decisions/bulk",
        data={
            "ids": ids,
            "action": "verified",
            "back": "/console/records/",
            "csrf_token": token(c, "/console/records/"),
            **{f"rev-{i}": seen[f"rev-{i}"] for i in ids},
        },
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 409 and "DECISION_STALE_REVISION" in body
    assert code in body and "Jl. Baru Sekali No. 1" in body
    assert body.count('class="stale-record"') == 1  # only the stale one is named
    assert decisions(api) == 0
    assert {
        s
        for (s,) in api.sql(
            "select status from registrations where id in (:a, :b, :c, :d)",
            a=ids[0],
            b=ids[1],
            c=ids[2],
            d=ids[3],
        )
    } == {"received"}


def group_id(api: Any, kind: str) -> int:
    return int(api.sql("select id from duplicate_groups where kind = :k", k=kind)[0][0])


def test_a_group_resolution_with_a_stale_member_is_refused(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    a, b, third = seeded.kk_ids
    group = group_id(api, "kk")
    seen = form_revisions(c.get(f"/console/duplicates/{group}").get_data(as_text=True))
    assert {f"rev-{i}" for i in seeded.kk_ids} <= set(seen)
    push_revision_2(api, seeded.devices["320101"], a, motivation="Sudah diganti oleh orang lain")

    r = c.post(
        f"/console/duplicates/{group}/resolve",
        data={
            "action": "kk_keep",
            "ids": [b, third],
            "csrf_token": token(c, "/console/"),
            **seen,
        },
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 409 and "DECISION_STALE_REVISION" in body
    assert "Sudah diganti oleh orang lain" in body
    assert decisions(api) == 0
    assert api.sql("select resolved_at from duplicate_groups where id = :g", g=group)[0][0] is None
    assert api.sql("select count(*) from audit_log where action like 'duplicates.%'")[0][0] == 0


@pytest.fixture
def sulsel(app: Flask) -> FlaskClient:
    """A reviewer for South Sulawesi (73) only, signed in."""
    ext = app.extensions["loket"]
    with db.transaction(ext.sessions) as s:
        add_user(s, "sulsel", PASSWORD, "reviewer", ["73"])
    return open_session(app, "sulsel")


@pytest.fixture
def mixed(api: Any, seeded: Any) -> tuple[int, list[str]]:
    """The seeded NIK group (two registrations living in West Java, 32) and a third one of the
    same NIK living in South Sulawesi (73), pushed by the Makassar device."""
    first = seeded.dup_ids[0]
    applicant = {
        **applicant_of(api, first),
        "street": "Jl. Pelabuhan Makassar No. 7",
        "rt": "014",
        "rw": "010",
        "village_code": "73.06.08.1002",
        "postal_code": "47116",
        "phone": "081355554444",
    }
    rec = api.record(applicant, seeded.devices["737101"])
    # another office holds the NIK: the device is answered as for a fresh one (finding 4),
    # the record is flagged into the group all the same
    assert api.push(seeded.devices["737101"], [rec]).outcomes == ["accepted"]
    assert api.sql("select province_code from registrations where id = :i", i=rec.id)[0][0] == "73"
    return group_id(api, "nik"), [*seeded.dup_ids, rec.id]


def test_members_outside_the_reviewers_provinces_are_masked_and_cannot_be_decided(
    signed_in: dict[str, Any], api: Any, mixed: tuple[int, list[str]], sulsel: FlaskClient
) -> None:
    group, (first, second, third) = mixed  # first, second: West Java; third: South Sulawesi
    one, two, three = (applicant_of(api, i) for i in (first, second, third))

    # West Java sees its own members, the South Sulawesi one masked
    jabar = signed_in["jabar"]
    page = jabar.get(f"/console/duplicates/{group}").get_data(as_text=True)
    assert one["street"] in page and two["street"] in page
    assert three["phone"] not in page and three["street"] not in page and third not in page
    assert "Pendaftaran di provinsi lain" in page
    queue = jabar.get("/console/duplicates/").get_data(as_text=True)
    assert third not in queue and three["phone"] not in queue
    assert "Pendaftaran di provinsi lain" in queue

    # South Sulawesi: the group's first registration is elsewhere, the group is still theirs
    page = sulsel.get(f"/console/duplicates/{group}").get_data(as_text=True)
    assert three["street"] in page and three["phone"] in page
    for other, rid in ((one, first), (two, second)):
        assert other["phone"] not in page and other["street"] not in page and rid not in page
    assert page.count("Pendaftaran di provinsi lain") >= 2
    queue = sulsel.get("/console/duplicates/").get_data(as_text=True)
    assert f"/console/duplicates/{group}" in queue and one["street"] not in queue
    assert first not in queue and second not in queue
    assert sulsel.get(f"/console/records/{first}").status_code == 403

    # deciding a member elsewhere is refused (a forged tick); a resolution by a reviewer
    # limited to some provinces decides their own members only (issue 14 defect 3:
    # tests/browser/test_console_rules.py), never the masked ones
    revs = {f"rev-{i}": "1" for i in (first, second, third)}
    for who, data in (
        (sulsel, {"action": "different_people", "ids": [first], "note": "cek"}),
        (sulsel, {"action": "different_people", "ids": [third, second], "note": "cek"}),
        (jabar, {"action": "different_people", "ids": [third], "note": "cek"}),
    ):
        r = post(who, f"/console/duplicates/{group}/resolve", {**data, **revs})
        assert r.status_code == 403, data
        assert "DECISION_OUT_OF_SCOPE" in r.get_data(as_text=True)
    r = post(
        jabar,
        f"/console/records/{third}/decide",
        {"action": "returned", "note": "x", "revision": "1"},
    )
    assert r.status_code == 403 and "DECISION_OUT_OF_SCOPE" in r.get_data(as_text=True)
    assert decisions(api) == 0
    assert api.sql("select resolved_at from duplicate_groups where id = :g", g=group)[0][0] is None

    # their own member they can decide, though the group's first registration is elsewhere
    r = post(
        sulsel,
        f"/console/duplicates/{group}/resolve",
        {"action": "different_people", "ids": [third], "note": "Periksa NIK pada KTP", **revs},
    )
    assert r.status_code == 303
    assert api.sql("select registration_id, decision from review_decisions") == [
        (third, "returned")
    ]


@pytest.mark.parametrize("digit", ["²", "٣", "９"])
def test_digits_of_another_script_in_a_form_or_a_query_are_refused_not_crashed(
    signed_in: dict[str, Any], api: Any, seeded: Any, digit: str
) -> None:
    """``"²".isdigit()`` is true and ``int("²")`` raises: every number the console reads
    from a form, a query or a cursor takes ASCII digits only, and anything else is an
    ordinary refusal (never a 500)."""
    c = signed_in["reviewer"]
    rid = seeded.ids[0]
    r = post(c, f"/console/records/{rid}/decide", {"action": "verified", "revision": digit})
    assert r.status_code == 422 and "DECISION_REVISION_REQUIRED" in r.get_data(as_text=True)
    assert decisions(api) == 0
    assert c.get(f"/console/records/?province=3{digit}").status_code == 200
    admin = signed_in["admin"]
    assert admin.get(f"/console/bundles/?after=20260101T000000.000000~1{digit}").status_code in (
        200,
        400,
    )
