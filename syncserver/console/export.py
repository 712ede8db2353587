"""CSV export of the records list's current filter, streamed page by page.

The response is a generator over keyset pages of 2,000 rows, each read in its own short
transaction (on SQLite a transaction holds the write lock, so the export never blocks ingest
for long), so a million rows stream in constant memory. NIK and family-card numbers are
masked unless an admin ticks "full NIK"; every export is in the audit log with its filter.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from flask import Response, abort, request, stream_with_context

from common.nik import mask_nik
from syncserver.app import loket
from syncserver.app import session as db
from syncserver.console.access import needs, staff
from syncserver.console.records import filter_args, record_filter
from syncserver.console.web import blueprint
from syncserver.queries import console_records as q
from syncserver.queries.console_paging import Cursor
from syncserver.queries.reviews import append_audit

bp = blueprint("export")
EXPORT_PAGE = 2000
_PHONE = re.compile(r"^\+\d{8,15}$")


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
        db(), now=now, actor_kind="staff", actor=who.username, action="export.csv",
        target_kind="registrations", target_id="",
        details={"filter": filter_args(f), "provinces": list(who.provinces), "full_nik": full_nik},
    )  # fmt: skip
    name = f"loket-export-{now.strftime('%Y%m%d-%H%M%S')}.csv"
    return Response(
        stream_with_context(_rows(f, full_nik)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _rows(f: q.RecordFilter, full_nik: bool) -> Iterator[str]:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    buf.write("\ufeff")  # spreadsheets then read the file as UTF-8
    out.writerow(q.EXPORT_COLUMNS)
    after: Cursor | None = None
    sessions = loket().sessions
    while True:
        with sessions() as s:
            rows, after = q.export_page(s, f, after, EXPORT_PAGE)
            s.rollback()
        for row in rows:
            if not full_nik:
                row["nik"] = mask_nik(row["nik"])
                row["kk_number"] = mask_nik(row["kk_number"])
            out.writerow([_cell(row[c]) for c in q.EXPORT_COLUMNS])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
        if after is None:
            return


def _cell(value: Any) -> Any:
    """Cells a spreadsheet would run as a formula get a leading apostrophe (CSV injection)."""
    if (
        isinstance(value, str)
        and value[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not _PHONE.match(value)
    ):
        return "'" + value
    return value
