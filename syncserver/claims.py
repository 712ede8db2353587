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
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from common import errors as E
from common.errors import ApiError
from common.timezones import WIB
from syncserver.models import RegistrationRecord
from syncserver.queries import claims as q
from syncserver.queries.claims import (
    GROUP,
    REGISTRATION,
    Claim,
    count_by_reviewer,
    holder,
    live,
    of,
)

__all__ = [
    "GROUP",
    "KINDS",
    "MAX_BATCH",
    "REGISTRATION",
    "Claim",
    "check_decision",
    "claim",
    "claim_next_records",
    "count_by_reviewer",
    "holder",
    "live",
    "of",
    "release",
]

KINDS = (GROUP, REGISTRATION)
_WIB = WIB.tzinfo
#: Records one "claim a batch" takes at most.
MAX_BATCH = 200


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
    return q.take(session, kind, ids, reviewer, now=now, until=now + timedelta(minutes=minutes))


def release(
    session: Session, reviewer: str, kind: str | None = None, targets: Iterable[str] = ()
) -> int:
    """Give up the reviewer's claims (all, or the named ones); how many were released."""
    return q.release(session, reviewer, kind, [str(t)[:64] for t in targets])


def check_decision(session: Session, reg: RegistrationRecord, reviewer: str, now: datetime) -> None:
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
    """Claim a batch: the ``limit`` (at most :data:`MAX_BATCH`) oldest registrations waiting
    for review in the reviewer's provinces that nobody else holds."""
    size = max(1, min(limit, MAX_BATCH))
    ids = q.oldest_waiting(session, reviewer, now=now, limit=size, provinces=provinces)
    return claim(session, REGISTRATION, ids, reviewer, now=now, minutes=minutes)


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)
