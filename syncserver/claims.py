"""Review claims: a reviewer takes a duplicate group or a batch of records for a while
(``claim_minutes``), so two reviewers do not work on the same thing twice.

A claim is one row of ``review_claims`` per (kind, target): ``group`` with the group's id,
or ``registration`` with the registration's id. Claiming is one ``INSERT ... ON CONFLICT DO
UPDATE ... WHERE`` per target: it takes a free or expired target, or renews the reviewer's
own, and never takes a live claim of someone else (two reviewers claiming at once: the
database gives it to one).

:func:`check_decision` is the one check every decision path passes through
(:func:`syncserver.decisions.record_decision`, inside the decision's transaction, after the
registration's row lock): a decision on a registration that someone else holds, directly or
through a group it belongs to, is refused with :data:`common.errors.DECISION_CLAIMED`.
Claims are advisory for reading: anyone may open a claimed record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from common import errors as E
from common.enums import Status
from common.errors import ApiError
from syncserver.models import DuplicateGroup, Registration, ReviewClaim
from syncserver.queries._dialect import dialect

GROUP = "group"
REGISTRATION = "registration"
KINDS = (GROUP, REGISTRATION)
_WIB = timezone(timedelta(hours=7), "WIB")
#: Records one "claim a batch" takes at most.
MAX_BATCH = 200


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


def claim(
    session: Session,
    kind: str,
    targets: Iterable[str],
    reviewer: str,
    *,
    now: datetime,
    minutes: int,
) -> list[str]:
    """Claim ``targets`` for ``reviewer`` until ``now + minutes``; the targets this reviewer
    holds afterwards (a target someone else holds is left to them)."""
    assert kind in KINDS
    ids = sorted(dict.fromkeys(str(t)[:64] for t in targets))  # one global order: no deadlock
    if not ids:
        return []
    table = ReviewClaim.__table__
    ins = (postgresql.insert if dialect(session) == "postgresql" else sqlite.insert)(table)
    stmt = ins.on_conflict_do_update(
        index_elements=[table.c.kind, table.c.target],
        set_={
            "reviewer": ins.excluded.reviewer,
            "claimed_at": ins.excluded.claimed_at,
            "expires_at": ins.excluded.expires_at,
        },
        where=or_(table.c.expires_at <= now, table.c.reviewer == ins.excluded.reviewer),
    ).returning(table.c.target)
    until = now + timedelta(minutes=minutes)
    got: list[str] = []
    for target in ids:
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
    session: Session, reviewer: str, kind: str | None = None, targets: Iterable[str] = ()
) -> int:
    """Give up the reviewer's claims (all, or the named ones); how many were released."""
    stmt = delete(ReviewClaim).where(ReviewClaim.reviewer == reviewer)
    if kind is not None:
        stmt = stmt.where(ReviewClaim.kind == kind)
        wanted = [str(t)[:64] for t in targets]
        if wanted:
            stmt = stmt.where(ReviewClaim.target.in_(wanted))
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


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


def _group_ids_of(session: Session, reg: Registration) -> list[str]:
    """The duplicate groups ``reg`` belongs to: flagged into, primary of, or sharing the
    group's NIK or family card (a slot holder is a member of its card's group)."""
    conds = [
        and_(DuplicateGroup.kind == "nik", DuplicateGroup.key == reg.nik),
        and_(DuplicateGroup.kind == "kk", DuplicateGroup.key == reg.kk_number),
    ]
    if reg.duplicate_group_id is not None:
        conds.append(DuplicateGroup.id == reg.duplicate_group_id)
    return [str(i) for i in session.scalars(select(DuplicateGroup.id).where(or_(*conds)))]


def holder(session: Session, reg: Registration, now: datetime) -> Claim | None:
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


def check_decision(session: Session, reg: Registration, reviewer: str, now: datetime) -> None:
    """Refuse (DECISION_CLAIMED) a decision on ``reg`` while someone else holds a live claim
    on it or on one of its groups. Called inside the decision's transaction."""
    held = holder(session, reg, now)
    if held is not None and held.reviewer != reviewer:
        until = _aware(held.expires_at).astimezone(_WIB).strftime("%H:%M WIB")
        raise ApiError(
            E.DECISION_CLAIMED,
            {"code": reg.code, "reviewer": held.reviewer, "until": until},
            details={"registration_id": reg.id, "reviewer": held.reviewer},
        )


def claim_next_records(
    session: Session,
    reviewer: str,
    *,
    now: datetime,
    minutes: int,
    limit: int,
    provinces: tuple[str, ...] = (),
) -> list[str]:
    """Claim a batch: the ``limit`` oldest registrations waiting for review (status
    ``received``) in the reviewer's provinces that nobody else holds."""
    taken = (
        select(ReviewClaim.target)
        .where(
            ReviewClaim.kind == REGISTRATION,
            ReviewClaim.target == Registration.id,
            ReviewClaim.expires_at > now,
            ReviewClaim.reviewer != reviewer,
        )
        .exists()
    )
    stmt = (
        select(Registration.id)
        .where(Registration.status == Status.RECEIVED.value, ~taken)
        .order_by(Registration.received_at, Registration.id)
        .limit(max(1, min(limit, MAX_BATCH)))
    )
    if provinces:
        stmt = stmt.where(Registration.province_code.in_(provinces))
    ids = list(session.scalars(stmt))
    return claim(session, REGISTRATION, ids, reviewer, now=now, minutes=minutes)


def count_by_reviewer(session: Session, now: datetime) -> dict[str, int]:
    rows = session.execute(
        select(ReviewClaim.reviewer, func.count())
        .where(ReviewClaim.expires_at > now)
        .group_by(ReviewClaim.reviewer)
    )
    return {str(r): int(n) for r, n in rows}


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=timezone.utc)  # noqa: UP017
