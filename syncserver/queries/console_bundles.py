"""SQL for the console's bundle imports: the recent imports list and one import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from common.digits import is_digits
from syncserver.models import BundleImport, Device
from syncserver.queries.console_paging import Cursor, Page, aware, keyset, page_of


@dataclass(frozen=True, slots=True)
class ImportRow:
    id: int
    bundle_id: str
    device_id: str
    device_no: int | None
    device_name: str | None
    office_code: str
    seq: int
    created_at: str  # the device's clock, as it wrote it
    imported_at: datetime
    via: str
    uploaded_by: str
    relay_device_id: str | None
    bytes: int
    record_count: int
    batch_count: int
    counts: dict[str, int]


_COLS = (
    BundleImport.id,
    BundleImport.bundle_id,
    BundleImport.device_id,
    Device.device_no,
    Device.name,
    BundleImport.office_code,
    BundleImport.seq,
    BundleImport.created_at,
    BundleImport.imported_at,
    BundleImport.via,
    BundleImport.uploaded_by,
    BundleImport.relay_device_id,
    BundleImport.bytes,
    BundleImport.record_count,
    BundleImport.batch_count,
    BundleImport.counts,
)


def _row(r: Any) -> ImportRow:
    counts = {str(k): int(v) for k, v in (r.counts or {}).items()}
    return ImportRow(
        id=r.id,
        bundle_id=r.bundle_id,
        device_id=r.device_id,
        device_no=r.device_no,
        device_name=r.name,
        office_code=r.office_code,
        seq=r.seq,
        created_at=r.created_at,
        imported_at=r.imported_at,
        via=r.via,
        uploaded_by=r.uploaded_by,
        relay_device_id=r.relay_device_id,
        bytes=r.bytes,
        record_count=r.record_count,
        batch_count=r.batch_count,
        counts=counts,
    )


def _scoped(provinces: tuple[str, ...], device: str = "") -> Select[Any]:
    stmt = select(*_COLS).outerjoin(Device, Device.id == BundleImport.device_id)
    if device:
        stmt = stmt.where(BundleImport.device_id == device)
    if provinces:  # an office code starts with its province's two digits
        stmt = stmt.where(or_(*[BundleImport.office_code.like(p + "%") for p in provinces]))
    return stmt


def recent(
    session: Session,
    provinces: tuple[str, ...],
    *,
    device: str = "",
    after: Cursor | None,
    before: Cursor | None,
    limit: int,
) -> Page[ImportRow]:
    """The imports of offices in ``provinces`` (empty: every office), of one ``device`` if
    given, newest first."""
    stmt, rev = keyset(
        _scoped(provinces, device),
        BundleImport.imported_at,
        BundleImport.id,
        after=_int_cursor(after),
        before=_int_cursor(before),
        limit=limit,
    )
    rows = [_row(r) for r in session.execute(stmt)]
    return page_of(
        rows, rev, limit, lambda r: (aware(r.imported_at), str(r.id)), had_cursor=after is not None
    )


def _int_cursor(c: Cursor | None) -> Any:
    if c is None or not is_digits(c.id) or len(c.id) > 18:
        return None
    return Cursor(c.at, int(c.id))  # type: ignore[arg-type]


def get(session: Session, import_id: int) -> ImportRow | None:
    row = session.execute(_scoped(()).where(BundleImport.id == import_id)).first()
    return _row(row) if row else None
