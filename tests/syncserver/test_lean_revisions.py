"""The applicant is stored once (migration 0013): the current revision's row leaves it to
``registrations``, a replaced revision keeps its own copy, and every reader (the device
feed, the console's record page and its revision diff, the stale-decision page) still gets
each revision's content as it was sent (the record page's diff and the stale-decision page:
tests/syncserver/console/test_pages.py, test_stale_and_scope.py). Both backends."""

from __future__ import annotations

import dataclasses
from typing import Any

from syncserver import db
from syncserver.queries import changes as changes_q
from syncserver.queries import console_records as records_q
from tests.syncserver.conftest import Api
from tests.syncserver.test_summaries import _revision


def _stored(api: Api, rid: str) -> dict[int, bool]:
    """revision -> whether its row holds its own copy of the applicant."""
    rows = api.sql(
        "select revision, applicant is not null from registration_revisions "
        "where registration_id = :r order by revision",
        r=rid,
    )
    return {int(rev): bool(own) for rev, own in rows}


def _contents(api: Api, rid: str) -> dict[int, dict[str, Any] | None]:
    """What the console's record page reads: revision -> applicant."""
    with db.transaction(api.ext.sessions) as s:
        return {r.revision: r.applicant for r in records_q.revisions(s, rid)}


def test_a_new_registration_stores_its_applicant_once(
    api: Api, people: list[dict[str, Any]]
) -> None:
    dev = api.enroll()
    recs = [api.record(p, dev) for p in people[:5]]
    assert api.push(dev, recs).outcomes == ["accepted"] * 5
    copies = api.sql("select count(*) from registration_revisions where applicant is not null")
    assert copies[0][0] == 0
    for rec in recs:
        assert _contents(api, rec.id) == {1: rec.applicant}


def test_a_replaced_revision_keeps_what_it_said(api: Api, people: list[dict[str, Any]]) -> None:
    dev = api.enroll()
    first = api.record(people[0], dev)
    api.push(dev, [first])
    moved = dict(people[0], street="Jl. Baru 7")
    assert api.push(dev, [_revision(first, moved, 2)]).outcomes == ["accepted"]
    assert _stored(api, first.id) == {1: True, 2: False}
    third = dict(moved, phone="081277770000")
    assert api.push(dev, [_revision(first, moved, 2), _revision(first, third, 3)]).outcomes == [
        "already_received",
        "accepted",
    ]
    assert _stored(api, first.id) == {1: True, 2: True, 3: False}
    assert _contents(api, first.id) == {1: people[0], 2: moved, 3: third}
    # the device feed carries each revision's own content
    with db.transaction(api.ext.sessions) as s:
        got = changes_q.revision_contents(s, {(first.id, 1), (first.id, 2), (first.id, 3)})
    assert {k[1]: v["applicant"] for k, v in got.items()} == {1: people[0], 2: moved, 3: third}


def test_revisions_in_one_batch_and_a_refused_one(api: Api, people: list[dict[str, Any]]) -> None:
    dev = api.enroll()
    rec = api.record(people[1], dev)
    second = dict(people[1], street="Jl. Dua 2")
    # revision 1 and 2 of a new record in one push: stored in two passes
    assert api.push(dev, [rec, _revision(rec, second, 2)]).outcomes == ["accepted"] * 2
    assert _stored(api, rec.id) == {1: True, 2: False}
    # a new revision on a stale base is refused: what is stored is unchanged
    stale = dict(people[1], street="Jl. Lama 9")
    assert api.push(
        dev, [dataclasses.replace(_revision(rec, stale, 3), base_revision=1)]
    ).outcomes == ["conflict"]
    assert _contents(api, rec.id) == {1: people[1], 2: second}
    assert api.sql("select revision from registrations where id = :r", r=rec.id)[0][0] == 2
