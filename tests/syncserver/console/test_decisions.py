"""Decisions from the console: one at a time and in bulk; each reaches the device's next
pull through record_decision's change feed and is in the audit log with who and when."""

from __future__ import annotations

from typing import Any

from tests.syncserver.console.conftest import post, rev, revs, token


def pulled(api: Any, device: Any) -> dict[str, Any]:
    r = api.pull(device)
    assert r.status_code == 200
    import json

    from common import wire

    body = json.loads(wire.decompress(r.data, r.headers.get("Content-Encoding")))
    return {c["registration_id"]: c for c in body["changes"] if c["kind"] == "decision"}


def test_verify_reject_return_one_at_a_time(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["reviewer"]
    a, b, d = seeded.ids[:3]
    r = post(c, f"/console/records/{a}/decide", {"action": "verified", **rev(api, a)})
    assert r.status_code == 303 and r.headers["Location"] == f"/console/records/{a}"
    assert (
        post(
            c,
            f"/console/records/{b}/decide",
            {"action": "rejected", "reason": "not_eligible", **rev(api, b)},
        ).status_code
        == 303
    )
    post(
        c,
        f"/console/records/{d}/decide",
        {"action": "returned", "note": "Nama ibu <b>salah</b> ketik", **rev(api, d)},
    )
    changes = pulled(api, seeded.devices["320101"])
    assert changes[a]["status"] == "verified"
    assert changes[b]["status"] == "rejected" and changes[b]["reason"] == "not_eligible"
    assert (
        changes[d]["status"] == "returned" and changes[d]["note"] == "Nama ibu <b>salah</b> ketik"
    )
    audit = api.sql(
        "select actor, action, target_id, at from audit_log where action like 'decision.%' order by id"
    )
    assert [(x[0], x[1], x[2]) for x in audit] == [
        ("reviewer", "decision.verified", a),
        ("reviewer", "decision.rejected", b),
        ("reviewer", "decision.returned", d),
    ]
    assert all(x[3] is not None for x in audit)
    page = c.get(f"/console/records/{d}").get_data(as_text=True)
    assert "Nama ibu &lt;b&gt;salah&lt;/b&gt; ketik" in page and "decision.returned" in page


def test_incomplete_decisions_are_refused(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    c = signed_in["reviewer"]
    a = seeded.ids[0]
    post(c, f"/console/records/{a}/decide", {"action": "rejected", **rev(api, a)})  # no reason
    post(
        c,
        f"/console/records/{a}/decide",
        {"action": "rejected", "reason": "because", **rev(api, a)},
    )  # not in the list
    post(c, f"/console/records/{a}/decide", {"action": "returned", **rev(api, a)})  # no note
    post(c, f"/console/records/{a}/decide", {"action": "deleted", **rev(api, a)})
    post(
        c,
        f"/console/records/{seeded.dup_ids[1]}/decide",
        {"action": "verified", **rev(api, seeded.dup_ids[1])},
    )  # a potential duplicate
    assert api.sql("select count(*) from review_decisions")[0][0] == 0
    assert pulled(api, seeded.devices["320101"]) == {}


def test_bulk_decision(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    c = signed_in["reviewer"]
    ids = seeded.ids[:5]
    r = c.post(
        "/console/decisions/bulk",
        data={
            "ids": [*ids, seeded.dup_ids[0], "nope"],
            "action": "verified",
            "back": "/console/records/?status=received",
            "confirmed": "1",
            "csrf_token": token(c, "/console/records/"),
            **revs(api, [*ids, seeded.dup_ids[0]]),
            "rev-nope": "1",
        },
    )
    assert r.status_code == 303 and r.headers["Location"] == "/console/records/?status=received"
    flashes = c.get("/console/records/").get_data(as_text=True)
    assert "6 pendaftaran diputuskan" in flashes and "1 pendaftaran dilewati" in flashes
    changes = pulled(api, seeded.devices["320101"])
    assert {i for i, ch in changes.items() if ch["status"] == "verified"} == {
        *ids,
        seeded.dup_ids[0],
    }


def test_bulk_decision_is_confirmed_first_and_has_no_default(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    """Issue 14, defect 6, without a browser's script: the server asks "Verifikasi 3
    pendaftaran?" before anything is written; a form without a decision is refused."""
    c = signed_in["reviewer"]
    ids = seeded.ids[:3]
    base = {"ids": ids, "back": "/console/records/", **revs(api, ids)}
    r = c.post(
        "/console/decisions/bulk", data={**base, "csrf_token": token(c, "/console/records/")}
    )
    assert r.status_code == 400 and "Pilih keputusan." in r.get_data(as_text=True)
    r = c.post(
        "/console/decisions/bulk?status=received",
        data={**base, "action": "verified", "csrf_token": token(c, "/console/records/")},
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Verifikasi 3 pendaftaran?" in body
    assert 'name="confirmed" value="1"' in body
    assert 'action="/console/decisions/bulk?status=received"' in body
    assert api.sql("select count(*) from review_decisions")[0][0] == 0
    r = c.post(
        "/console/decisions/bulk",
        data={
            **base,
            "action": "verified",
            "confirmed": "1",
            "csrf_token": token(c, "/console/records/"),
        },
    )
    assert r.status_code == 303
    assert api.sql("select count(*) from review_decisions")[0][0] == 3


def test_bulk_respects_the_reviewers_provinces(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    c = signed_in["jabar"]  # West Java (32) only
    inside = [
        r[0]
        for r in api.sql(
            "select id from registrations where province_code = '32' and status = 'received'"
        )
    ]
    outside = api.sql(
        "select id from registrations where province_code <> '32' and status = 'received'"
    )[0][0]
    # a forged form naming a record outside the provinces is refused as a whole, with a code
    r = c.post(
        "/console/decisions/bulk",
        data={
            "ids": [*inside, outside],
            "action": "returned",
            "note": "cek",
            "csrf_token": token(c, "/console/"),
            **revs(api, [*inside, outside]),
        },
    )
    assert r.status_code == 403 and "DECISION_OUT_OF_SCOPE" in r.get_data(as_text=True)
    assert api.sql("select count(*) from review_decisions")[0][0] == 0
    r = c.post(
        "/console/decisions/bulk",
        data={
            "ids": inside,
            "action": "returned",
            "note": "cek",
            "confirmed": "1",
            "csrf_token": token(c, "/console/"),
            **revs(api, inside),
        },
    )
    assert r.status_code == 303
    decided = {r[0] for r in api.sql("select registration_id from review_decisions")}
    assert decided == set(inside)


def test_viewer_cannot_decide(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    c = signed_in["viewer"]
    assert (
        post(
            c,
            f"/console/records/{seeded.ids[0]}/decide",
            {"action": "verified", **rev(api, seeded.ids[0])},
        ).status_code
        == 403
    )
    page = c.get(f"/console/records/{seeded.ids[0]}").get_data(as_text=True)
    assert "/decide" not in page
    assert api.sql("select count(*) from review_decisions")[0][0] == 0


def test_a_decision_opens_the_next_record_of_its_list(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    """Issue 14, defect 7, on both backends (test_postgres): the list's next row after the
    decided record's place (its filter and order), the list itself after its last row."""
    import re
    from urllib.parse import quote

    c = signed_in["reviewer"]
    page = c.get("/console/records/?status=received").get_data(as_text=True)
    order = list(dict.fromkeys(re.findall(r'href="/console/records/([0-9a-f-]{36})\?list=', page)))
    assert len(order) >= 3
    listing = "?status=received"
    shown = c.get(f"/console/records/{order[0]}?list={quote(listing)}").get_data(as_text=True)
    assert f"/console/records/{order[1]}?list=" in shown  # the "next record" link
    r = post(
        c,
        f"/console/records/{order[0]}/decide",
        {"action": "verified", "list": listing, **rev(api, order[0])},
    )
    assert r.status_code == 303
    assert r.headers["Location"] == f"/console/records/{order[1]}?list={quote(listing, safe='?')}"
    r = post(
        c,
        f"/console/records/{order[-1]}/decide",
        {"action": "verified", "list": listing, **rev(api, order[-1])},
    )
    assert r.headers["Location"] == "/console/records/?status=received"
    # a forged list is only ever a query string of the records list
    r = post(
        c,
        f"/console/records/{order[1]}/decide",
        {"action": "verified", "list": "//evil.example/", **rev(api, order[1])},
    )
    assert r.headers["Location"] == f"/console/records/{order[1]}"
