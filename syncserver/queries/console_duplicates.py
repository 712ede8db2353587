"""SQL for the console's duplicate queue: open groups, their members, and the writes a
resolution needs besides the decisions themselves (which go through
:func:`syncserver.decisions.record_decision`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from syncserver.models import DuplicateGroup, KkSlot, NikPrimary, RegistrationRecord

MAX_MEMBERS = 20


@dataclass(frozen=True, slots=True)
class GroupRow:
    id: int
    kind: str
    key: str
    primary_registration_id: str
    created_at: datetime
    resolved_at: datetime | None
    resolution: str
    primary_province: str | None


def _groups() -> Select[int, str, str, str, datetime, datetime | None, str, str]:
    """The columns of a :class:`GroupRow`: a group and its primary registration's province."""
    return select(
        DuplicateGroup.id,
        DuplicateGroup.kind,
        DuplicateGroup.key,
        DuplicateGroup.primary_registration_id,
        DuplicateGroup.created_at,
        DuplicateGroup.resolved_at,
        DuplicateGroup.resolution,
        RegistrationRecord.province_code,
    ).outerjoin(RegistrationRecord, RegistrationRecord.id == DuplicateGroup.primary_registration_id)


def open_groups(
    session: Session, *, after_id: int, limit: int, kind: str = "", provinces: tuple[str, ...] = ()
) -> tuple[list[GroupRow], bool]:
    """Unresolved groups, oldest first (keyset on the id; partial index ix_duplicate_groups_open)."""
    stmt = (
        _groups()
        .where(DuplicateGroup.resolved_at.is_(None), DuplicateGroup.id > after_id)
        .order_by(DuplicateGroup.id)
        .limit(limit + 1)
    )
    if kind:
        stmt = stmt.where(DuplicateGroup.kind == kind)
    if provinces:
        stmt = stmt.where(group_in_scope(RegistrationRecord, provinces))
    rows = [GroupRow(*r) for r in session.execute(stmt)]
    return rows[:limit], len(rows) > limit


def group_in_scope(first: Any, provinces: Any) -> Any:
    """Whether a reviewer limited to ``provinces`` sees the duplicate group: any member is in
    scope, not only its first one (``first``: the RegistrationRecord, or an alias of it, joined as
    the group's primary registration). The queue lists and the dashboard counts by this."""
    member = aliased(RegistrationRecord)
    holder = aliased(RegistrationRecord)
    flagged_here = (
        select(member.id)
        .where(member.duplicate_group_id == DuplicateGroup.id)
        .where(member.province_code.in_(provinces))
        .exists()
    )
    slot_here = (
        select(KkSlot.registration_id)
        .join(holder, holder.id == KkSlot.registration_id)
        .where(DuplicateGroup.kind == "kk", KkSlot.kk_number == DuplicateGroup.key)
        .where(holder.province_code.in_(provinces))
        .exists()
    )
    return or_(first.province_code.in_(provinces), flagged_here, slot_here)


def get_group(session: Session, group_id: int) -> GroupRow | None:
    row = session.execute(_groups().where(DuplicateGroup.id == group_id)).first()
    return GroupRow(*row) if row else None


def group_for(session: Session, kind: str, key: str) -> GroupRow | None:
    """The group of a NIK (``nik``) or family card (``kk``), resolved or not."""
    gid = session.execute(
        select(DuplicateGroup.id).where(DuplicateGroup.kind == kind, DuplicateGroup.key == key)
    ).scalar_one_or_none()
    return get_group(session, gid) if gid is not None else None


def reopen(session: Session, group_id: int) -> bool:
    """Put a resolved group back in the queue (True if it was resolved)."""
    row = session.execute(
        update(DuplicateGroup)
        .where(DuplicateGroup.id == group_id, DuplicateGroup.resolved_at.is_not(None))
        .values(resolved_at=None, resolution="")
        .returning(DuplicateGroup.id)
    ).first()
    return row is not None


def member_ids(session: Session, group: GroupRow) -> list[str]:
    """The primary, every registration flagged into the group, and for a family card the
    registrations holding its two slots; the primary first, then by arrival."""
    ids = {group.primary_registration_id}
    ids.update(
        session.scalars(
            select(RegistrationRecord.id)
            .where(RegistrationRecord.duplicate_group_id == group.id)
            .limit(MAX_MEMBERS)
        )
    )
    if group.kind == "kk":
        ids.update(
            session.scalars(select(KkSlot.registration_id).where(KkSlot.kk_number == group.key))
        )
    return list(ids)


def members(session: Session, group: GroupRow) -> list[RegistrationRecord]:
    ids = member_ids(session, group)
    rows = list(session.scalars(select(RegistrationRecord).where(RegistrationRecord.id.in_(ids))))
    rows.sort(key=lambda r: (r.id != group.primary_registration_id, r.received_at, r.id))
    return rows


def groups_summary(
    session: Session, groups: list[GroupRow], provinces: tuple[str, ...] = ()
) -> dict[int, list[tuple[str, str, str, str, str]]]:
    """Group id -> [(registration id, code, name, office, status)] for a page of the queue;
    a member outside ``provinces`` (when given) is all empty strings: it exists, nothing more."""
    out: dict[int, list[tuple[str, str, str, str, str]]] = {}
    if not groups:
        return out
    by_id = {g.id: g for g in groups}
    # a family card's group lists the holders of its two slots too (the primary holds one,
    # the other is not flagged): all three people, not two of them
    card_of = {g.key: g.id for g in groups if g.kind == "kk"}
    holders: dict[str, set[int]] = {}
    if card_of:
        for kk, rid in session.execute(
            select(KkSlot.kk_number, KkSlot.registration_id).where(
                KkSlot.kk_number.in_(list(card_of))
            )
        ):
            holders.setdefault(rid, set()).add(card_of[kk])
    primary_of: dict[str, set[int]] = {}
    for g in groups:
        primary_of.setdefault(g.primary_registration_id, set()).add(g.id)
    ids = sorted({*primary_of, *holders})
    rows = session.execute(
        select(
            RegistrationRecord.id,
            RegistrationRecord.code,
            RegistrationRecord.full_name,
            RegistrationRecord.office_code,
            RegistrationRecord.status,
            RegistrationRecord.duplicate_group_id,
            RegistrationRecord.province_code,
        )
        .where(
            (RegistrationRecord.duplicate_group_id.in_(list(by_id)))
            | (RegistrationRecord.id.in_(ids))
        )
        .order_by(RegistrationRecord.received_at, RegistrationRecord.id)
        .limit(len(groups) * MAX_MEMBERS)
    ).all()
    listed: set[tuple[int, str]] = set()
    for r in rows:
        gids = {r[5]} if r[5] in by_id else set()
        gids |= primary_of.get(r[0], set()) | holders.get(r[0], set())
        for gid in gids:
            if (gid, r[0]) not in listed:
                listed.add((gid, r[0]))
                shown = not provinces or r[6] in provinces
                row = (r[0], r[1], r[2], r[3], r[4]) if shown else ("", "", "", "", "")
                out.setdefault(gid, []).append(row)
    return out


def claim_resolution(session: Session, group_id: int, resolution: str, now: datetime) -> bool:
    """Mark the group resolved, if nobody did before (one UPDATE: two reviewers resolving the
    same group at once: the second finds it resolved)."""
    row = session.execute(
        update(DuplicateGroup)
        .where(DuplicateGroup.id == group_id, DuplicateGroup.resolved_at.is_(None))
        .values(resolved_at=now, resolution=resolution[:32])
        .returning(DuplicateGroup.id)
    ).first()
    return row is not None


def settle(session: Session, group_id: int) -> int:
    """After a resolution: the number of the group's registrations still waiting for review
    (``potential_duplicate``: outside the reviewer's provinces, not ticked, or sent while the
    reviewer looked). A group with any is put back in the queue, so none is left where no
    page offers an action."""
    waiting = int(
        session.execute(
            select(func.count())
            .select_from(RegistrationRecord)
            .where(
                RegistrationRecord.status == "potential_duplicate",
                or_(
                    RegistrationRecord.duplicate_group_id == group_id,
                    RegistrationRecord.id
                    == select(DuplicateGroup.primary_registration_id)
                    .where(DuplicateGroup.id == group_id)
                    .scalar_subquery(),
                ),
            )
        ).scalar_one()
    )
    if waiting:
        session.execute(
            update(DuplicateGroup)
            .where(DuplicateGroup.id == group_id)
            .values(resolved_at=None, resolution="")
        )
    return waiting


def point_duplicates_at(session: Session, ids: list[str], kept_id: str) -> None:
    """The registrations ``ids`` are duplicates of ``kept_id`` (the link the device is told)."""
    if ids:
        session.execute(
            update(RegistrationRecord)
            .where(RegistrationRecord.id.in_(ids))
            .values(duplicate_of_id=kept_id)
        )


def make_nik_primary(session: Session, nik: str, registration_id: str) -> None:
    session.execute(
        update(NikPrimary).where(NikPrimary.nik == nik).values(registration_id=registration_id)
    )


def clear_flag(session: Session, registration_id: str) -> None:
    session.execute(
        update(RegistrationRecord)
        .where(RegistrationRecord.id == registration_id)
        .values(flag_reason=None, duplicate_of_id=None)
    )


def kk_slot_holders(session: Session, kk_number: str) -> dict[int, str]:
    return dict(
        session.execute(
            select(KkSlot.slot, KkSlot.registration_id).where(KkSlot.kk_number == kk_number)
        ).all()
    )


def take_kk_slot(session: Session, kk_number: str, registration_id: str) -> bool:
    """Give the registration a free slot of its family card (True if it holds one now)."""
    from syncserver.queries.ingest import claim_kk_slots

    holders = kk_slot_holders(session, kk_number)
    if registration_id in holders.values():
        return True
    for slot in (1, 2):
        if slot not in holders:
            got = claim_kk_slots(
                session,
                [{"kk_number": kk_number, "slot": slot, "registration_id": registration_id}],
            )
            if registration_id in got:
                return True
    return False
