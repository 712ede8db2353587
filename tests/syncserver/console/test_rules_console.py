"""Issue 14 in the console, on both backends: a verification the programme's rules forbid is
refused with the verified registration named and the group offered to reopen (defect 1);
no registration waits in a resolved group (defect 2); a reviewer limited to provinces acts
on their own members of a group whose first registration is elsewhere (defect 3); family-card
groups list every member and offer return for correction (defect 9)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.record import content_hash
from syncserver import db
from syncserver.users import add_user
from tests.syncserver.console.conftest import PASSWORD, open_session, post, rev, revs
from tests.syncserver.console.test_stale_and_scope import applicant_of


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'loket-server.db'}"
    return str(request.getfixturevalue("pg_database"))


def group_of(api: Any, kind: str) -> int:
    return int(api.sql("select id from duplicate_groups where kind = :k", k=kind)[0][0])


def code_of(api: Any, rid: str) -> str:
    return str(api.sql("select code from registrations where id = :i", i=rid)[0][0])


def status_of(api: Any, rid: str) -> str:
    return str(api.sql("select status from registrations where id = :i", i=rid)[0][0])


def is_open(api: Any, group: int) -> bool:
    got = api.sql("select resolved_at from duplicate_groups where id = :g", g=group)
    return got[0][0] is None


def open_groups_tile(client: FlaskClient) -> int:
    page = client.get("/console/").get_data(as_text=True)
    found = re.search(r'class="tile warn"[^>]*><b>([\d.,]+)</b>', page)
    assert found, "no open-groups tile"
    return int(re.sub(r"\D", "", found.group(1)))


def test_a_rejected_duplicate_verified_from_its_record_page_is_refused(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    first, second = seeded.dup_ids
    group = group_of(api, "nik")
    r = post(
        c,
        f"/console/duplicates/{group}/resolve",
        {"action": "same_person", "keep": first, **revs(api, seeded.dup_ids)},
    )
    assert r.status_code == 303 and status_of(api, second) == "rejected"

    r = post(c, f"/console/records/{second}/decide", {"action": "verified", **rev(api, second)})
    body = r.get_data(as_text=True)
    assert r.status_code == 409 and 'data-error-code="DECISION_NIK_VERIFIED"' in body
    assert code_of(api, first) in body and "sudah dimiliki pendaftaran terverifikasi" in body
    assert f"/console/duplicates/{group}/reopen" in body  # the group is offered to reopen
    assert status_of(api, second) == "rejected" and status_of(api, first) == "verified"

    # reopened, the reviewer chooses again: the rejected one is kept, the other rejected
    r = post(c, f"/console/duplicates/{group}/reopen")
    assert r.status_code == 303 and is_open(api, group)
    page = c.get(f"/console/duplicates/{group}").get_data(as_text=True)
    assert f'name="keep" value="{second}"' in page
    r = post(
        c,
        f"/console/duplicates/{group}/resolve",
        {"action": "same_person", "keep": second, **revs(api, seeded.dup_ids)},
    )
    assert r.status_code == 303
    assert (status_of(api, first), status_of(api, second)) == ("rejected", "verified")
    assert not is_open(api, group)
    actions = [
        a for (a,) in api.sql("select action from audit_log where action like 'dup%' order by id")
    ]
    assert actions == ["duplicates.same_person", "duplicates.reopen", "duplicates.same_person"]


def test_a_third_verification_on_a_family_card_is_refused_in_bulk_too(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    a, b, third = seeded.kk_ids
    group = group_of(api, "kk")
    r = post(
        c,
        f"/console/duplicates/{group}/resolve",
        {"action": "kk_keep", "ids": [a, b], **revs(api, seeded.kk_ids)},
    )
    assert r.status_code == 303 and status_of(api, third) == "rejected"
    for path, data in (
        (f"/console/records/{third}/decide", {"action": "verified", **rev(api, third)}),
        (
            "/console/decisions/bulk",
            {
                "action": "verified",
                "ids": [third, seeded.ids[0]],
                "confirmed": "1",
                **revs(api, [third, seeded.ids[0]]),
            },
        ),
    ):
        r = post(c, path, data)
        body = r.get_data(as_text=True)
        assert r.status_code == 409 and 'data-error-code="DECISION_KK_FULL"' in body
        assert code_of(api, a) in body and code_of(api, b) in body
        assert f"/console/duplicates/{group}/reopen" in body
    assert status_of(api, third) == "rejected"
    assert status_of(api, seeded.ids[0]) == "received"  # the bulk was refused as a whole
    post(c, "/console/lang", {"lang": "en"})  # and in English
    r = post(c, f"/console/records/{third}/decide", {"action": "verified", **rev(api, third)})
    body = r.get_data(as_text=True)
    assert r.status_code == 409 and "already has two verified registrations" in body
    assert "Reopen the duplicate group" in body and code_of(api, b) in body


def test_a_registration_never_waits_in_a_resolved_group(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    first, second = seeded.dup_ids
    group = group_of(api, "nik")
    assert open_groups_tile(c) == 2
    # "different people", only the first returned: the flagged second still waits
    r = post(
        c,
        f"/console/duplicates/{group}/resolve",
        {
            "action": "different_people",
            "ids": [first],
            "note": "Periksa NIK",
            **revs(api, seeded.dup_ids),
        },
    )
    assert r.status_code == 303 and is_open(api, group) and open_groups_tile(c) == 2
    r = post(
        c,
        f"/console/duplicates/{group}/resolve",
        {
            "action": "different_people",
            "ids": [second],
            "note": "Periksa NIK",
            **revs(api, seeded.dup_ids),
        },
    )
    assert r.status_code == 303 and not is_open(api, group) and open_groups_tile(c) == 1

    # the office re-sends the same NIK: its corrected record, and a new registration
    makassar = seeded.devices["737101"]
    again = dict(applicant_of(api, second), phone="081277776666")
    rec = api.record(
        again, makassar, id=second, revision=2, base_revision=1, content_hash=content_hash(again)
    )
    assert api.push(makassar, [rec]).outcomes == ["accepted"]
    assert status_of(api, second) == "potential_duplicate" and is_open(api, group)
    assert open_groups_tile(c) == 2
    assert f"/console/duplicates/{group}" in c.get("/console/duplicates/").get_data(as_text=True)
    page = c.get(f"/console/duplicates/{group}").get_data(as_text=True)
    assert 'value="same_person"' in page and 'value="different_people"' in page
    r = post(
        c,
        f"/console/duplicates/{group}/resolve",
        {"action": "same_person", "keep": first, **revs(api, seeded.dup_ids)},
    )
    assert r.status_code == 303 and not is_open(api, group)
    newer = api.record(dict(again, phone="081288885555"), makassar)
    api.push(makassar, [newer])
    assert status_of(api, newer.id) == "potential_duplicate" and is_open(api, group)
    assert open_groups_tile(c) == 2


@pytest.fixture
def sulsel(app: Flask, users: Any) -> FlaskClient:
    ext = app.extensions["loket"]
    with db.transaction(ext.sessions) as s:
        add_user(s, "sulsel", PASSWORD, "reviewer", ["73"])
    return open_session(app, "sulsel")


def _in_sulsel(api: Any, rid: str, **kw: Any) -> dict[str, Any]:
    return {
        **applicant_of(api, rid),
        "street": "Jl. Pelabuhan Makassar No. 7",
        "rt": "014",
        "rw": "010",
        "village_code": "73.06.08.1002",
        "postal_code": "47116",
        **kw,
    }


def test_a_reviewer_acts_on_their_members_when_the_first_is_elsewhere(
    signed_in: dict[str, Any], api: Any, seeded: Any, sulsel: FlaskClient
) -> None:
    first, second = seeded.dup_ids  # both in West Java (32), first registered first
    mine = api.record(_in_sulsel(api, first, phone="081355554444"), seeded.devices["737101"])
    api.push(seeded.devices["737101"], [mine])
    group = group_of(api, "nik")
    page = sulsel.get(f"/console/duplicates/{group}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert first not in body and second not in body  # masked
    assert f'name="keep" value="{mine.id}"' in body and f'name="ids" value="{mine.id}"' in body
    # the first registered is verified meanwhile (West Java): keeping theirs would make a
    # second verified registration of the NIK, so the whole resolution is refused
    api.decide(first, "verified")
    r = post(
        sulsel,
        f"/console/duplicates/{group}/resolve",
        {"action": "same_person", "keep": mine.id, **revs(api, [mine.id])},
    )
    assert r.status_code == 409 and 'data-error-code="DECISION_NIK_VERIFIED"' in r.get_data(
        as_text=True
    )
    assert status_of(api, mine.id) == "potential_duplicate"
    # same person as the first registered (masked, kept by its column): only theirs decided
    r = post(
        sulsel,
        f"/console/duplicates/{group}/resolve",
        {"action": "same_person", "keep": "@0", **revs(api, [mine.id])},
    )
    assert r.status_code == 303
    assert status_of(api, mine.id) == "rejected"
    assert status_of(api, first) == "verified" and status_of(api, second) == "potential_duplicate"
    assert is_open(api, group)  # West Java's flagged member still waits
    decided = api.sql("select registration_id, decision from review_decisions order by id")
    assert decided == [(first, "verified"), (mine.id, "rejected")]

    # a family card whose first holder is in West Java: the South Sulawesi member is returned
    a, b, third = seeded.kk_ids
    kk_group = group_of(api, "kk")
    moved = _in_sulsel(api, third)
    rec = api.record(
        moved,
        seeded.devices["320101"],
        id=third,
        revision=2,
        base_revision=1,
        content_hash=content_hash(moved),
    )
    assert api.push(seeded.devices["320101"], [rec]).outcomes == ["kk_limit"]
    r = post(
        sulsel,
        f"/console/duplicates/{kk_group}/resolve",
        {"action": "kk_return", "ids": [third], "note": "Periksa KK", **revs(api, [third])},
    )
    assert r.status_code == 303 and status_of(api, third) == "returned"
    assert (status_of(api, a), status_of(api, b)) == ("received", "received")
    # a forged tick of a member elsewhere is still refused, nothing written
    r = post(
        sulsel,
        f"/console/duplicates/{kk_group}/resolve",
        {"action": "kk_return", "ids": [a], "note": "x", **revs(api, [a])},
    )
    assert r.status_code == 403 and status_of(api, a) == "received"


def test_a_family_card_group_lists_all_three_and_returns_for_correction(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    kk_group = group_of(api, "kk")
    queue = c.get("/console/duplicates/?kind=kk").get_data(as_text=True)
    for rid in seeded.kk_ids:
        assert f"/console/records/{rid}" in queue
    page = c.get(f"/console/duplicates/{kk_group}").get_data(as_text=True)
    assert 'value="kk_return"' in page and page.count('class="member"') == 3
    a, b, third = seeded.kk_ids
    r = post(
        c,
        f"/console/duplicates/{kk_group}/resolve",
        {"action": "kk_return", "ids": [third], **revs(api, seeded.kk_ids)},
    )
    assert r.status_code == 303 and status_of(api, third) == "potential_duplicate"  # no note
    r = post(
        c,
        f"/console/duplicates/{kk_group}/resolve",
        {
            "action": "kk_return",
            "ids": [a, third],
            "note": "Periksa KK",
            **revs(api, seeded.kk_ids),
        },
    )
    assert r.status_code == 303
    assert [status_of(api, i) for i in seeded.kk_ids] == ["returned", "received", "returned"]
    assert not is_open(api, kk_group)
    note = api.sql("select note from review_decisions where registration_id = :i", i=third)
    assert note == [("Periksa KK",)]
