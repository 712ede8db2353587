"""Batches: a filterable list (office, device, date, outcome, source: network or bundle) and a batch page with its
records and each record's outcome."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template

from syncserver.console.access import needs, staff
from syncserver.console.web import PAGE_SIZE, arg, blueprint, int_arg, parse_date
from syncserver.context import read_session as read_db
from syncserver.queries import console_batches as q
from syncserver.queries.console_paging import Cursor

bp = blueprint("batches", "/batches")


@bp.get("/")
@needs("view")
def index() -> Any:
    who = staff()
    f = q.BatchFilter(
        office=arg("office", 6),
        device=arg("device", 36),
        date_from=parse_date(arg("from", 10)),
        date_to=parse_date(arg("to", 10)),
        outcome=arg("outcome", 20) if arg("outcome", 20) in q.OUTCOMES else "",
        source=arg("source", 10) if arg("source", 10) in q.SOURCES else "",
        provinces=who.provinces,
    )
    page = q.list_batches(
        read_db(),
        f,
        after=Cursor.decode(arg("after")),
        before=Cursor.decode(arg("before")),
        limit=PAGE_SIZE,
    )
    return render_template(
        "console/batches.html", page=page, f=f, outcomes=q.OUTCOMES, sources=q.SOURCES
    )


@bp.get("/<int:batch_pk>")
@needs("view")
def show(batch_pk: int) -> Any:
    who = staff()
    batch = q.get(read_db(), batch_pk)
    if batch is None:
        abort(404)
    if who.provinces and batch.office_code[:2] not in who.provinces:
        abort(403)
    after = int_arg("after", -1, -1)
    rows, more = q.records(read_db(), batch_pk, after_position=after, limit=PAGE_SIZE * 2)
    return render_template(
        "console/batch.html",
        batch=batch,
        rows=rows,
        next_after=rows[-1].position if more and rows else None,
        after=after,
        can_full_nik=who.can("decide"),
    )
