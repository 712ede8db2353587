"""SQL for the console's dashboard: totals, registrations by area, offices and devices.

The totals are two GROUP BY scans over indexed columns (status; regency code), which
PostgreSQL answers from the indexes alone; devices and offices are paginated and their batch
figures are computed for the devices of the page only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from syncserver.models import Batch, Device, DuplicateGroup, Office, Registration


def by_status(session: Session, provinces: tuple[str, ...] = ()) -> dict[str, int]:
    stmt = select(Registration.status, func.count()).group_by(Registration.status)
    if provinces:
        stmt = stmt.where(Registration.province_code.in_(provinces))
    return {str(k): int(v) for k, v in session.execute(stmt)}


def by_regency(session: Session, provinces: tuple[str, ...] = ()) -> dict[str, int]:
    """Regency code (dotted, "32.01") -> registrations."""
    stmt = select(Registration.regency_code, func.count()).group_by(Registration.regency_code)
    if provinces:
        stmt = stmt.where(Registration.province_code.in_(provinces))
    return {str(k): int(v) for k, v in session.execute(stmt)}


def open_duplicate_groups(session: Session) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(DuplicateGroup)
            .where(DuplicateGroup.resolved_at.is_(None))
        ).scalar_one()
    )


@dataclass(frozen=True, slots=True)
class DeviceRow:
    id: str
    office_code: str
    office_name: str
    device_no: int
    name: str
    app_version: str
    enrolled_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    last_push_at: datetime | None
    batches: int = 0
    records: int = 0


def devices(
    session: Session, *, offset: int, limit: int, provinces: tuple[str, ...] = (), office: str = ""
) -> tuple[list[DeviceRow], bool]:
    """Devices, the longest silent first (never seen before all others); revoked last."""
    stmt = (
        select(
            Device.id,
            Device.office_code,
            Office.name,
            Device.device_no,
            Device.name,
            Device.app_version,
            Device.enrolled_at,
            Device.revoked_at,
            Device.last_seen_at,
            Device.last_push_at,
        )  # fmt: skip
        .join(Office, Office.code == Device.office_code)
        .order_by(
            case((Device.revoked_at.is_(None), 0), else_=1),
            case((Device.last_seen_at.is_(None), 0), else_=1),
            Device.last_seen_at,
            Device.id,
        )
        .offset(offset)
        .limit(limit + 1)
    )
    if provinces:
        stmt = stmt.where(func.substr(Device.office_code, 1, 2).in_(provinces))
    if office:
        stmt = stmt.where(Device.office_code == office)
    rows = [DeviceRow(*r) for r in session.execute(stmt)]
    more = len(rows) > limit
    rows = rows[:limit]
    figures = batch_figures(session, [r.id for r in rows])
    out = [
        DeviceRow(
            **{
                **_asdict(r),
                "batches": figures.get(r.id, (0, 0))[0],
                "records": figures.get(r.id, (0, 0))[1],
            }
        )
        for r in rows
    ]
    return out, more


def _asdict(row: DeviceRow) -> dict[str, Any]:
    return {k: getattr(row, k) for k in DeviceRow.__dataclass_fields__}


def batch_figures(session: Session, device_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Device id -> (batches received, records received), for the given devices only."""
    if not device_ids:
        return {}
    rows = session.execute(
        select(Batch.device_id, func.count(), func.coalesce(func.sum(Batch.record_count), 0))
        .where(Batch.device_id.in_(device_ids))
        .group_by(Batch.device_id)
    )
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


@dataclass(frozen=True, slots=True)
class OfficeRow:
    code: str
    name: str
    regency_code: str
    devices: int
    active_devices: int
    last_seen_at: datetime | None
    last_push_at: datetime | None


def offices(
    session: Session, *, offset: int, limit: int, provinces: tuple[str, ...] = ()
) -> tuple[list[OfficeRow], bool]:
    """Offices with their devices' latest contact, the longest silent first."""
    last_seen = func.max(case((Device.revoked_at.is_(None), Device.last_seen_at)))
    stmt = (
        select(
            Office.code,
            Office.name,
            Office.regency_code,
            func.count(Device.id),
            func.count(case((Device.revoked_at.is_(None), Device.id))),
            last_seen,
            func.max(Device.last_push_at),
        )  # fmt: skip
        .outerjoin(Device, Device.office_code == Office.code)
        .group_by(Office.code, Office.name, Office.regency_code)
        .order_by(case((last_seen.is_(None), 0), else_=1), last_seen, Office.code)
        .offset(offset)
        .limit(limit + 1)
    )
    if provinces:
        stmt = stmt.where(func.substr(Office.code, 1, 2).in_(provinces))
    rows = [OfficeRow(*r) for r in session.execute(stmt)]
    return rows[:limit], len(rows) > limit
