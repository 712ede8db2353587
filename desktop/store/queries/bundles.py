"""Sync bundles on the device (services/bundles.py; issue 16): every pending revision for a
records bundle, the exports written (``bundle_exports``), what is in transit by file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from desktop.store.models import BundleExport, OutboxEntry
from desktop.store.queries import outbox


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One records bundle this device wrote."""

    bundle_id: str
    seq: int
    created_at: datetime
    path: str
    records: int
    batches: int
    bytes: int
    acked_at: datetime | None
    ack_id: str | None


@dataclass(frozen=True, slots=True)
class Transit:
    """Records sent in a bundle and not answered yet, the unacknowledged bundles that carry
    them, and when the oldest of those was made."""

    records: int
    bundles: int
    since: datetime | None


def mark_exported(s: Session, entries: Iterable[tuple[str, int]], now: datetime) -> None:
    """Set ``exported_at`` on each (registration, revision) still queued that has none yet
    (an entry in two bundles keeps the time of the first)."""
    params = [{"rid": rid, "rev": rev, "at": now} for rid, rev in entries]
    if not params:
        return
    s.connection().execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.registration_id == bindparam("rid"),
            OutboxEntry.revision == bindparam("rev"),
            OutboxEntry.exported_at.is_(None),
        )
        .values(exported_at=bindparam("at")),
        params,
    )


def still_queued(s: Session, entries: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
    """The (registration, revision) pairs of ``entries`` still in the outbox."""
    wanted = set(entries)
    if not wanted:
        return set()
    ids = sorted({rid for rid, _rev in wanted})
    found: set[tuple[str, int]] = set()
    for start in range(0, len(ids), 500):  # below SQLite's bound-parameter limit
        chunk = ids[start : start + 500]
        rows = s.execute(
            select(OutboxEntry.registration_id, OutboxEntry.revision).where(
                OutboxEntry.registration_id.in_(chunk)
            )
        ).all()
        found.update((r.registration_id, r.revision) for r in rows)
    return found & wanted


def add_export(
    s: Session,
    *,
    bundle_id: str,
    seq: int,
    created_at: datetime,
    path: str,
    records: int,
    batches: int,
    size: int,
) -> None:
    s.add(
        BundleExport(
            bundle_id=bundle_id,
            seq=seq,
            created_at=created_at,
            path=path,
            records=records,
            batches=batches,
            bytes=size,
        )
    )
    s.flush()


def _row(e: BundleExport) -> ExportRow:
    return ExportRow(
        e.bundle_id,
        e.seq,
        e.created_at,
        e.path,
        e.records,
        e.batches,
        e.bytes,
        e.acked_at,
        e.ack_id,
    )


def get_export(s: Session, bundle_id: str) -> ExportRow | None:
    e = s.scalar(select(BundleExport).where(BundleExport.bundle_id == bundle_id))
    return None if e is None else _row(e)


def exports(s: Session, *, unacked_only: bool = False) -> list[ExportRow]:
    """The bundles written, newest first."""
    query = select(BundleExport).order_by(BundleExport.id.desc())
    if unacked_only:
        query = query.where(BundleExport.acked_at.is_(None))
    return [_row(e) for e in s.scalars(query)]


def ack_applied(s: Session, ack_id: str) -> bool:
    """Whether an acknowledgement with this id was applied to an export already."""
    return bool(s.scalar(select(func.count()).where(BundleExport.ack_id == ack_id)))


def mark_acked(s: Session, bundle_id: str, ack_id: str, now: datetime) -> bool:
    """Record the acknowledgement of a bundle (False: no export of that id is known here)."""
    e = s.scalar(select(BundleExport).where(BundleExport.bundle_id == bundle_id))
    if e is None:
        return False
    e.acked_at = now
    e.ack_id = ack_id
    return True


def in_transit(s: Session) -> Transit:
    """Registrations with a revision in a bundle and still unanswered; the unacknowledged
    bundles made since the oldest of those went out; that time."""
    waiting = outbox.exported(s)
    records, oldest = waiting.registrations, waiting.oldest
    if not records or oldest is None:
        return Transit(0, 0, None)
    bundles, since = s.execute(
        select(func.count(), func.min(BundleExport.created_at)).where(
            BundleExport.acked_at.is_(None), BundleExport.created_at >= oldest
        )
    ).one()
    since_text = since or oldest
    if isinstance(since_text, str):  # min() of the text column comes back untyped
        since_at = datetime.fromisoformat(since_text.replace("Z", "+00:00"))
    else:
        since_at = since_text
    return Transit(int(records), int(bundles or 0), since_at)
