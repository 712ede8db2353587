"""CSV export of the records list's current filter, streamed page by page.

The response is a generator over keyset pages of 2,000 rows, each read in its own short
transaction (on SQLite a transaction holds the write lock, so the export never blocks ingest
for long), so a million rows stream in constant memory. Every export is in the audit log with
its filter.

The masked export (everyone; an admin unless "full NIK" is ticked) shows only the last 4 digits
of the NIK and the family-card number, and the birth *year* (column ``birth_year``) instead of
the birth date. A NIK is the 6-digit district of issue, the birth date as DDMMYY (DD + 40 for
women) and a 4-digit sequence: with the village code, the full birth date and the sex beside it,
a NIK masked to its first and last 4 digits is rebuilt whole, and so is one masked to its last
4 only. With the year alone, each masked NIK stays one of at least 365 candidates. The admin's
"full NIK" export has every column in full (``birth_date``) and says so in the audit log.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from flask import Response, abort, g, request, stream_with_context
from sqlalchemy.orm import Session, sessionmaker

from common.csvformat import spreadsheet_safe
from syncserver.console.access import needs, staff
from syncserver.console.records import filter_args, record_filter
from syncserver.console.web import blueprint
from syncserver.context import loket, read_session
from syncserver.context import session as db
from syncserver.queries import console_records as q
from syncserver.queries.console_paging import Cursor
from syncserver.queries.reviews import append_audit

bp = blueprint("export")
EXPORT_PAGE = 2000
_PHONE = re.compile(r"\+[0-9]{8,15}")


@bp.post("/export.csv")
@needs("export")
def export_csv() -> Any:
    who = staff()
    f = record_filter(who, request.form)
    full_nik = request.form.get("full_nik") == "1"
    if full_nik and not who.can("admin"):
        abort(403)
    now = loket().clock()
    append_audit(
        db(),
        now=now,
        actor_kind="staff",
        actor=who.username,
        action="export.csv",
        target_kind="registrations",
        target_id="",
        details={"filter": filter_args(f), "provinces": list(who.provinces), "full_nik": full_nik},
    )
    name = f"loket-export-{now.strftime('%Y%m%d-%H%M%S')}.csv"
    # the pages are read on the standby when there is one, it is up and has the reviewer's
    # own last write (read_session decides); else on the primary
    read_session()
    ext = loket()
    on_standby = ext.standby is not None and bool(g.get("db_read_on_standby"))
    pages = ext.standby.sessions if on_standby and ext.standby is not None else ext.sessions
    return Response(
        stream_with_context(_rows(f, full_nik, pages)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def columns(full_nik: bool) -> tuple[str, ...]:
    """The export's header: the masked export has ``birth_year`` for ``birth_date``."""
    if full_nik:
        return q.EXPORT_COLUMNS
    return tuple("birth_year" if c == "birth_date" else c for c in q.EXPORT_COLUMNS)


def mask_last4(number: str) -> str:
    """``************0001``: only the last 4 digits (the first ones are the region, which the
    village code beside it gives away)."""
    return "*" * max(len(number) - 4, 0) + number[-4:] if len(number) > 4 else "*" * len(number)


def masked(row: dict[str, Any]) -> dict[str, Any]:
    """The row as a masked export shows it: nothing in it, or in it and the other columns
    together, gives back the NIK or the family-card number."""
    out = dict(row)
    out["nik"] = mask_last4(str(row["nik"] or ""))
    out["kk_number"] = mask_last4(str(row["kk_number"] or ""))
    out["birth_year"] = str(row.get("birth_date") or "")[:4]
    return out


def _rows(f: q.RecordFilter, full_nik: bool, sessions: sessionmaker[Session]) -> Iterator[str]:
    buf = io.StringIO()
    # Every cell quoted: a cell with a ";" stays one cell where Excel splits on semicolons.
    out = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    buf.write("\ufeff")  # spreadsheets then read the file as UTF-8
    header = columns(full_nik)
    out.writerow(header)
    after: Cursor | None = None
    while True:
        with sessions() as s:
            rows, after = q.export_page(s, f, after, EXPORT_PAGE)
            s.rollback()
        for row in rows:
            shown = row if full_nik else masked(row)
            out.writerow([_cell(shown[c]) for c in header])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
        if after is None:
            return


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, after splitting the line on any separator,
    gets an apostrophe (CSV injection; :func:`common.csvformat.spreadsheet_safe`)."""
    if isinstance(value, str):
        return spreadsheet_safe(value, keep=_PHONE)
    return value
