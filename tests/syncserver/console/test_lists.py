"""Issue 14, defect 5 and "Filters": the console's lists sort by any sortable column with
keyset pages both ways, say how many records match, the review queue is oldest first, and the
lists, the queue, the export and the audit log filter by what reviewers ask; defect 13: the
export's times are WIB with the offset in the value. Run on PostgreSQL too (test_postgres.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from common.synthetic import generate
from syncserver import db
from syncserver.queries import console_records as q
from tests.syncserver.console.conftest import post

NAMES = [
    "budi santoso",
    "Ayu Lestari",
    "Citra Dewi",
    "agus hidayat",
    "Dimas Pratama",
    "Eka Putri",
    "Bayu Nugroho",
    "citra ayu",
]


@pytest.fixture
def spread(api: Any, clock: Any) -> dict[str, Any]:
    """Eight records, each pushed an hour after the one before (received times differ), from
    two devices of office 320101 and one of 737101; two of them decided."""
    bogor1 = api.enroll("320101", name="PC 1")
    bogor2 = api.enroll("320101", name="PC 2")
    makassar = api.enroll("737101", name="Laptop")
    people = [s.applicant for s in generate(len(NAMES), seed=1414)]
    ids: list[str] = []
    devices = [bogor1, bogor2, makassar, bogor1, bogor2, makassar, bogor1, bogor2]
    now = clock.offset
    start = now - timedelta(hours=len(NAMES) + 1)  # in the past: sessions stay fresh
    for n, (person, name, device) in enumerate(zip(people, NAMES, devices, strict=True)):
        clock.offset = start + timedelta(hours=n)
        rec = api.record(dict(person, full_name=name), device)
        assert api.push(device, [rec]).outcomes == ["accepted"]
        ids.append(rec.id)
    clock.offset = now
    api.decide(ids[1], "verified")
    api.decide(ids[2], "returned", note="Periksa alamat")
    return {"ids": ids, "devices": devices, "bogor1": bogor1, "bogor2": bogor2}


def _walk(session: Any, f: q.RecordFilter, limit: int) -> tuple[list[str], list[list[str]]]:
    """Every page forwards by ``after``, then back by ``before``: the ids, and the pages."""
    pages: list[list[str]] = []
    after: str | None = None
    while True:
        page = q.search(session, f, after=after, before=None, limit=limit)
        pages.append([r.id for r in page.items])
        if not page.next:
            break
        after = page.next
    back: list[list[str]] = []
    before = q.search(session, f, after=after, before=None, limit=limit).prev
    while before:
        page = q.search(session, f, after=None, before=before, limit=limit)
        back.append([r.id for r in page.items])
        before = page.prev
    assert list(reversed(back)) == pages[:-1]  # back again, page by page
    return [i for p in pages for i in p], pages


@pytest.mark.parametrize("sort", ["name", "-name", "code", "-code", "received", "-received"])
def test_every_sort_order_pages_by_keyset_both_ways(
    app: Flask, spread: dict[str, Any], sort: str
) -> None:
    ids = spread["ids"]
    with db.transaction(app.extensions["loket"].sessions) as s:
        codes = dict(s.execute(q.select(q.RegistrationRecord.id, q.RegistrationRecord.code)).all())
        key = {
            "name": lambda i: (NAMES[ids.index(i)].lower(), i),
            "code": lambda i: (codes[i], i),
            "received": lambda i: (ids.index(i), i),
        }[sort.lstrip("-")]
        expected = sorted(ids, key=key, reverse=sort.startswith("-"))
        got, pages = _walk(s, q.RecordFilter(sort=sort), limit=3)
    assert got == expected and [len(p) for p in pages] == [3, 3, 2]


def test_list_sorts_by_a_column_and_counts_matches(
    signed_in: dict[str, Any], spread: dict[str, Any], monkeypatch: Any
) -> None:
    from syncserver.console import records

    monkeypatch.setattr(records, "PAGE_SIZE", 3)
    c = signed_in["viewer"]
    page = c.get("/console/records/?sort=name").get_data(as_text=True)
    assert re.search(r'id="match-count"[^>]*>1–3 dari 8<', page)
    shown = [n for n in re.findall(r"<td>([a-zA-Z ]+)</td>", page) if n in NAMES]
    assert shown == ["agus hidayat", "Ayu Lestari", "Bayu Nugroho"]
    nxt = re.search(r'href="([^"]+)" rel="next"', page)
    assert nxt
    page2 = c.get(nxt.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'id="match-count"[^>]*>4–6 dari 8<', page2)
    assert [n for n in re.findall(r"<td>([a-zA-Z ]+)</td>", page2) if n in NAMES] == [
        "budi santoso",
        "citra ayu",
        "Citra Dewi",
    ]


def test_counts_are_exact_below_the_limit_and_labelled_estimates_above(
    app: Flask, spread: dict[str, Any]
) -> None:
    with db.transaction(app.extensions["loket"].sessions) as s:
        assert q.count(s, q.RecordFilter()) == q.Count(8, True)
        assert q.count(s, q.RecordFilter(office="737101")) == q.Count(2, True)
        big = q.count(s, q.RecordFilter(), exact_limit=3)
        if s.get_bind().dialect.name == "postgresql":
            assert not big.exact and big.n >= 4  # the planner's estimate, never below what
        else:  # was counted
            assert big == q.Count(8, True)


def test_review_queue_is_oldest_first_and_only_waiting_records(
    signed_in: dict[str, Any], spread: dict[str, Any]
) -> None:
    ids = spread["ids"]
    page = signed_in["viewer"].get("/console/records/queue").get_data(as_text=True)
    listed = re.findall(r'href="/console/records/([0-9a-f-]{36})[?"]', page)
    waiting = [i for n, i in enumerate(ids) if n not in (1, 2)]
    assert listed == waiting  # oldest received first; verified and returned are not waiting
    assert 'id="match-count"' in page and "1–6 dari 6" in page
    newest = signed_in["viewer"].get("/console/records/").get_data(as_text=True)
    assert re.findall(r'href="/console/records/([0-9a-f-]{36})[?"]', newest) == ids[::-1]


def test_filters_by_regency_device_decision_reviewer_and_dates(
    app: Flask, signed_in: dict[str, Any], spread: dict[str, Any], api: Any
) -> None:
    ids, bogor2 = spread["ids"], spread["bogor2"]
    c = signed_in["viewer"]

    def listed(**args: str) -> set[str]:
        page = c.get("/console/records/", query_string=args).get_data(as_text=True)
        return set(re.findall(r'href="/console/records/([0-9a-f-]{36})[?"]', page))

    regency = api.sql("select regency_code from registrations where id = :i", i=ids[2])[0][0]
    there = {
        r[0] for r in api.sql("select id from registrations where regency_code = :r", r=regency)
    }
    assert ids[2] in there and len(there) < len(ids)
    assert listed(regency=regency) == there == listed(regency=regency.replace(".", ""))
    on_pc2 = {i for i, d in zip(ids, spread["devices"], strict=True) if d is bogor2}
    assert listed(device=bogor2.id) == on_pc2
    assert listed(device=f"320101-{bogor2.device_no:03d}") == on_pc2
    assert listed(decision="verified") == {ids[1]}
    assert listed(decision="returned", reviewer="reviewer1") == {ids[2]}
    assert listed(reviewer="someone-else") == set()

    def wib_day(rid: str) -> Any:
        received = api.sql("select received_at from registrations where id = :i", i=rid)[0][0]
        if isinstance(received, str):
            received = datetime.fromisoformat(received)
        return (received + timedelta(hours=7)).date()  # the WIB calendar day

    day = wib_day(ids[0])
    assert ids[0] in listed(**{"from": day.isoformat(), "to": day.isoformat()})
    assert listed(**{"from": (wib_day(ids[-1]) + timedelta(days=1)).isoformat()}) == set()
    assert listed(**{"to": (day - timedelta(days=1)).isoformat()}) == set()
    # the export takes the same filter
    r = post(signed_in["reviewer"], "/console/export.csv", {"device": bogor2.id})
    rows = list(csv.DictReader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    assert {row["id"] for row in rows} == on_pc2
    # the queue too
    page = c.get("/console/records/queue", query_string={"device": bogor2.id}).get_data(
        as_text=True
    )
    waiting = [i for n, i in enumerate(ids) if i in on_pc2 and n not in (1, 2)]
    assert re.findall(r'href="/console/records/([0-9a-f-]{36})[?"]', page) == waiting


def test_export_times_are_wib_with_the_offset(
    signed_in: dict[str, Any], spread: dict[str, Any], api: Any
) -> None:
    r = post(signed_in["reviewer"], "/console/export.csv", {})
    rows = list(csv.DictReader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    by_id = {row["id"]: row for row in rows}
    received = api.sql("select received_at from registrations where id = :i", i=spread["ids"][0])[
        0
    ][0]
    if isinstance(received, str):
        received = datetime.fromisoformat(received)
    value = by_id[spread["ids"][0]]["received_at"]
    assert value.endswith("+07:00"), value
    parsed = datetime.fromisoformat(value)
    from syncserver.queries.console_paging import aware

    assert abs(parsed - aware(received)) < timedelta(seconds=1)
    page = signed_in["viewer"].get("/console/records/").get_data(as_text=True)
    assert parsed.strftime("%Y-%m-%d %H:%M WIB") in page  # what the console shows


def test_audit_log_filters_by_who_what_and_when(
    signed_in: dict[str, Any], spread: dict[str, Any], clock: Any
) -> None:
    post(signed_in["reviewer"], "/console/export.csv", {})
    c = signed_in["admin"]

    def actions(**args: str) -> list[str]:
        page = c.get("/console/admin/audit", query_string=args).get_data(as_text=True)
        return re.findall(r"<td><code>([a-z_.]+)</code></td>", page)

    assert set(actions(who="reviewer1")) == {"decision.verified", "decision.returned"}
    assert actions(what="decision") == ["decision.returned", "decision.verified"]
    assert actions(what="export.csv", who="reviewer") == ["export.csv"]
    assert actions(who="reviewer", what="decision") == []
    today = (clock() + timedelta(hours=7)).date()
    assert "export.csv" in actions(**{"from": today.isoformat(), "to": today.isoformat()})
    assert actions(**{"to": (today - timedelta(days=30)).isoformat()}) == []
