"""Claims in the console (issue 14): a claimed duplicate group cannot be resolved by another
reviewer, nor its members decided from their record pages or in bulk; nothing of the refused
resolution is written; the holder resolves it; the claims page lists who is on what."""

from __future__ import annotations

from typing import Any

from tests.syncserver.console.conftest import post, revs
from tests.syncserver.console.test_duplicates import group_of


def _statuses(api: Any, ids: list[str]) -> list[str]:
    return [api.sql("select status from registrations where id = :i", i=i)[0][0] for i in ids]


def test_a_claimed_group_is_resolved_only_by_its_holder(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    holder, other = signed_in["reviewer"], signed_in["admin"]
    group = group_of(api, "nik")
    page = f"/console/duplicates/{group}"
    r = post(holder, f"/console/claims/group/{group}", {"back": page}, page=page)
    assert r.status_code == 303 and r.headers["Location"] == page
    assert "Diklaim oleh Anda" in holder.get(page).get_data(as_text=True)
    shown = other.get(page).get_data(as_text=True)
    assert 'data-claimed-by="reviewer"' in shown
    first, second = seeded.dup_ids
    before = _statuses(api, seeded.dup_ids)
    r = post(
        other,
        f"/console/duplicates/{group}/resolve",
        {"action": "same_person", "keep": second, **revs(api, seeded.dup_ids)},
        page=page,
    )
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert 'data-error-code="DECISION_CLAIMED"' in body and "reviewer" in body
    assert _statuses(api, seeded.dup_ids) == before  # nothing of the resolution stays
    assert api.sql("select resolved_at from duplicate_groups where id = :g", g=group)[0][0] is None
    # a plain record of the holder's batch claim, decided in bulk by the other: refused whole
    r = post(holder, "/console/claims/next", {"size": "10"}, page="/console/claims/")
    assert r.status_code == 303
    claimed = [
        row[0]
        for row in api.sql(
            "select target from review_claims where kind = 'registration' and reviewer = 'reviewer'"
        )
    ]
    assert len(claimed) == 10
    r = post(
        other,
        "/console/decisions/bulk",
        {"action": "verified", "ids": claimed[:2], "confirmed": "1", **revs(api, claimed[:2])},
        page="/console/records/",
    )
    assert r.status_code == 409
    assert set(_statuses(api, claimed[:2])) == {"received"}
    listing = other.get("/console/claims/").get_data(as_text=True)
    assert listing.count("<td>reviewer</td>") == 11
    # the holder resolves it
    r = post(
        holder,
        f"/console/duplicates/{group}/resolve",
        {"action": "same_person", "keep": second, **revs(api, seeded.dup_ids)},
        page=page,
    )
    assert r.status_code == 303
    assert _statuses(api, [first, second]) == ["rejected", "verified"]
    r = post(holder, "/console/claims/release", {}, page="/console/claims/")
    assert r.status_code == 303
    assert api.sql("select count(*) from review_claims where reviewer = 'reviewer'")[0][0] == 0


def test_a_viewer_cannot_claim(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    r = post(signed_in["viewer"], "/console/claims/next", {"size": "10"}, page="/console/claims/")
    assert r.status_code == 403
    assert api.sql("select count(*) from review_claims")[0][0] == 0
