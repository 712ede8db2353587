"""Decisions: verify, reject with a reason from a list, return for correction with a note;
one record at a time or in bulk from the records list (checkboxes and one POST).

Every decision goes through :func:`syncserver.decisions.record_decision`, the one place that
writes the decision, the status, the audit entry and the change the device pulls next.
Records flagged as potential duplicates are decided in the duplicate queue instead.

Every form names the revision the reviewer saw (``revision``; in bulk ``rev-<id>`` per
record). A record a device changed since is refused with what changed (409, nothing
written); a bulk with one stale record is refused as a whole, naming every stale record, so
the reviewer never finds some ticked records decided and others not.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from common import errors as E
from common.enums import Status
from common.errors import ApiError
from syncserver.console import records
from syncserver.console.access import Staff, needs, safe_next, staff
from syncserver.console.formatting import REJECT_REASONS, reason_label
from syncserver.console.i18n import current_lang
from syncserver.console.i18n import gettext as _
from syncserver.console.refusals import (
    RULE_CODES,
    Stale,
    parse_revision,
    refused,
    rule_refused,
    stale,
    stale_page,
)
from syncserver.console.web import PAGE_SIZE, blueprint, form
from syncserver.context import loket
from syncserver.context import session as db
from syncserver.decisions import record_decision
from syncserver.queries import console_records as q

bp = blueprint("decisions")

ACTIONS = ("verified", "rejected", "returned")
MAX_BULK = PAGE_SIZE * 4


def _checked(action: str, reason: str, note: str) -> str | None:
    """An error message, or None when the decision's fields are complete."""
    if action not in ACTIONS:
        return _("Choose a decision.")
    if action == "rejected" and reason not in REJECT_REASONS:
        return _("Choose a reason for the rejection.")
    if action == "returned" and not note:
        return _("Write a note saying what the office must correct.")
    return None


@bp.post("/records/<reg_id>/decide")
@needs("decide")
def decide(reg_id: str) -> Any:
    who = staff()
    action, reason, note = form("action", 20), form("reason", 64), form("note", 1000)
    listing = records.listing_of(form("list", 1000))
    extra: dict[str, Any] = {"list": listing} if listing else {}
    back = url_for("console_records.show", reg_id=reg_id, **extra)
    s = db()
    reg = q.get(s, reg_id[:64])
    if reg is None:
        abort(404)
    if not who.sees_province(reg.province_code):
        return refused(E.DECISION_OUT_OF_SCOPE)
    seen = parse_revision(request.form.get("revision"))
    if seen is None:
        return refused(E.DECISION_REVISION_REQUIRED)
    error = _checked(action, reason, note)
    if error is None and reg.status == Status.POTENTIAL_DUPLICATE.value:
        error = _("This record is a potential duplicate: resolve it in the duplicate queue.")
    if error:
        flash(error, "error")
        return redirect(back, 303)
    if seen != reg.revision:
        return stale_page([stale(s, reg, seen)], back, who.can("decide"))
    try:
        _record(s, reg.id, action, who, reason, note, loket().clock(), seen)
    except ApiError as exc:  # a push landed between the read above and the UPDATE
        if exc.code in RULE_CODES:  # a verified one of this NIK or card already (defect 1)
            s.rollback()
            return rule_refused(s, reg, exc.code, exc.message(current_lang()), back)
        if exc.code != E.DECISION_STALE_REVISION:
            raise
        s.rollback()
        return stale_page([stale(s, q.get(s, reg.id) or reg, seen)], back, who.can("decide"))
    flash(
        _(
            "Decision saved: %(status)s. The office's device receives it at its next sync.",
            status=Status(action).label(current_lang()),
        ),
        "ok",
    )
    return redirect(_after_decision(s, who, listing, reg) or back, 303)


#: "Verify 37 registrations?": the question a bulk decision asks before anything is written
CONFIRM_QUESTIONS = {
    "verified": "Verify %(n)s registrations?",
    "rejected": "Reject %(n)s registrations?",
    "returned": "Return %(n)s registrations for correction?",
}


def confirm_question(action: str, n: int | str) -> str:
    return _(CONFIRM_QUESTIONS[action], n=n) if action in CONFIRM_QUESTIONS else ""


@bp.get("/decisions/bulk")
@needs("view")
def bulk_page() -> Any:
    """The list a bulk form was posted from (the language switch of a refused bulk's page
    links here)."""
    args: dict[str, Any] = request.args.to_dict()  # the first value of each, as before
    return redirect(url_for("console_records.index", **args), 303)


@bp.post("/decisions/bulk")
@needs("decide")
def bulk() -> Any:
    """Decide on the ticked records of a list page (only those in the reviewer's scope).

    The form is posted to this URL with the list's query string, so that an incomplete
    decision re-renders that same list with the ticks, the decision, reason and note kept
    (a redirect would lose them). A complete one is confirmed first on a page naming the
    count (``confirmed=1`` skips it: the page's script asks the same question in a dialog);
    there is no default decision."""
    who = staff()
    back = safe_next(form("back", 1000), url_for("console_records.index"))
    action, reason, note = form("action", 20), form("reason", 64), form("note", 1000)
    ids = list(dict.fromkeys(i[:64] for i in request.form.getlist("ids")))[:MAX_BULK]
    error = _checked(action, reason, note) or (None if ids else _("Tick at least one record."))
    if error:
        flash(error, "error")
        return _list_again()
    s = db()
    allowed = set(q.ids_matching(s, q.RecordFilter(provinces=who.provinces), ids))
    regs = {rid: q.get(s, rid) for rid in ids}
    if any(reg is not None and rid not in allowed for rid, reg in regs.items()):
        return refused(E.DECISION_OUT_OF_SCOPE)  # only a forged form names one: refuse it all
    seen = {rid: parse_revision(request.form.get(f"rev-{rid}")) for rid in ids}
    if any(v is None for v in seen.values()):
        return refused(E.DECISION_REVISION_REQUIRED)
    pending = Status.POTENTIAL_DUPLICATE.value
    todo = [r for r in regs.values() if r is not None and r.status != pending]
    skipped = len(ids) - len(todo)
    stale_ones = [stale(s, r, seen[r.id] or 0) for r in todo if seen[r.id] != r.revision]
    if stale_ones:
        return stale_page(stale_ones, back, who.can("decide"))
    if form("confirmed", 1) != "1":
        return render_template(
            "console/bulk_confirm.html",
            question=confirm_question(action, len(ids)),
            regs=[r for r in regs.values() if r is not None],
            skipped=skipped,
            action=action,
            reason=reason,
            note=note,
            ids=ids,
            seen=seen,
            back=back,
            status_label=Status(action).label(current_lang()),
            reason_text=reason_label(reason) if action == "rejected" else "",
        )
    now = loket().clock()
    try:
        for reg in todo:
            _record(s, reg.id, action, who, reason, note, now, seen[reg.id])
    except ApiError as exc:  # a push landed meanwhile: refuse the whole bulk, as above
        if exc.code in RULE_CODES:  # one ticked record would break a rule: none is decided
            s.rollback()
            reg = q.get(s, str(exc.details.get("registration_id"))) or todo[0]
            return rule_refused(s, reg, exc.code, exc.message(current_lang()), back)
        if exc.code != E.DECISION_STALE_REVISION:
            raise
        s.rollback()
        return stale_page(_stale_now(s, todo, seen), back, who.can("decide"))
    done = len(todo)
    flash(
        _(
            "%(n)s records decided: %(status)s.",
            n=done,
            status=Status(action).label(current_lang()),
        ),
        "ok",
    )
    if skipped:
        flash(
            _(
                "%(n)s records skipped (potential duplicates, or outside your provinces).",
                n=skipped,
            ),
            "error",
        )
    return redirect(back, 303)


def _record(
    s: Any,
    reg_id: str,
    action: str,
    who: Staff,
    reason: str,
    note: str,
    now: datetime,
    seen: int | None,
) -> None:
    """One decision from a form (the reason only with a rejection)."""
    record_decision(
        s,
        reg_id,
        action,
        who.username,
        reason=reason if action == "rejected" else "",
        note=note,
        now=now,
        seen_revision=seen,
    )


def _after_decision(s: Any, who: Any, listing: str, reg: Any) -> str | None:
    """Where a reviewer goes after deciding a record opened from a list: the list's next
    record (same filter and order), or the list itself after its last one."""
    if not listing:
        return None
    following = records.next_in_list(s, who, listing, reg)
    if following is None:
        return records.list_url(listing)
    return url_for("console_records.show", reg_id=following.id, list=listing)


def _list_again() -> Any:
    """The list the bulk form came from, again, with what the reviewer ticked and typed."""
    return records.index(), 400


def _stale_now(s: Any, regs: list[Any], seen: dict[str, int | None]) -> list[Stale]:
    """The records of ``regs`` whose revision moved past the posted one, read again."""
    out = []
    for old in regs:
        reg = q.get(s, old.id)
        if reg is not None and reg.revision != seen[old.id]:
            out.append(stale(s, reg, seen[old.id] or 0))
    return out
