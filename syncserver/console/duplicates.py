"""The duplicate queue: registrations sharing a NIK, and family cards with more than two
registrations, side by side field by field, with the differences highlighted.

Resolutions (each decision through :func:`syncserver.decisions.record_decision`):

* NIK group, **same person**: the reviewer keeps one registration; it becomes the NIK's
  primary and is verified; the others are rejected as duplicates, linked to the kept one
  (the device is told its code).
* NIK group, **different people**: a data-entry error; the ticked registrations are
  returned to their office for correction with the reviewer's note.
* Family card: the reviewer ticks the two registrations that stand (they take the card's
  two slots and are verified); the others are rejected (more than two on one card).
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from common.enums import Status
from common.record import APPLICANT_FIELDS
from syncserver.app import loket
from syncserver.app import session as db
from syncserver.console.access import needs, staff
from syncserver.console.i18n import gettext as _
from syncserver.console.web import arg, blueprint, form, int_arg
from syncserver.decisions import record_decision
from syncserver.models import Registration
from syncserver.queries import console_duplicates as q
from syncserver.queries.reviews import append_audit

bp = blueprint("duplicates", "/duplicates")
GROUPS_PER_PAGE = 20
_FINAL = {Status.REJECTED.value}


@bp.get("/")
@needs("view")
def index() -> Any:
    who = staff()
    kind = arg("kind", 3) if arg("kind", 3) in ("nik", "kk") else ""
    after = int_arg("after", 0, 0)
    groups, more = q.open_groups(
        db(), after_id=after, limit=GROUPS_PER_PAGE, kind=kind, provinces=who.provinces
    )
    return render_template(
        "console/duplicates.html",
        groups=groups,
        summary=q.groups_summary(db(), groups),
        kind=kind,
        next_after=groups[-1].id if more and groups else None,
        after=after,
    )


def _comparison(members: list[Registration]) -> list[tuple[str, list[tuple[str, Any, bool]], bool]]:
    """Rows of (field, [(registration id, value, differs from the first)], any difference)."""
    keys = [k for k in APPLICANT_FIELDS if any(k in (m.applicant or {}) for m in members)]
    rows = []
    for key in keys:
        values = [(m.applicant or {}).get(key) for m in members]
        canon = [json.dumps(v, sort_keys=True) for v in values]
        cells = [(m.id, v, c != canon[0]) for m, v, c in zip(members, values, canon, strict=True)]
        rows.append((key, cells, len(set(canon)) > 1))
    return rows


def _group_or_404(group_id: int) -> q.GroupRow:
    group = q.get_group(db(), group_id)
    if group is None:
        abort(404)
    if not staff().sees_province(group.primary_province):
        abort(403)
    return group


@bp.get("/<int:group_id>")
@needs("view")
def show(group_id: int) -> Any:
    who = staff()
    group = _group_or_404(group_id)
    members = q.members(db(), group)
    slots = q.kk_slot_holders(db(), group.key) if group.kind == "kk" else {}
    return render_template(
        "console/duplicate.html",
        group=group,
        members=members,
        rows=_comparison(members),
        slot_holders=set(slots.values()),
        can_decide=who.can("decide"),
        full_nik=who.can("decide"),
    )


@bp.post("/<int:group_id>/resolve")
@needs("decide")
def resolve(group_id: int) -> Any:
    who = staff()
    s = db()
    group = _group_or_404(group_id)
    back = url_for("console_duplicates.show", group_id=group_id)
    members = {m.id: m for m in q.members(s, group)}
    action = form("action", 20)
    note = form("note", 1000)
    now = loket().clock()
    if action == "same_person" and group.kind == "nik":
        kept = members.get(form("keep", 64))
        if kept is None or kept.status in _FINAL:
            flash(_("Choose the registration to keep."), "error")
            return redirect(back, 303)
        others = [m for m in members.values() if m.id != kept.id and m.status not in _FINAL]
        if not q.claim_resolution(s, group.id, "same_person", now):
            abort(409)
        q.point_duplicates_at(s, [m.id for m in others], kept.id)
        if kept.id != group.primary_registration_id:
            q.make_nik_primary(s, group.key, kept.id)
        q.clear_flag(s, kept.id)
        text = note or _("Same person as registration %(code)s.", code=kept.code)
        for m in others:
            record_decision(
                s, m.id, "rejected", who.username, reason="duplicate", note=text, now=now
            )
        q.take_kk_slot(s, kept.kk_number, kept.id)
        if kept.status != Status.VERIFIED.value:
            record_decision(s, kept.id, "verified", who.username, note=note, now=now)
        details = {"kept": kept.id, "rejected": [m.id for m in others]}
    elif action == "different_people" and group.kind == "nik":
        chosen = [members[i] for i in request.form.getlist("ids") if i in members]
        if not chosen or not note:
            flash(
                _("Tick the registrations to return and write what the office must check."), "error"
            )
            return redirect(back, 303)
        if not q.claim_resolution(s, group.id, "different_people", now):
            abort(409)
        for m in chosen:
            record_decision(s, m.id, "returned", who.username, note=note, now=now)
        details = {"returned": [m.id for m in chosen]}
    elif action == "kk_keep" and group.kind == "kk":
        stand = [members[i] for i in request.form.getlist("ids") if i in members]
        live = [m for m in members.values() if m.status not in _FINAL]
        if not stand or len(stand) > 2 or any(m.status in _FINAL for m in stand):
            flash(_("Tick one or two registrations that stand."), "error")
            return redirect(back, 303)
        if not q.claim_resolution(s, group.id, "kk_keep", now):
            abort(409)
        text = note or _("More than two registrations on family card; kept: %(codes)s.",
                         codes=", ".join(m.code for m in stand))  # fmt: skip
        for m in live:
            if m not in stand:
                record_decision(
                    s, m.id, "rejected", who.username, reason="kk_limit", note=text, now=now
                )
        for m in stand:
            q.take_kk_slot(s, group.key, m.id)
            q.clear_flag(s, m.id)
            if m.status != Status.VERIFIED.value:
                record_decision(s, m.id, "verified", who.username, note=note, now=now)
        details = {
            "stand": [m.id for m in stand],
            "rejected": [m.id for m in live if m not in stand],
        }
    else:
        flash(_("Choose how to resolve this group."), "error")
        return redirect(back, 303)
    append_audit(
        s, now=now, actor_kind="staff", actor=who.username, action=f"duplicates.{action}",
        target_kind="duplicate_group", target_id=str(group.id), details=details,
    )  # fmt: skip
    flash(_("Group resolved. The offices' devices receive the decisions at their next sync."), "ok")
    return redirect(url_for("console_duplicates.index"), 303)
