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

A province-limited reviewer sees a group when any of its members is in their provinces;
members elsewhere are masked (no NIK, name, phone or address: only that a registration in
another province exists) and cannot be decided. A resolution decides members (the kept one,
the rejected, the returned): if any of those is outside the reviewer's provinces it is
refused with ``DECISION_OUT_OF_SCOPE`` and nothing is written. Every member the resolution
decides must carry the revision the reviewer saw (``rev-<id>``); a newer one refuses the
whole resolution with what changed.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from common import errors as E
from common.compare import comparison_key, display_form
from common.digits import is_digits
from common.enums import Status
from common.errors import ApiError
from common.record import APPLICANT_FIELDS
from syncserver.console.access import Staff, needs, staff
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
from syncserver.console.web import arg, blueprint, form, int_arg
from syncserver.context import loket
from syncserver.context import read_session as read_db
from syncserver.context import session as db
from syncserver.decisions import record_decision
from syncserver.models import RegistrationRecord
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
        read_db(), after_id=after, limit=GROUPS_PER_PAGE, kind=kind, provinces=who.provinces
    )
    return render_template(
        "console/duplicates.html",
        groups=groups,
        summary=q.groups_summary(read_db(), groups, provinces=who.provinces),
        kind=kind,
        next_after=groups[-1].id if more and groups else None,
        after=after,
    )


#: a comparison cell: (registration id, value in its written form, differs from the first
#: member shown, the raw value where it is written otherwise, else None)
Cell = tuple[str, Any, bool, Any]


def _comparison(
    columns: list[RegistrationRecord | None],
) -> list[tuple[str, list[Cell | None], bool]]:
    """Rows of (field, [cell, or None for a masked member], any difference among the
    members shown). Values are compared by :func:`common.compare.comparison_key`: a phone
    written ``0812…`` or ``+62812…``, RT ``3`` or ``003``, a name in capitals or not is
    the same value, and is not highlighted."""
    shown = [m for m in columns if m is not None]
    keys = [k for k in APPLICANT_FIELDS if any(k in (m.applicant or {}) for m in shown)]
    rows: list[tuple[str, list[Cell | None], bool]] = []
    for key in keys:
        values = {m.id: (m.applicant or {}).get(key) for m in shown}
        canon = {i: comparison_key(key, v) for i, v in values.items()}
        first = canon[shown[0].id]
        cells: list[Cell | None] = []
        for m in columns:
            if m is None:
                cells.append(None)
                continue
            raw = values[m.id]
            written = display_form(key, raw)
            typed = raw if isinstance(raw, str) and written != raw else None
            cells.append((m.id, written, canon[m.id] != first, typed))
        rows.append((key, cells, len(set(canon.values())) > 1))
    return rows


def _in_scope(who: Staff, members: list[RegistrationRecord]) -> list[RegistrationRecord]:
    return [m for m in members if who.sees_province(m.province_code)]


def _group_or_404(group_id: int) -> tuple[q.GroupRow, list[RegistrationRecord]]:
    """The group and all its members; 403 unless one member at least is in the reviewer's
    provinces (every member is checked, not only the first registered)."""
    group = q.get_group(db(), group_id)
    if group is None:
        abort(404)
    members = q.members(db(), group)
    if not _in_scope(staff(), members) and not staff().sees_province(group.primary_province):
        abort(403)
    return group, members


@bp.get("/<int:group_id>")
@needs("view")
def show(group_id: int) -> Any:
    who = staff()
    group, members = _group_or_404(group_id)
    columns = [m if who.sees_province(m.province_code) else None for m in members]
    slots = q.kk_slot_holders(db(), group.key) if group.kind == "kk" else {}
    return render_template(
        "console/duplicate.html",
        group=group,
        members=columns,
        rows=_comparison(columns),
        slot_holders=set(slots.values()),
        can_decide=who.can("decide"),
        full_nik=who.can("decide"),
    )


def _decided_outside(who: Staff, decided: list[RegistrationRecord]) -> bool:
    return any(not who.sees_province(m.province_code) for m in decided)


def _stale_members(decided: list[RegistrationRecord]) -> list[Stale] | None:
    """Stale members among those the resolution decides (None: a revision was not posted)."""
    out = []
    for m in decided:
        seen = parse_revision(request.form.get(f"rev-{m.id}"))
        if seen is None:
            return None
        if seen != m.revision:
            out.append(stale(db(), m, seen))
    return out


@bp.post("/<int:group_id>/resolve")
@needs("decide")
def resolve(group_id: int) -> Any:
    who = staff()
    s = db()
    group, listed = _group_or_404(group_id)
    back = url_for("console_duplicates.show", group_id=group_id)
    members = {m.id: m for m in listed}
    action = form("action", 20)
    decided = _decided_by(action, group, members)
    if decided is not None:
        if _decided_outside(who, decided):
            return refused(E.DECISION_OUT_OF_SCOPE)
        stale_ones = _stale_members(decided)
        if stale_ones is None:
            return refused(E.DECISION_REVISION_REQUIRED)
        if stale_ones:
            return stale_page(stale_ones, back, who.can("decide"))
    try:
        return _resolve(who, group, members, action, back)
    except ApiError as exc:  # a push landed meanwhile: nothing of the resolution stays
        if exc.code in RULE_CODES:  # a registration of the NIK or card is verified elsewhere
            s.rollback()
            reg = members.get(str(exc.details.get("registration_id"))) or listed[0]
            return rule_refused(s, reg, exc.code, exc.message(current_lang()), back)
        if exc.code != E.DECISION_STALE_REVISION:
            raise
        s.rollback()
        fresh = [r for r in q.members(s, group) if r.id in {m.id for m in decided or []}]
        seen = {m.id: parse_revision(request.form.get(f"rev-{m.id}")) or 0 for m in fresh}
        return stale_page(
            [stale(s, m, seen[m.id]) for m in fresh if m.revision != seen[m.id]],
            back,
            who.can("decide"),
        )


@bp.post("/<int:group_id>/reopen")
@needs("decide")
def reopen(group_id: int) -> Any:
    """Put a resolved group back in the queue, to choose again which registrations stand
    (offered when a verification was refused by the rules)."""
    who = staff()
    group, _members = _group_or_404(group_id)
    if q.reopen(db(), group.id):
        append_audit(
            db(),
            now=loket().clock(),
            actor_kind="staff",
            actor=who.username,
            action="duplicates.reopen",
            target_kind="duplicate_group",
            target_id=str(group.id),
            details={"resolution": group.resolution},
        )
        flash(_("Group reopened: choose again which registrations stand."), "ok")
    return redirect(url_for("console_duplicates.show", group_id=group.id), 303)


def _live_here(who: Staff, members: dict[str, RegistrationRecord]) -> list[RegistrationRecord]:
    """The members a resolution may decide besides the ticked ones: not rejected, and in the
    reviewer's provinces (the others are left as they are, for a reviewer of theirs)."""
    return [
        m for m in members.values() if m.status not in _FINAL and who.sees_province(m.province_code)
    ]


def _kept(members: dict[str, RegistrationRecord]) -> RegistrationRecord | None:
    """The member chosen to keep: by id, or ``@<column>`` for a masked member (its id is not
    on the page of a reviewer limited to other provinces)."""
    value = form("keep", 64)
    if value.startswith("@") and is_digits(value[1:]):
        listed = list(members.values())
        n = int(value[1:])
        return listed[n] if n < len(listed) else None
    return members.get(value)


def _ticked(members: dict[str, RegistrationRecord]) -> list[RegistrationRecord]:
    return [members[i] for i in dict.fromkeys(request.form.getlist("ids")) if i in members]


def _decided_by(
    action: str, group: q.GroupRow, members: dict[str, RegistrationRecord]
) -> list[RegistrationRecord] | None:
    """The members a resolution would write a decision on (None: the form is incomplete,
    which :func:`_resolve` answers). A kept member outside the reviewer's provinces is not
    decided (only the reviewer's own duplicates of it are rejected)."""
    who = staff()
    live = _live_here(who, members)
    if action == "same_person" and group.kind == "nik":
        kept = _kept(members)
        if kept is None:
            return None
        own = [kept] if who.sees_province(kept.province_code) else []
        return [*own, *(m for m in live if m.id != kept.id)] or None
    if action in ("different_people", "kk_return") and group.kind == KIND_OF[action]:
        return _ticked(members) or None
    if action == "kk_keep" and group.kind == "kk":
        stand = {m.id for m in _ticked(members)}
        return [*(members[i] for i in stand), *(m for m in live if m.id not in stand)] or None
    return None


#: The group kind each resolution applies to.
KIND_OF = {"same_person": "nik", "different_people": "nik", "kk_keep": "kk", "kk_return": "kk"}


def _resolve(
    who: Staff, group: q.GroupRow, members: dict[str, RegistrationRecord], action: str, back: str
) -> Any:
    """Write the resolution. A rejected member may be kept (a reopened group chooses again:
    the one verified before is rejected first, so the rules hold at every step). The group
    stays in the queue while a member still waits (a member outside the reviewer's
    provinces, one not ticked, one sent meanwhile): nothing is left without an action."""
    s = db()
    note = form("note", 1000)
    now = loket().clock()
    live = _live_here(who, members)

    def seen(m: RegistrationRecord) -> int | None:
        return parse_revision(request.form.get(f"rev-{m.id}"))

    if action == "same_person" and group.kind == "nik":
        kept = _kept(members)
        if kept is None:
            flash(_("Choose the registration to keep."), "error")
            return redirect(back, 303)
        others = [m for m in live if m.id != kept.id]
        if not q.claim_resolution(s, group.id, "same_person", now):
            abort(409)
        q.point_duplicates_at(s, [m.id for m in others], kept.id)
        for m in others:
            # the note reaches the rejected record's device: it names the kept registration
            # only when that is the same office's (a device learns nothing of other offices)
            text = note or (
                _("Same person as registration %(code)s.", code=kept.code)
                if m.office_code == kept.office_code
                else _("Same person as a registration made elsewhere.")
            )
            record_decision(
                s,
                m.id,
                "rejected",
                who.username,
                reason="duplicate",
                note=text,
                now=now,
                seen_revision=seen(m),
            )
        if who.sees_province(kept.province_code):
            if kept.id != group.primary_registration_id:
                q.make_nik_primary(s, group.key, kept.id)
            q.clear_flag(s, kept.id)
            q.take_kk_slot(s, kept.kk_number, kept.id)
            if kept.status != Status.VERIFIED.value:
                record_decision(
                    s,
                    kept.id,
                    "verified",
                    who.username,
                    note=note,
                    now=now,
                    seen_revision=seen(kept),
                )
        details = {"kept": kept.id, "rejected": [m.id for m in others]}
    elif action in ("different_people", "kk_return") and group.kind == KIND_OF[action]:
        chosen = _ticked(members)
        if not chosen or not note:
            flash(
                _("Tick the registrations to return and write what the office must check."), "error"
            )
            return redirect(back, 303)
        if not q.claim_resolution(s, group.id, action, now):
            abort(409)
        for m in chosen:
            record_decision(
                s, m.id, "returned", who.username, note=note, now=now, seen_revision=seen(m)
            )
        details = {"returned": [m.id for m in chosen]}
    elif action == "kk_keep" and group.kind == "kk":
        stand = _ticked(members)
        if not stand or len(stand) > 2:
            flash(_("Tick one or two registrations that stand."), "error")
            return redirect(back, 303)
        if not q.claim_resolution(s, group.id, "kk_keep", now):
            abort(409)
        text = note or _(
            "More than two registrations on family card; kept: %(codes)s.",
            codes=", ".join(m.code for m in stand),
        )
        rejected = [m for m in live if m not in stand]
        for m in rejected:
            record_decision(
                s,
                m.id,
                "rejected",
                who.username,
                reason="kk_limit",
                note=text,
                now=now,
                seen_revision=seen(m),
            )
        for m in stand:
            q.take_kk_slot(s, group.key, m.id)
            q.clear_flag(s, m.id)
            if m.status != Status.VERIFIED.value:
                record_decision(
                    s, m.id, "verified", who.username, note=note, now=now, seen_revision=seen(m)
                )
        details = {"stand": [m.id for m in stand], "rejected": [m.id for m in rejected]}
    else:
        flash(_("Choose how to resolve this group."), "error")
        return redirect(back, 303)
    waiting = q.settle(s, group.id)
    append_audit(
        s,
        now=now,
        actor_kind="staff",
        actor=who.username,
        action=f"duplicates.{action}",
        target_kind="duplicate_group",
        target_id=str(group.id),
        details={**details, "still_waiting": waiting},
    )
    if waiting:
        flash(
            _(
                "Decisions saved. %(n)s registrations of this group still wait for a decision; the group stays in the queue.",
                n=waiting,
            ),
            "ok",
        )
        return redirect(back, 303)
    flash(_("Group resolved. The offices' devices receive the decisions at their next sync."), "ok")
    return redirect(url_for("console_duplicates.index"), 303)
