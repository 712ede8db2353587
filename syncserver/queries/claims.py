"""The statements on review claims (table ``review_claims``); the rules they serve (who may
claim what, which decisions a claim refuses) are in :mod:`syncserver.claims`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from common.enums import Status
from syncserver.models import DuplicateGroup, RegistrationRecord, ReviewClaim
from syncserver.queries._dialect import dialect

GROUP = "group"
REGISTRATION = "registration"


@dataclass(frozen=True, slots=True)
class Claim:
    kind: str
    target: str
    reviewer: str
    claimed_at: datetime
    expires_at: datetime


#: A :class:`Claim`'s columns, in its field order.
_CLAIM_COLUMNS = (
    ReviewClaim.kind,
    ReviewClaim.target,
    ReviewClaim.reviewer,
    ReviewClaim.claimed_at,
    ReviewClaim.expires_at,
)


def take(
    session: Session,
    kind: str,
    targets: Sequence[str],
    reviewer: str,
    *,
    now: datetime,
    until: datetime,
) -> list[str]:
    """For each target in the given order, one ``INSERT ... ON CONFLICT DO UPDATE ...
    WHERE``: a free or expired target is taken, the reviewer's own renewed, someone else's
    live claim left alone. The targets the reviewer holds afterwards."""
    ins = (postgresql.insert if dialect(session) == "postgresql" else sqlite.insert)(ReviewClaim)
    stmt = ins.on_conflict_do_update(
        index_elements=[ReviewClaim.kind, ReviewClaim.target],
        set_={
            "reviewer": ins.excluded.reviewer,
            "claimed_at": ins.excluded.claimed_at,
            "expires_at": ins.excluded.expires_at,
        },
        where=or_(ReviewClaim.expires_at <= now, ReviewClaim.reviewer == ins.excluded.reviewer),
    ).returning(ReviewClaim.target)
    got: list[str] = []
    for target in targets:
        row = session.execute(
            stmt,
            {
                "kind": kind,
                "target": target,
                "reviewer": reviewer,
                "claimed_at": now,
                "expires_at": until,
            },
        ).first()
        if row is not None:
            got.append(str(row[0]))
    return got


def release(
    session: Session, reviewer: str, kind: str | None = None, targets: Sequence[str] = ()
) -> int:
    """Delete the reviewer's claims (all, those of ``kind``, or the named targets of it);
    how many went."""
    stmt = delete(ReviewClaim).where(ReviewClaim.reviewer == reviewer)
    if kind is not None:
        stmt = stmt.where(ReviewClaim.kind == kind)
        if targets:
            stmt = stmt.where(ReviewClaim.target.in_(targets))
    result = cast(CursorResult[Any], session.execute(stmt))
    return int(result.rowcount or 0)


def live(session: Session, now: datetime, reviewer: str = "") -> list[Claim]:
    """Claims not expired, the newest first (who is on what)."""
    stmt = select(*_CLAIM_COLUMNS).where(ReviewClaim.expires_at > now)
    if reviewer:
        stmt = stmt.where(ReviewClaim.reviewer == reviewer)
    stmt = stmt.order_by(ReviewClaim.reviewer, ReviewClaim.claimed_at.desc(), ReviewClaim.target)
    return [Claim(*r) for r in session.execute(stmt)]


def of(session: Session, kind: str, target: str, now: datetime) -> Claim | None:
    """The live claim on one target, if any."""
    row = session.execute(
        select(*_CLAIM_COLUMNS).where(
            ReviewClaim.kind == kind, ReviewClaim.target == target, ReviewClaim.expires_at > now
        )
    ).first()
    return Claim(*row) if row else None


def _group_ids_of(session: Session, reg: RegistrationRecord) -> list[str]:
    """The duplicate groups ``reg`` belongs to: flagged into, primary of, or sharing the
    group's NIK or family card (a slot holder is a member of its card's group)."""
    conds = [
        and_(DuplicateGroup.kind == "nik", DuplicateGroup.key == reg.nik),
        and_(DuplicateGroup.kind == "kk", DuplicateGroup.key == reg.kk_number),
    ]
    if reg.duplicate_group_id is not None:
        conds.append(DuplicateGroup.id == reg.duplicate_group_id)
    return [str(i) for i in session.scalars(select(DuplicateGroup.id).where(or_(*conds)))]


def holder(session: Session, reg: RegistrationRecord, now: datetime) -> Claim | None:
    """The live claim covering ``reg`` (its own, or one of its groups'), if any."""
    groups = _group_ids_of(session, reg)
    cond = and_(ReviewClaim.kind == REGISTRATION, ReviewClaim.target == reg.id)
    if groups:
        cond = or_(cond, and_(ReviewClaim.kind == GROUP, ReviewClaim.target.in_(groups)))
    row = session.execute(
        select(*_CLAIM_COLUMNS)
        .where(cond, ReviewClaim.expires_at > now)
        .order_by(ReviewClaim.claimed_at)
        .limit(1)
    ).first()
    return Claim(*row) if row else None


def oldest_waiting(
    session: Session, reviewer: str, *, now: datetime, limit: int, provinces: Iterable[str] = ()
) -> list[str]:
    """The ``limit`` oldest registrations waiting for review (status ``received``), in
    ``provinces`` when given, that nobody but ``reviewer`` holds."""
    taken = (
        select(ReviewClaim.target)
        .where(
            ReviewClaim.kind == REGISTRATION,
            ReviewClaim.target == RegistrationRecord.id,
            ReviewClaim.expires_at > now,
            ReviewClaim.reviewer != reviewer,
        )
        .exists()
    )
    stmt = (
        select(RegistrationRecord.id)
        .where(RegistrationRecord.status == Status.RECEIVED.value, ~taken)
        .order_by(RegistrationRecord.received_at, RegistrationRecord.id)
        .limit(limit)
    )
    wanted = list(provinces)
    if wanted:
        stmt = stmt.where(RegistrationRecord.province_code.in_(wanted))
    return list(session.scalars(stmt))


def count_by_reviewer(session: Session, now: datetime) -> dict[str, int]:
    """Live claims per reviewer."""
    rows = session.execute(
        select(ReviewClaim.reviewer, func.count())
        .where(ReviewClaim.expires_at > now)
        .group_by(ReviewClaim.reviewer)
    )
    return {str(r): int(n) for r, n in rows}


def codes_of(session: Session, registration_ids: Sequence[str]) -> dict[str, str]:
    """The registration code of each of ``registration_ids`` (the claims page's links)."""
    rows = session.execute(
        select(RegistrationRecord.id, RegistrationRecord.code).where(
            RegistrationRecord.id.in_(registration_ids)
        )
    )
    return {str(i): str(code) for i, code in rows}
