"""Records: search by NIK (or family card), name, phone or registration code with filters,
and a record page with its revisions and their differences, its batches, decisions, audit
trail and consent version."""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import abort, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from common.digits import is_digits
from common.enums import CONSENT_VERSIONS, Status
from common.i18n import pick
from common.record import APPLICANT_FIELDS
from common.regions import regions
from syncserver.console.access import Staff, needs, staff
from syncserver.console.formatting import REJECT_REASONS, reason_label
from syncserver.console.i18n import current_lang
from syncserver.console.i18n import gettext as _
from syncserver.console.refusals import diff_fields
from syncserver.console.web import PAGE_SIZE, arg, blueprint, int_arg, parse_date
from syncserver.context import read_session as read_db
from syncserver.queries import console_records as q
from syncserver.queries.console_paging import aware, encode_key

bp = blueprint("records", "/records")
AUDIT_PAGE = 25


def record_filter(
    who: Staff, source: Any = None, default_sort: str = "-received"
) -> q.RecordFilter:
    """The filter in the query string (or a form: the export and bulk decisions)."""
    src = source if source is not None else request.args

    def get(name: str, n: int) -> str:
        return str(src.get(name) or "").strip()[:n]

    status = get("status", 24)
    province = get("province", 2)
    regency = get("regency", 5).replace(".", "")
    decision = get("decision", 24)
    return q.RecordFilter(
        q=get("q", 100),
        status=status if status in {s.value for s in Status} else "",
        office=get("office", 6),
        province=province if is_digits(province) else "",
        date_from=parse_date(get("from", 10)),
        date_to=parse_date(get("to", 10)),
        provinces=who.provinces,
        regency=f"{regency[:2]}.{regency[2:]}" if re.fullmatch(r"[0-9]{4}", regency) else "",
        device=get("device", 36),
        decision=decision if decision in DECISIONS else "",
        reviewer=get("reviewer", 64),
        sort=get("sort", 12) or default_sort,
    )


#: The decisions a list can be filtered by (a record with one in its history).
DECISIONS = ("verified", "rejected", "returned")


def filter_args(f: q.RecordFilter, default_sort: str = "-received") -> dict[str, str]:
    """The filter as query-string arguments (links, the export's hidden fields)."""
    out = {
        "q": f.q,
        "status": f.status,
        "office": f.office,
        "province": f.province,
        "regency": f.regency,
        "device": f.device,
        "decision": f.decision,
        "reviewer": f.reviewer,
        "from": f.date_from.isoformat() if f.date_from else "",
        "to": f.date_to.isoformat() if f.date_to else "",
        "sort": f.sort if f.sort != default_sort else "",
    }
    return {k: v for k, v in out.items() if v}


#: arguments of a list that are its page, not its filter or order
_PAGE_ARGS = ("after", "before", "start")


def listing_of(text: str | None) -> str:
    """The list a record page was opened from, as its query string with a leading ``?``
    (``"?status=received"``; ``"?"`` for the unfiltered list; "" for none): re-encoded from
    its parts, without the page cursors, so it is only ever a query string of the list."""
    text = (text or "").strip()
    if not text.startswith("?") or len(text) > 1000:
        return ""
    pairs = [(k, v) for k, v in parse_qsl(text[1:]) if k not in _PAGE_ARGS and v]
    return "?" + urlencode(pairs)


def list_url(listing: str) -> str:
    return url_for("console_records.index") + (listing if listing != "?" else "")


def next_in_list(s: Any, who: Staff, listing: str, reg: Any) -> q.RecordRow | None:
    """The record after ``reg`` in the list ``listing`` (same filter, same order, within
    the reviewer's provinces), whatever ``reg``'s status is now: the list's own query, one
    row after ``reg``'s place."""
    if not listing:
        return None
    f = record_filter(who, MultiDict(parse_qsl(listing[1:])))
    name, _ = q.sort_of(f.sort)
    key: Any = {"received": lambda: aware(reg.received_at), "name": lambda: reg.full_name.lower()}
    value = key.get(name, lambda: reg.code)()
    page = q.search(s, f, after=encode_key(value, reg.id), before=None, limit=1)
    return page.items[0] if page.items else None


@bp.get("/")
@needs("view")
def index() -> Any:
    return _list("console_records.index", "-received")


@bp.get("/queue")
@needs("view")
def queue() -> Any:
    """The review queue: records waiting for a decision, the longest waiting first."""
    return _list("console_records.queue", "received", status=Status.RECEIVED.value)


def _list(endpoint: str, default_sort: str, status: str = "") -> Any:
    who = staff()
    f = record_filter(who, default_sort=default_sort)
    if status and not arg("status"):
        f = dataclasses.replace(f, status=status)
    s = read_db()  # read-only: the standby when there is one
    page = q.search(s, f, after=arg("after"), before=arg("before"), limit=PAGE_SIZE)
    start = int_arg("start", 1, 1) if (arg("after") or arg("before")) else 1
    sort_name, descending = q.sort_of(f.sort, default_sort)
    return render_template(
        "console/records.html",
        endpoint=endpoint,
        is_queue=endpoint.endswith("queue"),
        page=page,
        # the whole list on one page: its rows are the count (no second search)
        total=q.Count(len(page.items), True) if not (page.next or page.prev) else q.count(s, f),
        start=start,
        page_size=PAGE_SIZE,
        sort_name=sort_name,
        sort_desc=descending,
        default_sort=default_sort,
        decisions_list=DECISIONS,
        f=f,
        kind=f.query_kind(),
        kind_labels=[_("search_" + k) for k in f.query_kind().split("+") if k],
        statuses=list(Status)[2:],
        provinces=[(a.code, a.name) for a in regions().children("") if who.sees_province(a.code)],
        reasons=REJECT_REASONS,
        reason_label=reason_label,
        filter_args=filter_args(f, default_sort),
        can_decide=who.can("decide"),
        can_export=who.can("export"),
        can_full_nik=who.can("admin"),
    )


@bp.get("/<reg_id>")
@needs("view")
def show(reg_id: str) -> Any:
    who = staff()
    s = read_db()  # read-only: the standby when there is one
    reg = q.get(s, reg_id[:64])
    if reg is None:
        abort(404)
    if not who.sees_province(reg.province_code):
        abort(403)
    revisions = q.revisions(s, reg.id)
    diffs = [
        (newer, older, diff_fields(newer.applicant or {}, older.applicant or {}))
        for newer, older in zip(revisions, revisions[1:], strict=False)
    ]
    # the record it duplicates may be in a province this reviewer may not see: only say so
    dup = q.get(s, reg.duplicate_of_id) if reg.duplicate_of_id else None
    audit_offset = int_arg("audit", 0, 0)
    audit = q.audit_trail(s, reg.id, audit_offset, AUDIT_PAGE)
    device, office = q.device_and_office(s, reg.device_id)
    listing = listing_of(arg("list", 1000))
    consent_version = (reg.applicant or {}).get("consent_version", "")
    consent_text = (
        pick(CONSENT_VERSIONS[consent_version], current_lang())
        if consent_version in CONSENT_VERSIONS
        else ""
    )
    return render_template(
        "console/record.html",
        reg=reg,
        applicant=reg.applicant or {},
        fields=[k for k in APPLICANT_FIELDS if k in (reg.applicant or {})],
        revisions=revisions,
        diffs=diffs,
        decisions=q.decisions(s, reg.id),
        audit=audit[:AUDIT_PAGE],
        audit_more=len(audit) > AUDIT_PAGE,
        audit_offset=audit_offset,
        audit_page=AUDIT_PAGE,
        batches=q.batches_of(s, reg.id),
        device=device,
        office=office,
        duplicate_of=dup if dup is not None and who.sees_province(dup.province_code) else None,
        duplicate_elsewhere=dup is not None and not who.sees_province(dup.province_code),
        consent_version=consent_version,
        consent_text=consent_text,
        reasons=REJECT_REASONS,
        reason_label=reason_label,
        can_decide=who.can("decide"),
        full_nik=who.can("decide"),
        listing=listing,
        list_url=list_url(listing) if listing else "",
        next_reg=next_in_list(s, who, listing, reg),
        related=[(r, who.sees_province(r.province_code)) for r in q.related(s, reg)],
    )
