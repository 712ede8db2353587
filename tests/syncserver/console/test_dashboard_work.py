"""The dashboard as a day's work starts (issue 14, defect 12 and "backlog per office",
"charts over time"): a to-do list with the age of the oldest waiting record, open duplicate
groups counted in the reviewer's provinces, received and decided per day, offices ordered by
backlog and silence; and none of it reads ``registrations`` (summary tables only), so it stays
fast at 10 million rows. Also run on PostgreSQL (test_dashboard_work_pg.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event

from syncserver import db
from syncserver.context import SERVER_TZ
from syncserver.queries import console_duplicates as dq
from tests.syncserver.console.conftest import open_session

_REGISTRATIONS = re.compile(r"\bregistrations\b")


def _page(client: Any, path: str = "/console/") -> str:
    r = client.get(path)
    assert r.status_code == 200, r.status_code
    return str(r.get_data(as_text=True))


@contextmanager
def _statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = app.extensions["loket"].engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _open_groups_tile(page: str) -> str:
    found = re.search(r'class="tile warn"[^>]*><b>([^<]+)</b>', page)
    assert found, "no open-groups tile"
    return found.group(1)


def _in_province(people: list[dict[str, Any]], province: str, inside: bool) -> list[Any]:
    return [p for p in people if (p["village_code"][:2] == province) == inside]


def test_the_dashboard_reads_summary_tables_only(
    app: Flask, signed_in: dict[str, Any], seeded: Any
) -> None:
    for who in ("admin", "viewer"):
        with _statements(app) as seen:
            for path in (
                "/console/",
                "/console/?cprov=32&days=90&osort=silence",
                "/console/?province=73",
            ):
                _page(signed_in[who], path)
        assert seen
        reading = [s for s in seen if _REGISTRATIONS.search(s)]
        assert reading == [], reading
        # nor the open duplicate groups one by one (0012: their count is a summary too)
        counting = [s for s in seen if re.search(r"\bFROM duplicate_groups\b", s)]
        assert counting == [], counting
    # a reviewer limited to provinces: only the open-groups count looks at registrations
    # (through the duplicate queue's indexed predicates), nothing else
    with _statements(app) as seen:
        _page(signed_in["jabar"])
    reading = [s for s in seen if _REGISTRATIONS.search(s)]
    assert len(reading) == 1 and "duplicate_groups" in reading[0], reading


def test_open_groups_count_follows_the_reviewers_provinces(
    app: Flask, api: Any, signed_in: dict[str, Any], seeded: Any, people: list[dict[str, Any]]
) -> None:
    # a duplicate pair entirely outside West Java (32): the West Java reviewer does not see it
    outside = _in_province(people, "32", inside=False)[0]
    dev = seeded.devices["737101"]
    api.push(dev, [api.record(outside, dev)])
    api.push(dev, [api.record(dict(outside, phone="081355550000"), dev)])
    with db.transaction(api.ext.sessions) as s:
        all_open, _more = dq.open_groups(s, after_id=0, limit=1000)
        jabar_open, _more = dq.open_groups(s, after_id=0, limit=1000, provinces=("32",))
    assert len(jabar_open) < len(all_open)
    assert _open_groups_tile(_page(signed_in["admin"])) == str(len(all_open))
    assert _open_groups_tile(_page(signed_in["jabar"])) == str(len(jabar_open))


def test_the_todo_list_gives_the_age_of_the_oldest_waiting_record(
    app: Flask, api: Any, users: Any, people: list[dict[str, Any]], clock: Any
) -> None:
    dev = api.enroll("320101")
    clock.offset = -timedelta(days=10)
    api.push(dev, [api.record(p, dev) for p in people[:3]])
    clock.offset = timedelta()
    fresh = [api.record(p, dev) for p in people[3:5]]
    api.push(dev, fresh)
    page = _page(open_session(app, "reviewer"))
    todo = re.search(r'<section class="card todo" id="todo">(.*?)</section>', page, re.S)
    assert todo, "no to-do list"
    assert "<b>5</b> pendaftaran menunggu keputusan; yang terlama tiba 10 hari lalu" in todo.group(
        1
    )
    # the three old ones decided: the oldest waiting is today's
    for rid in api.sql("select id from registrations order by received_at limit 3"):
        api.decide(rid[0], "verified")
    page = _page(open_session(app, "reviewer"))
    assert "<b>2</b> pendaftaran menunggu keputusan; yang terlama tiba 0 hari lalu" in page
    assert "hari lalu" in page
    for rid in api.sql("select id from registrations where status = 'received'"):
        api.decide(rid[0], "rejected", reason="not_eligible")
    assert "Tidak ada yang menunggu verifikator." in _page(open_session(app, "reviewer"))


def test_received_and_decided_per_day(
    app: Flask, api: Any, users: Any, people: list[dict[str, Any]], clock: Any
) -> None:
    dev = api.enroll("320101")
    clock.offset = -timedelta(days=2)
    old = [api.record(p, dev) for p in people[:4]]
    api.push(dev, old)
    clock.offset = timedelta()
    api.push(dev, [api.record(p, dev) for p in people[4:5]])
    api.decide(old[0].id, "verified")
    api.decide(old[1].id, "returned", note="Periksa")
    today = clock().astimezone(SERVER_TZ).date()
    page = _page(open_session(app, "viewer"), "/console/?days=14")
    days = {
        m.group(1): (int(m.group(2)), int(m.group(3)))
        for m in re.finditer(
            r'data-day="([\d-]+)" data-received="(\d+)" data-decided="(\d+)"', page
        )
    }
    assert len(days) == 14
    assert days[(today - timedelta(days=2)).isoformat()] == (4, 0)
    assert days[today.isoformat()] == (1, 2)
    assert sum(r for r, _d in days.values()) == 5
    # one province only: another province's chart is empty
    other = next(
        p["village_code"][:2]
        for p in people
        if p["village_code"][:2] not in {q["village_code"][:2] for q in people[:5]}
    )
    page = _page(open_session(app, "viewer"), f"/console/?days=14&cprov={other}")
    assert 'data-received="1"' not in page and 'data-received="4"' not in page


def test_offices_by_backlog_and_silence(
    app: Flask, api: Any, users: Any, people: list[dict[str, Any]], clock: Any
) -> None:
    quiet = api.enroll("320101")
    busy = api.enroll("737101")
    api.office("320102", "Kantor Ketiga")
    third = api.enroll("320102")
    body = {
        **api.body(busy, [api.record(people[0], busy)]),
        "backlog": {"unsent": 250, "oldest_age_s": 5 * 86400},
    }
    assert api.push(busy, [], body=body).status == 200
    api.client.get("/api/v1/sync/pull", headers=quiet.headers)  # heard from, nothing reported
    clock.offset = timedelta(days=9)  # both silent now, but the third one syncs
    api.client.get(
        "/api/v1/sync/pull",
        headers=third.headers,
        query_string={"backlog_unsent": "0", "backlog_oldest_age_s": "0"},
    )
    page = _page(open_session(app, "viewer"))
    offices = re.findall(r'<tr class="[^"]*" data-office="(\d+)">', page)
    assert offices[0] == "737101", offices  # the oldest unsent record first
    row = re.search(r'data-office="737101">(.*?)</tr>', page, re.S)
    assert row and '<td class="r unsent">250</td>' in row.group(1)
    assert "5 hari lalu" in row.group(1)  # the oldest unsent record: saved 5 days before
    todo = re.search(r'id="todo">(.*?)</section>', page, re.S)
    assert todo and "<b>1</b> kantor menyimpan 250 data belum terkirim" in todo.group(1)
    assert "<b>2</b> kantor senyap" in todo.group(1)
    page = _page(open_session(app, "viewer"), "/console/?osort=silence")
    offices = re.findall(r'<tr class="[^"]*" data-office="(\d+)">', page)
    assert offices[-1] == "320102", offices  # the one heard from last is last
