"""SQL for the console's dashboard: totals, registrations by area and by day, the backlog,
offices and devices.

Nothing here reads ``registrations``: totals, areas, days and the age of the oldest waiting
record come from the summary tables that triggers keep in every writing transaction
(migration 0010; a few thousand rows whatever the number of registrations), and so does the
number of open duplicate groups (migration 0012: one row per bucket), so the dashboard
stays fast at 10 million registrations (tests/syncserver/console/test_dashboard_summaries.py
checks the statements). The one exception is the open duplicate groups of a reviewer limited
to some provinces: counted like the duplicate queue lists them, through indexes, and capped.
Devices and offices are paginated and their batch figures are computed for the devices of the
page only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, aliased

from common.enums import Status
from syncserver.models import (
    Batch,
    Device,
    DuplicateGroup,
    Office,
    RegistrationRecord,
    SummaryDayDecisions,
    SummaryDayStatus,
    SummaryOpenGroups,
    SummaryRegencyStatus,
)
from syncserver.queries.console_duplicates import group_in_scope

#: Statuses of records waiting for a reviewer (the backlog's age is the oldest of them).
WAITING = (Status.RECEIVED.value, Status.POTENTIAL_DUPLICATE.value)
#: Open groups counted at most for a province-limited reviewer (shown as "10,000+").
OPEN_GROUPS_CAP = 10_000


def _province_of_regency() -> Any:
    return func.substr(SummaryRegencyStatus.regency_code, 1, 2)


def by_status(session: Session, provinces: tuple[str, ...] = ()) -> dict[str, int]:
    t = SummaryRegencyStatus
    stmt = select(t.status, func.sum(t.n)).group_by(t.status)
    if provinces:
        stmt = stmt.where(_province_of_regency().in_(provinces))
    return {str(k): int(v) for k, v in session.execute(stmt) if v}


def by_regency(session: Session, provinces: tuple[str, ...] = ()) -> dict[str, int]:
    """Regency code (dotted, "32.01") -> registrations."""
    t = SummaryRegencyStatus
    stmt = select(t.regency_code, func.sum(t.n)).group_by(t.regency_code)
    if provinces:
        stmt = stmt.where(_province_of_regency().in_(provinces))
    return {str(k): int(v) for k, v in session.execute(stmt) if v}


def oldest_waiting_day(session: Session, provinces: tuple[str, ...] = ()) -> date | None:
    """The WIB day the oldest registration still waiting for a reviewer arrived."""
    t = SummaryDayStatus
    stmt = select(t.day).where(t.status.in_(WAITING)).group_by(t.day, t.province_code)
    if provinces:
        stmt = stmt.where(t.province_code.in_(provinces))
    stmt = stmt.having(func.sum(t.n) > 0).order_by(t.day).limit(1)
    day = session.execute(stmt).scalar_one_or_none()
    return _as_date(day)


@dataclass(frozen=True, slots=True)
class DayRow:
    day: date
    received: int
    decided: int
    verified: int
    rejected: int
    returned: int


def by_day(session: Session, since: date, provinces: tuple[str, ...] = ()) -> dict[date, DayRow]:
    """WIB day -> registrations received that day and decisions made that day, from ``since``."""
    received = select(SummaryDayStatus.day, func.sum(SummaryDayStatus.n)).where(
        SummaryDayStatus.day >= since
    )
    decided = select(
        SummaryDayDecisions.day, SummaryDayDecisions.decision, func.sum(SummaryDayDecisions.n)
    ).where(SummaryDayDecisions.day >= since)
    if provinces:
        received = received.where(SummaryDayStatus.province_code.in_(provinces))
        decided = decided.where(SummaryDayDecisions.province_code.in_(provinces))
    got: dict[date, int] = {}
    for day, n in session.execute(received.group_by(SummaryDayStatus.day)):
        got[_as_date(day)] = int(n or 0)  # type: ignore[index]
    decisions: dict[date, dict[str, int]] = {}
    for day, decision, n in session.execute(
        decided.group_by(SummaryDayDecisions.day, SummaryDayDecisions.decision)
    ):
        decisions.setdefault(_as_date(day), {})[str(decision)] = int(n or 0)  # type: ignore[arg-type]
    out = {}
    for day in set(got) | set(decisions):
        d = decisions.get(day, {})
        out[day] = DayRow(
            day,
            got.get(day, 0),
            sum(d.values()),
            d.get("verified", 0),
            d.get("rejected", 0),
            d.get("returned", 0),
        )
    return out


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite hands back text


def open_duplicate_groups(session: Session, provinces: tuple[str, ...] = ()) -> int:
    """Unresolved duplicate groups; for a province-limited reviewer those the duplicate queue
    lists to them (a member in their provinces: flagged into it, its first one, or a holder
    of its family card), counted up to :data:`OPEN_GROUPS_CAP`."""
    open_ = DuplicateGroup.resolved_at.is_(None)
    if not provinces:  # the summary (0012): counting the open groups grew with them
        return int(session.execute(select(func.sum(SummaryOpenGroups.n))).scalar_one() or 0)
    first = aliased(RegistrationRecord)
    inner = (
        select(DuplicateGroup.id)
        .outerjoin(first, first.id == DuplicateGroup.primary_registration_id)
        .where(open_, group_in_scope(first, provinces))
        .limit(OPEN_GROUPS_CAP + 1)
        .subquery()
    )
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())


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
    backlog_unsent: int | None = None  # as last reported by the device (None: never)
    backlog_oldest_at: datetime | None = None
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
            Device.backlog_unsent,
            Device.backlog_oldest_at,
        )
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
    #: records the office's active devices last reported unsent, and the oldest one's time
    unsent: int = 0
    oldest_unsent_at: datetime | None = None


#: How the offices table is ordered: by backlog (the oldest unsent record first, then the
#: most unsent, then the longest silent) or by silence (the longest silent first).
OFFICE_ORDERS = ("backlog", "silence")


def offices(
    session: Session,
    *,
    offset: int,
    limit: int,
    provinces: tuple[str, ...] = (),
    order: str = "backlog",
) -> tuple[list[OfficeRow], bool]:
    """Offices with their devices' latest contact and reported backlog, the ones to phone
    first at the top (``order``: :data:`OFFICE_ORDERS`)."""
    active = Device.revoked_at.is_(None)
    last_seen = func.max(case((active, Device.last_seen_at)))
    unsent = func.coalesce(func.sum(case((active, Device.backlog_unsent))), 0)
    oldest = func.min(case((active, Device.backlog_oldest_at)))
    silence = (case((last_seen.is_(None), 0), else_=1), last_seen)
    by = (
        (case((oldest.is_(None), 1), else_=0), oldest, unsent.desc(), *silence)
        if order == "backlog"
        else silence
    )
    stmt = (
        select(
            Office.code,
            Office.name,
            Office.regency_code,
            func.count(Device.id),
            func.count(case((active, Device.id))),
            last_seen,
            func.max(Device.last_push_at),
            unsent,
            oldest,
        )
        .outerjoin(Device, Device.office_code == Office.code)
        .group_by(Office.code, Office.name, Office.regency_code)
        .order_by(*by, Office.code)
        .offset(offset)
        .limit(limit + 1)
    )
    if provinces:
        stmt = stmt.where(func.substr(Office.code, 1, 2).in_(provinces))
    rows = [OfficeRow(*r) for r in session.execute(stmt)]
    return rows[:limit], len(rows) > limit


@dataclass(frozen=True, slots=True)
class Calls:
    silent: int  # offices with active devices, none heard from since the threshold
    with_backlog: int  # offices whose active devices last reported records unsent
    unsent: int  # those records


def offices_needing_a_call(
    session: Session, provinces: tuple[str, ...], silent_before: datetime
) -> Calls:
    """For the to-do list: how many offices to phone (one pass over the active devices)."""
    per_office = select(
        Device.office_code,
        func.max(Device.last_seen_at).label("seen"),
        func.coalesce(func.sum(Device.backlog_unsent), 0).label("unsent"),
    ).where(Device.revoked_at.is_(None))
    if provinces:
        per_office = per_office.where(func.substr(Device.office_code, 1, 2).in_(provinces))
    sub = per_office.group_by(Device.office_code).subquery()
    silent, with_backlog, unsent = session.execute(
        select(
            func.count(case((or_(sub.c.seen.is_(None), sub.c.seen < silent_before), 1))),
            func.count(case((sub.c.unsent > 0, 1))),
            func.coalesce(func.sum(sub.c.unsent), 0),
        )
    ).one()
    return Calls(int(silent or 0), int(with_backlog or 0), int(unsent or 0))
