"""Decisions: verify, reject with a reason from a list, return for correction with a note;
one record at a time or in bulk from the records list (checkboxes and one POST).

Every decision goes through :func:`syncserver.decisions.record_decision`, the one place that
writes the decision, the status, the audit entry and the change the device pulls next.
Records flagged as potential duplicates are decided in the duplicate queue instead.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for

from common.enums import RejectReason, Status
from syncserver.app import loket
from syncserver.app import session as db
from syncserver.console.access import needs, safe_next, staff
from syncserver.console.i18n import current_lang
from syncserver.console.i18n import gettext as _
from syncserver.console.web import PAGE_SIZE, blueprint, form
from syncserver.decisions import record_decision
from syncserver.queries import console_records as q

bp = blueprint("decisions")

#: Reasons a reviewer can give for a rejection (common.enums.RejectReason; the device shows
#: the same labels).
REJECT_REASONS: tuple[str, ...] = tuple(r.value for r in RejectReason)
ACTIONS = ("verified", "rejected", "returned")
MAX_BULK = PAGE_SIZE * 4


def reason_label(code: str) -> str:
    reason = RejectReason.parse(code)
    return reason.label(current_lang()) if reason is not None else code


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
    back = url_for("console_records.show", reg_id=reg_id)
    s = db()
    reg = q.get(s, reg_id[:64])
    if reg is None:
        abort(404)
    if not who.sees_province(reg.province_code):
        abort(403)
    error = _checked(action, reason, note)
    if error is None and reg.status == Status.POTENTIAL_DUPLICATE.value:
        error = _("This record is a potential duplicate: resolve it in the duplicate queue.")
    if error:
        flash(error, "error")
        return redirect(back, 303)
    record_decision(s, reg.id, action, who.username, reason=reason if action == "rejected" else "",
                    note=note, now=loket().clock())  # fmt: skip
    flash(_("Decision saved: %(status)s. The office's device receives it at its next sync.",
            status=Status(action).label(_lang())), "ok")  # fmt: skip
    return redirect(back, 303)


@bp.post("/decisions/bulk")
@needs("decide")
def bulk() -> Any:
    """Decide on the ticked records of a list page (only those in the reviewer's scope)."""
    who = staff()
    back = safe_next(form("back", 1000), url_for("console_records.index"))
    action, reason, note = form("action", 20), form("reason", 64), form("note", 1000)
    ids = list(dict.fromkeys(i[:64] for i in request.form.getlist("ids")))[:MAX_BULK]
    error = _checked(action, reason, note) or (None if ids else _("Tick at least one record."))
    if error:
        flash(error, "error")
        return redirect(back, 303)
    s = db()
    allowed = set(q.ids_matching(s, q.RecordFilter(provinces=who.provinces), ids))
    now = loket().clock()
    done = skipped = 0
    for rid in ids:
        reg = q.get(s, rid) if rid in allowed else None
        if reg is None or reg.status == Status.POTENTIAL_DUPLICATE.value:
            skipped += 1
            continue
        record_decision(s, rid, action, who.username, reason=reason if action == "rejected" else "",
                        note=note, now=now)  # fmt: skip
        done += 1
    flash(
        _("%(n)s records decided: %(status)s.", n=done, status=Status(action).label(_lang())), "ok"
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


def _lang() -> Any:
    from syncserver.console.i18n import current_lang

    return current_lang()
