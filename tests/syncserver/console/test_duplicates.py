"""The duplicate queue: side-by-side comparison and the three resolutions."""

from __future__ import annotations

import json
from typing import Any

from tests.syncserver.console.conftest import post, revs, token
from tests.syncserver.console.test_decisions import pulled


def group_of(api: Any, kind: str) -> int:
    return int(api.sql("select id from duplicate_groups where kind = :k", k=kind)[0][0])


def test_queue_lists_open_groups_and_compares_fields(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["viewer"]
    page = c.get("/console/duplicates/").get_data(as_text=True)
    nik_group, kk_group = group_of(api, "nik"), group_of(api, "kk")
    assert f"/console/duplicates/{nik_group}" in page and f"/console/duplicates/{kk_group}" in page
    assert f"/console/duplicates/{kk_group}" not in c.get("/console/duplicates/?kind=nik").get_data(
        as_text=True
    )
    page = c.get(f"/console/duplicates/{nik_group}").get_data(as_text=True)
    assert page.count('class="member"') == 2
    assert '<tr class="differs"><th>Nomor HP</th>' in page  # the phone differs
    assert '<tr class=""><th>Nama lengkap</th>' in page  # the name does not
    assert 'class="diff mono"' not in page  # the NIK is the same
    assert 'name="action" value="same_person"' not in page  # a viewer cannot resolve
    kk = c.get(f"/console/duplicates/{kk_group}").get_data(as_text=True)
    assert (
        kk.count('class="member"') == 3
        and kk.count("holds a card slot") + kk.count("memegang slot KK") == 2
    )


def test_same_person_keeping_the_later_registration(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    first, second = seeded.dup_ids
    group = group_of(api, "nik")
    r = post(
        c,
        f"/console/duplicates/{group}/resolve",
        {"action": "same_person", "keep": second, **revs(api, seeded.dup_ids)},
    )
    assert r.status_code == 303 and r.headers["Location"] == "/console/duplicates/"
    code_second = api.sql("select code from registrations where id = :i", i=second)[0][0]
    bogor = pulled(api, seeded.devices["320101"])
    assert bogor[first]["status"] == "rejected" and bogor[first]["reason"] == "duplicate"
    assert bogor[first]["duplicate_of"] is None  # another office's code (issue 12 finding 4)
    assert code_second
    # the default note names no registration of another office either
    assert code_second not in json.dumps(bogor[first])
    assert pulled(api, seeded.devices["737101"])[second]["status"] == "verified"
    assert (
        api.sql("select registration_id from nik_primaries where nik = :n", i=0, n=seeded.dup_nik)[
            0
        ][0]
        == second
    )
    assert api.sql(
        "select flag_reason, duplicate_of_id from registrations where id = :i", i=second
    )[0] == (None, None)
    assert (
        api.sql("select resolution from duplicate_groups where id = :g", g=group)[0][0]
        == "same_person"
    )
    assert f'/console/duplicates/{group}"' not in c.get("/console/duplicates/").get_data(
        as_text=True
    )
    # resolving again is refused
    assert (
        post(
            c,
            f"/console/duplicates/{group}/resolve",
            {"action": "same_person", "keep": second, **revs(api, seeded.dup_ids)},
        ).status_code
        == 409
    )
    actions = [
        a for (a,) in api.sql("select action from audit_log where action like 'duplicates.%'")
    ]
    assert actions == ["duplicates.same_person"]


def test_different_people_return_for_correction(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    first, second = seeded.dup_ids
    group = group_of(api, "nik")
    post(
        c,
        f"/console/duplicates/{group}/resolve",
        {"action": "different_people", "ids": second, **revs(api, seeded.dup_ids)},
    )  # no note
    assert api.sql("select resolved_at from duplicate_groups where id = :g", g=group)[0][0] is None
    r = c.post(
        f"/console/duplicates/{group}/resolve",
        data={
            "action": "different_people",
            "ids": [second],
            "note": "Periksa NIK pada KTP",
            "csrf_token": token(c, "/console/"),
            **revs(api, seeded.dup_ids),
        },
    )
    assert r.status_code == 303
    ch = pulled(api, seeded.devices["737101"])[second]
    assert ch["status"] == "returned" and ch["note"] == "Periksa NIK pada KTP"
    assert first not in pulled(api, seeded.devices["320101"])


def test_family_card_keep_two(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    c = signed_in["reviewer"]
    a, b, third = seeded.kk_ids
    group = group_of(api, "kk")
    r = c.post(
        f"/console/duplicates/{group}/resolve",
        data={
            "action": "kk_keep",
            "ids": [a, b, third],
            "csrf_token": token(c, "/console/"),
            **revs(api, seeded.kk_ids),
        },
    )
    assert (
        r.status_code == 303
        and api.sql("select resolved_at from duplicate_groups where id = :g", g=group)[0][0] is None
    )
    r = c.post(
        f"/console/duplicates/{group}/resolve",
        data={
            "action": "kk_keep",
            "ids": [b, third],
            "csrf_token": token(c, "/console/"),
            **revs(api, seeded.kk_ids),
        },
    )
    assert r.status_code == 303
    changes = pulled(api, seeded.devices["320101"])
    assert changes[a]["status"] == "rejected" and changes[a]["reason"] == "kk_limit"
    assert changes[b]["status"] == "verified" and changes[third]["status"] == "verified"
    holders = {
        r[0]
        for r in api.sql("select registration_id from kk_slots where kk_number = :k", k=seeded.kk)
    }
    assert holders == {b, third}
