"""SQL for the console's record search, record page and CSV export.

Every list is keyset-paginated on ``(received_at, id)`` (indexes from migration
0002_console), so a page costs an index range scan whatever the table's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from common.validation import normalise_phone
from syncserver.models import (
    AuditEntry,
    Batch,
    BatchRecord,
    Device,
    Office,
    Registration,
    RegistrationRevision,
    ReviewDecision,
)
from syncserver.queries.console_paging import Cursor, Page, aware, keyset, page_of

WIB = timezone(timedelta(hours=7), "WIB")
_CODE_RE = re.compile(r"^\d{6}-\d{3}-\d{6,}-[0-9A-Z]$")


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """What the records list, the bulk decision and the export select.

    ``q`` is a NIK or family-card number (16 digits), a phone number, a registration code or
    the beginning of a name; ``provinces`` is the signed-in reviewer's scope (empty: all)."""

    q: str = ""
    status: str = ""
    office: str = ""
    province: str = ""
    date_from: date | None = None
    date_to: date | None = None
    provinces: tuple[str, ...] = ()

    def query_kind(self) -> str:
        q = self.q.strip()
        if not q:
            return ""
        if q.isdigit() and len(q) == 16:
            return "nik"
        if _CODE_RE.match(q.upper().replace("O", "0")):
            return "code"
        if normalise_phone(q) is not None and sum(ch.isdigit() for ch in q) >= 9:
            return "phone"
        return "name"


@dataclass(frozen=True, slots=True)
class RecordRow:
    id: str
    code: str
    nik: str
    full_name: str
    phone: str
    status: str
    office_code: str
    regency_code: str
    received_at: datetime
    revision: int
    flag_reason: str | None


_LIST_COLS = (
    Registration.id,
    Registration.code,
    Registration.nik,
    Registration.full_name,
    Registration.phone,
    Registration.status,
    Registration.office_code,
    Registration.regency_code,
    Registration.received_at,
    Registration.revision,
    Registration.flag_reason,
)


def _day_start(d: date) -> datetime:
    """Midnight WIB of ``d``, in UTC (dates in filters are the reviewer's calendar)."""
    return datetime.combine(d, time(0, 0), WIB).astimezone(UTC)


def apply_filter(stmt: Any, f: RecordFilter) -> Any:
    kind = f.query_kind()
    q = f.q.strip()
    if kind == "nik":
        stmt = stmt.where(or_(Registration.nik == q, Registration.kk_number == q))
    elif kind == "code":
        stmt = stmt.where(Registration.code == q.upper())
    elif kind == "phone":
        stmt = stmt.where(Registration.phone.in_({q, normalise_phone(q) or q}))
    elif kind == "name":
        prefix = " ".join(q.lower().split()).replace("\\", "").replace("%", "").replace("_", "")
        stmt = stmt.where(func.lower(Registration.full_name).like(prefix + "%"))
    if f.status:
        stmt = stmt.where(Registration.status == f.status)
    if f.office:
        stmt = stmt.where(Registration.office_code == f.office)
    if f.province:
        stmt = stmt.where(Registration.province_code == f.province)
    if f.provinces:
        stmt = stmt.where(Registration.province_code.in_(f.provinces))
    if f.date_from:
        stmt = stmt.where(Registration.received_at >= _day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(Registration.received_at < _day_start(f.date_to + timedelta(days=1)))
    return stmt


def search(
    session: Session, f: RecordFilter, *, after: Cursor | None, before: Cursor | None, limit: int
) -> Page[RecordRow]:
    stmt, rev = keyset(
        apply_filter(select(*_LIST_COLS), f),
        Registration.received_at,
        Registration.id,
        after=after,
        before=before,
        limit=limit,
    )
    rows = [RecordRow(*r) for r in session.execute(stmt)]
    return page_of(
        rows, rev, limit, lambda r: (aware(r.received_at), r.id), had_cursor=after is not None
    )


def ids_matching(session: Session, f: RecordFilter, ids: list[str]) -> list[str]:
    """Those of ``ids`` that the filter (the reviewer's scope) allows."""
    if not ids:
        return []
    stmt = apply_filter(select(Registration.id), f).where(Registration.id.in_(ids))
    return list(session.scalars(stmt))


EXPORT_COLUMNS = (
    "code",
    "nik",
    "kk_number",
    "full_name",
    "sex",
    "birth_date",
    "phone",
    "province_code",
    "regency_code",
    "village_code",
    "office_code",
    "status",
    "revision",
    "received_at",
    "consent_version",
    "id",
)


def export_page(
    session: Session, f: RecordFilter, after: Cursor | None, limit: int
) -> tuple[list[dict[str, Any]], Cursor | None]:
    """One page of the CSV export (newest first) and the cursor of the next, if any."""
    stmt, _ = keyset(
        apply_filter(
            select(
                *_LIST_COLS,
                Registration.kk_number,
                Registration.village_code,
                Registration.applicant,
            ),
            f,
        ),
        Registration.received_at,
        Registration.id,
        after=after,
        before=None,
        limit=limit,
    )
    rows = session.execute(stmt).all()
    more = len(rows) > limit
    out: list[dict[str, Any]] = []
    for r in rows[:limit]:
        applicant = r.applicant or {}
        out.append(
            {
                "code": r.code,
                "nik": r.nik,
                "kk_number": r.kk_number,
                "full_name": r.full_name,
                "sex": applicant.get("sex", ""),
                "birth_date": applicant.get("birth_date", ""),
                "phone": r.phone,
                "province_code": r.regency_code[:2],
                "regency_code": r.regency_code,
                "village_code": r.village_code,
                "office_code": r.office_code,
                "status": r.status,
                "revision": r.revision,
                "received_at": aware(r.received_at).isoformat().replace("+00:00", "Z"),
                "consent_version": applicant.get("consent_version", ""),
                "id": r.id,
            }
        )
    last = rows[limit - 1] if more else None
    return out, (Cursor(aware(last.received_at), last.id) if last is not None else None)


# --- one record -----------------------------------------------------------------------------
def get(session: Session, registration_id: str) -> Registration | None:
    return session.get(Registration, registration_id)


def get_by_code(session: Session, code: str) -> Registration | None:
    return session.execute(
        select(Registration).where(Registration.code == code).limit(1)
    ).scalar_one_or_none()


def codes_of(session: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(
        session.execute(
            select(Registration.id, Registration.code).where(Registration.id.in_(ids))
        ).all()
    )


def revisions(
    session: Session, registration_id: str, limit: int = 50
) -> list[RegistrationRevision]:
    """The record's revisions, newest first (a record has a handful)."""
    return list(
        session.scalars(
            select(RegistrationRevision)
            .where(RegistrationRevision.registration_id == registration_id)
            .order_by(RegistrationRevision.revision.desc())
            .limit(limit)
        )
    )


def decisions(session: Session, registration_id: str, limit: int = 50) -> list[ReviewDecision]:
    return list(
        session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.registration_id == registration_id)
            .order_by(ReviewDecision.id.desc())
            .limit(limit)
        )
    )


def audit_trail(
    session: Session, registration_id: str, offset: int, limit: int
) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_id == registration_id)
            .order_by(AuditEntry.id.desc())
            .offset(offset)
            .limit(limit + 1)
        )
    )


@dataclass(frozen=True, slots=True)
class BatchLine:
    batch_pk: int
    batch_id: str
    received_at: datetime
    revision: int
    outcome: str
    errors: list[str] | None


def batches_of(session: Session, registration_id: str, limit: int = 50) -> list[BatchLine]:
    """Every batch that carried the record (a resend shows as already received)."""
    rows = session.execute(
        select(
            Batch.id,
            Batch.batch_id,
            Batch.received_at,
            BatchRecord.revision,
            BatchRecord.outcome,
            BatchRecord.errors,
        )  # fmt: skip
        .join(Batch, Batch.id == BatchRecord.batch_pk)
        .where(BatchRecord.registration_id == registration_id)
        .order_by(Batch.id.desc())
        .limit(limit)
    )
    return [BatchLine(*r) for r in rows]


def device_and_office(session: Session, device_id: str) -> tuple[Device | None, Office | None]:
    device = session.get(Device, device_id)
    office = session.get(Office, device.office_code) if device else None
    return device, office


@dataclass(frozen=True, slots=True)
class RelatedRow:
    """Another registration sharing the record's family card or phone (issue 14)."""

    id: str
    code: str
    nik: str
    full_name: str
    status: str
    office_code: str
    province_code: str
    received_at: datetime
    same_kk: bool
    same_phone: bool


def phone_forms(phone: str) -> set[str]:
    """The ways one mobile number is stored (``+62812…``, ``62812…``, ``0812…``)."""
    found = {phone} if phone else set()
    norm = normalise_phone(phone) if phone else None
    if norm:
        found |= {norm, norm[1:], "0" + norm[3:]}
    return found


def related(session: Session, reg: Registration, limit: int = 25) -> list[RelatedRow]:
    """Others on the record's family card, then others with its phone (oldest first, at
    most ``limit`` of each; each lookup an index range on kk_number or phone). The caller
    masks those outside the reviewer's provinces."""
    cols = (
        Registration.id, Registration.code, Registration.nik, Registration.full_name,
        Registration.status, Registration.office_code, Registration.province_code,
        Registration.received_at, Registration.kk_number, Registration.phone,
    )  # fmt: skip
    found: dict[str, Any] = {}
    lookups = []
    if reg.kk_number:
        lookups.append(Registration.kk_number == reg.kk_number)
    phones = phone_forms(reg.phone or "")
    if phones:
        lookups.append(Registration.phone.in_(phones))
    for where in lookups:
        stmt = (
            select(*cols)
            .where(where, Registration.id != reg.id)
            .order_by(Registration.received_at, Registration.id)
            .limit(limit)
        )
        for row in session.execute(stmt):
            found.setdefault(row.id, row)
    return [
        RelatedRow(
            r.id,
            r.code,
            r.nik,
            r.full_name,
            r.status,
            r.office_code,
            r.province_code,
            r.received_at,
            bool(reg.kk_number) and r.kk_number == reg.kk_number,
            bool(phones) and r.phone in phones,
        )  # fmt: skip
        for r in found.values()
    ]
