"""Import bundle files (issue 16): an upload page for admins and intake operators.

A field laptop that never meets a network hands its records over on a file (a *records
bundle*, common/bundle.py); someone carries it to the central office and uploads it here. The
server module (syncserver/bundles.py) verifies, opens and ingests it through the same path as
a network push, logs the import (``bundle_imports``) and audits it; this page passes who
uploaded it (``uploaded_by``, ``via="console"``) and the uploader's province scope (an
intake operator limited to provinces imports only their offices' bundles:
BUNDLE_OUT_OF_SCOPE).

The answer shows what came in (device, office, records, counts per outcome, whether the file
was imported before) and offers the acknowledgement file to carry back to the laptop; a
refusal shows its catalog code and message, at the code's status, and changes nothing. Below,
the recent imports of the staff member's provinces.

The upload is bounded before it is read: the page allows a bundle's own limit
(``MAX_BUNDLE_BYTES``, above the app's ``max_body_bytes``) and a declared length above it is
refused unread (:func:`bound_upload`, called before the CSRF check parses the form); the
file part is then read to one byte past the limit.
"""

from __future__ import annotations

import io
from typing import Any

from flask import abort, render_template, request, send_file
from werkzeug.utils import secure_filename

from common import errors as E
from common.bundle import MAX_BUNDLE_BYTES
from common.errors import ApiError
from syncserver import bundles as server_bundles
from syncserver.console.access import Staff, needs, staff
from syncserver.console.i18n import current_lang
from syncserver.console.web import PAGE_SIZE, arg, blueprint, form
from syncserver.context import loket
from syncserver.context import session as db
from syncserver.queries import console_batches as batches_q
from syncserver.queries import console_bundles as q
from syncserver.queries import devices as devices_q
from syncserver.queries.console_paging import Cursor

bp = blueprint("bundles", "/bundles")

#: The upload form's endpoint (its body limit is raised before the CSRF check reads the form).
UPLOAD_ENDPOINT = "console_bundles.upload"
#: Room for the multipart framing and the form's other fields around the file.
FORM_SLACK = 64 * 1024
#: Longest original file name kept for the acknowledgement's name.
MAX_NAME_CHARS = 120


def bound_upload() -> None:
    """Before the upload form is parsed: a bundle's own size limit instead of the app's, and a
    declared body above it refused (BUNDLE_TOO_LARGE) without reading it. A body without a
    length stops at the same limit (Werkzeug's 413)."""
    limit = MAX_BUNDLE_BYTES + FORM_SLACK
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(E.BUNDLE_TOO_LARGE, {"max": MAX_BUNDLE_BYTES})
    request.max_content_length = limit


@bp.get("/")
@needs("intake")
def index() -> Any:
    return _page()


@bp.post("/")
@needs("intake")
def upload() -> Any:
    who = staff()
    part = request.files.get("bundle")
    name = _original_name(part.filename if part is not None else "")
    try:
        raw = part.stream.read(MAX_BUNDLE_BYTES + 1) if part is not None else b""
        if len(raw) > MAX_BUNDLE_BYTES:
            raise ApiError(E.BUNDLE_TOO_LARGE, {"max": MAX_BUNDLE_BYTES})
        if not raw:
            raise ApiError(E.BUNDLE_UNREADABLE)
        ext = loket()
        # the guard's reads (and a session touch) end here: the import runs in its own
        # transactions, which on SQLite must not wait behind this request's
        db().commit()
        result = server_bundles.import_bundle(
            ext.sessions,
            ext.settings,
            raw,
            now=ext.clock(),
            uploaded_by=who.username,
            via="console",
            provinces=who.provinces,
        )
    except ApiError as exc:
        refusal = {
            "code": exc.code,
            "message": E.message(exc.code, exc.params, current_lang()),
            "name": name,
        }
        return _page(refusal=refusal), E.spec(exc.code).http_status
    row = q.get(db(), result.import_id)
    office = devices_q.get_office(db(), result.office_code)
    return _page(
        result=result,
        row=row,
        office_name=office.name if office is not None else "",
        name=name,
        counts=_ordered(result.counts),
    )


@bp.post("/<int:import_id>/ack")
@needs("intake")
def ack(import_id: int) -> Any:
    who = staff()
    row = q.get(db(), import_id)
    if row is None:
        abort(404)
    _check_scope(who, row.office_code)
    name = _original_name(form("name", 500)) or f"loket-{row.bundle_id}"
    ext = loket()
    db().commit()  # as for the upload: the acknowledgement is made in its own transaction
    data = server_bundles.make_ack(ext.sessions, ext.settings, import_id, now=ext.clock())
    return send_file(
        io.BytesIO(data),
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=name + ".ack",
        max_age=0,
    )


def _page(**extra: Any) -> Any:
    who = staff()
    device = arg("device", 36)
    page = q.recent(
        db(),
        who.provinces,
        device=device,
        after=Cursor.decode(arg("after")),
        before=Cursor.decode(arg("before")),
        limit=PAGE_SIZE,
    )
    return render_template(
        "console/bundles.html",
        page=page,
        device=device,
        max_mb=MAX_BUNDLE_BYTES // (1024 * 1024),
        outcomes=batches_q.OUTCOMES,
        **extra,
    )


def _check_scope(who: Staff, office_code: str) -> None:
    if not who.sees_province(office_code[:2]):
        raise ApiError(E.BUNDLE_OUT_OF_SCOPE, {"office": office_code})


def _original_name(filename: str | None) -> str:
    """The uploaded file's name, safe as a download name (no folders, no odd characters)."""
    return secure_filename(filename or "")[:MAX_NAME_CHARS]


def _ordered(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts per outcome in the console's order of outcomes, then any other outcome."""
    known = [(o, counts[o]) for o in batches_q.OUTCOMES if o in counts]
    return known + sorted((o, n) for o, n in counts.items() if o not in batches_q.OUTCOMES)
