"""SQL for the console's batch list and batch page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from syncserver.models import Batch, BatchRecord, Device, RegistrationRecord
from syncserver.queries.console_paging import Cursor, Page, aware, keyset, page_of
from syncserver.queries.console_records import day_start

#: Outcome filters of the batch list: a batch "has" an outcome when its count is above zero.
OUTCOMES = ("accepted", "duplicate_nik", "kk_limit", "invalid", "conflict", "already_received")
#: How a batch came in (``batches.source``): a push over the network, or a bundle file.
SOURCES = ("network", "bundle")


@dataclass(frozen=True, slots=True)
class BatchFilter:
    office: str = ""
    device: str = ""
    date_from: date | None = None
    date_to: date | None = None
    outcome: str = ""
    source: str = ""  # one of SOURCES, or any
    provinces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchRow:
    id: int
    batch_id: str
    device_id: str
    device_no: int | None
    device_name: str | None
    office_code: str
    source: str
    received_at: datetime
    record_count: int
    accepted: int
    duplicate_nik: int
    kk_limit: int
    invalid: int
    conflict: int
    already_received: int
    bytes_wire: int


_COLS = (
    Batch.id,
    Batch.batch_id,
    Batch.device_id,
    Device.device_no,
    Device.name,
    Batch.office_code,
    Batch.source,
    Batch.received_at,
    Batch.record_count,
    Batch.accepted,
    Batch.duplicate_nik,
    Batch.kk_limit,
    Batch.invalid,
    Batch.conflict,
    Batch.already_received,
    Batch.bytes_wire,
)


def _filtered(f: BatchFilter) -> Any:
    stmt = select(*_COLS).outerjoin(Device, Device.id == Batch.device_id)
    if f.office:
        stmt = stmt.where(Batch.office_code == f.office)
    if f.device:
        stmt = stmt.where(Batch.device_id == f.device)
    if f.date_from:
        stmt = stmt.where(Batch.received_at >= day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(Batch.received_at < day_start(f.date_to + timedelta(days=1)))
    if f.outcome in OUTCOMES:
        stmt = stmt.where(getattr(Batch, f.outcome) > 0)
    if f.source in SOURCES:
        stmt = stmt.where(Batch.source == f.source)
    if f.provinces:  # an office code starts with its province's two digits
        stmt = stmt.where(or_(*[Batch.office_code.like(p + "%") for p in f.provinces]))
    return stmt


def list_batches(
    session: Session, f: BatchFilter, *, after: Cursor | None, before: Cursor | None, limit: int
) -> Page[BatchRow]:
    stmt, rev = keyset(
        _filtered(f),
        Batch.received_at,
        Batch.id,
        after=_int_cursor(after),
        before=_int_cursor(before),
        limit=limit,
    )
    rows = [BatchRow(*r) for r in session.execute(stmt)]
    return page_of(
        rows, rev, limit, lambda r: (aware(r.received_at), str(r.id)), had_cursor=after is not None
    )


def _int_cursor(c: Cursor | None) -> Any:
    if c is None:
        return None
    try:
        return Cursor(c.at, int(c.id))  # type: ignore[arg-type]
    except ValueError:
        return None


def get(session: Session, batch_pk: int) -> BatchRow | None:
    row = session.execute(_filtered(BatchFilter()).where(Batch.id == batch_pk)).first()
    return BatchRow(*row) if row else None


@dataclass(frozen=True, slots=True)
class BatchRecordRow:
    position: int
    registration_id: str
    revision: int
    outcome: str
    errors: list[str] | None
    code: str | None
    full_name: str | None
    nik: str | None
    status: str | None


def records(
    session: Session, batch_pk: int, *, after_position: int, limit: int
) -> tuple[list[BatchRecordRow], bool]:
    """The batch's records in batch order from ``after_position`` (keyset on the key)."""
    rows = session.execute(
        select(
            BatchRecord.position,
            BatchRecord.registration_id,
            BatchRecord.revision,
            BatchRecord.outcome,
            BatchRecord.errors,
            RegistrationRecord.code,
            RegistrationRecord.full_name,
            RegistrationRecord.nik,
            RegistrationRecord.status,
        )
        .outerjoin(RegistrationRecord, RegistrationRecord.id == BatchRecord.registration_id)
        .where(BatchRecord.batch_pk == batch_pk, BatchRecord.position > after_position)
        .order_by(BatchRecord.position)
        .limit(limit + 1)
    ).all()
    return [BatchRecordRow(*r) for r in rows[:limit]], len(rows) > limit
