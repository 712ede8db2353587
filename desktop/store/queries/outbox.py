"""The outbox: the (registration, revision) pairs the server has not answered for yet."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, delete, func, select
from sqlalchemy.orm import Session

from desktop.store.models import OutboxEntry, RegistrationRecord, RevisionRecord


@dataclass(frozen=True, slots=True)
class Waiting:
    """What waits: registrations with a revision unsent, and when the oldest entry was made."""

    registrations: int
    oldest: datetime | None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One revision to push, with what the push record needs from its registration."""

    registration_id: str
    code: str
    channel: str
    revision: int
    content_hash: str
    applicant: dict[str, Any]
    operator: str
    created_at: datetime


def enqueue(s: Session, registration_id: str, revision: int, now: datetime) -> None:
    s.add(
        OutboxEntry(
            registration_id=registration_id,
            revision=revision,
            enqueued_at=now,
            attempts=0,
            last_error="",
        )
    )


def pending_count(s: Session) -> int:
    """Records with at least one revision the server has not acknowledged (the one count the
    status bar, the list, the CLI and the sync report show)."""
    return int(s.scalar(select(func.count(func.distinct(OutboxEntry.registration_id)))) or 0)


def waiting(s: Session) -> Waiting:
    """:func:`pending_count` and the oldest entry's time, in one query."""
    n, oldest = s.execute(
        select(
            func.count(func.distinct(OutboxEntry.registration_id)),
            func.min(OutboxEntry.enqueued_at),
        )
    ).one()
    return Waiting(int(n or 0), oldest)


def exported(s: Session) -> Waiting:
    """The registrations with a revision that went into a records bundle and is still
    unanswered (in transit by file), and when the oldest of those entries was exported."""
    n, oldest = s.execute(
        select(
            func.count(func.distinct(OutboxEntry.registration_id)),
            func.min(OutboxEntry.exported_at),
        ).where(OutboxEntry.exported_at.is_not(None))
    ).one()
    return Waiting(int(n or 0), oldest)


def oldest_enqueued(s: Session) -> datetime | None:
    value = s.scalar(select(func.min(OutboxEntry.enqueued_at)))
    if isinstance(value, str):  # min() of the text column comes back untyped
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _outgoing_rows() -> Select[str, int, str, str, str, datetime, str, str]:
    """The outbox entries with what a push record needs, in the order they were queued."""
    return (
        select(
            OutboxEntry.registration_id,
            RevisionRecord.revision,
            RevisionRecord.content_hash,
            RevisionRecord.applicant_json,
            RevisionRecord.operator,
            RevisionRecord.created_at,
            RegistrationRecord.code,
            RegistrationRecord.channel,
        )
        .join(
            RevisionRecord,
            (RevisionRecord.registration_id == OutboxEntry.registration_id)
            & (RevisionRecord.revision == OutboxEntry.revision),
        )
        .join(RegistrationRecord, RegistrationRecord.id == OutboxEntry.registration_id)
        .order_by(OutboxEntry.id)
    )


def _as_outgoing(row: Row[str, int, str, str, str, datetime, str, str]) -> Outgoing:
    return Outgoing(
        registration_id=row.registration_id,
        code=row.code,
        channel=row.channel,
        revision=row.revision,
        content_hash=row.content_hash,
        applicant=json.loads(row.applicant_json),
        operator=row.operator,
        created_at=row.created_at,
    )


def outgoing(s: Session, limit: int) -> list[Outgoing]:
    """The oldest outbox entries, at most one revision per registration (the oldest)."""
    rows = s.execute(_outgoing_rows().limit(limit * 2)).all()
    seen: set[str] = set()
    out: list[Outgoing] = []
    for row in rows:
        if row.registration_id in seen:
            continue
        seen.add(row.registration_id)
        out.append(_as_outgoing(row))
        if len(out) >= limit:
            break
    return out


def all_outgoing(s: Session) -> list[Outgoing]:
    """Every outbox entry (all pending revisions), in the order they were queued (a bundle)."""
    return [_as_outgoing(row) for row in s.execute(_outgoing_rows()).all()]


def note_failure(s: Session, sent: Iterable[tuple[str, int]], code: str) -> None:
    """Count a failed attempt (and its error code) on each sent (registration, revision)."""
    for registration_id, revision in sent:
        entry = s.scalar(
            select(OutboxEntry).where(
                OutboxEntry.registration_id == registration_id, OutboxEntry.revision == revision
            )
        )
        if entry is not None:
            entry.attempts += 1
            entry.last_error = code


def remove_answered(s: Session, answered: Iterable[tuple[str, int]]) -> None:
    """Delete the entries up to each answered (registration, revision), in one executemany."""
    params = [{"rid": rid, "rev": rev} for rid, rev in answered]
    if not params:
        return
    s.connection().execute(  # Core executemany (the ORM has no bulk DELETE)
        delete(OutboxEntry).where(
            OutboxEntry.registration_id == bindparam("rid"),
            OutboxEntry.revision <= bindparam("rev"),
        ),
        params,
    )
