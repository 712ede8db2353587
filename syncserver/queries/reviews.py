"""SQL for review decisions and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from syncserver.models import AuditEntry, RegistrationRecord, ReviewDecision


def registration_for_update(session: Session, registration_id: str) -> RegistrationRecord | None:
    return session.execute(
        select(RegistrationRecord).where(RegistrationRecord.id == registration_id).with_for_update()
    ).scalar_one_or_none()


def code_of(session: Session, registration_id: str | None) -> str | None:
    if not registration_id:
        return None
    return session.execute(
        select(RegistrationRecord.code).where(RegistrationRecord.id == registration_id)
    ).scalar_one_or_none()


def add_decision(session: Session, decision: ReviewDecision) -> None:
    session.add(decision)
    session.flush()


def set_status(session: Session, registration_id: str, status: str, now: datetime) -> None:
    session.execute(
        update(RegistrationRecord)
        .where(RegistrationRecord.id == registration_id)
        .values(status=status, updated_at=now)
    )


def set_status_if_revision(
    session: Session, registration_id: str, revision: int, status: str, now: datetime
) -> bool:
    """Set the status only while the record is still at ``revision`` (compare-and-set in the
    database: a revision a device pushed after the reviewer looked makes this touch no row)."""
    row = session.execute(
        update(RegistrationRecord)
        .where(RegistrationRecord.id == registration_id, RegistrationRecord.revision == revision)
        .values(status=status, updated_at=now)
        .returning(RegistrationRecord.id)
    ).first()
    return row is not None


def set_verified_if_revision(
    session: Session, registration_id: str, revision: int, slot: int, now: datetime
) -> bool:
    """Verify the record at ``revision`` taking family-card slot ``slot``: one UPDATE that the
    partial unique indexes of migration 0008 check (one verified registration per NIK, each
    of a card's two slots once), so a rule broken meanwhile by another process fails here
    with an IntegrityError, whichever process commits first."""
    row = session.execute(
        update(RegistrationRecord)
        .where(RegistrationRecord.id == registration_id, RegistrationRecord.revision == revision)
        .values(status="verified", kk_verified_slot=slot, updated_at=now)
        .returning(RegistrationRecord.id)
    ).first()
    return row is not None


def verified_holders(
    session: Session, registration_id: str, nik: str, kk_number: str
) -> tuple[tuple[str, str] | None, dict[int, tuple[str, str]]]:
    """The other verified registrations the rules count: (id, code) of the one holding
    ``nik`` (or None), and family-card slot -> (id, code) of those on ``kk_number``."""
    others = (RegistrationRecord.status == "verified", RegistrationRecord.id != registration_id)
    nik_row = session.execute(
        select(RegistrationRecord.id, RegistrationRecord.code).where(
            RegistrationRecord.nik == nik, *others
        )
    ).first()
    slots = {
        int(slot): (rid, code)
        for rid, code, slot in session.execute(
            select(
                RegistrationRecord.id, RegistrationRecord.code, RegistrationRecord.kk_verified_slot
            ).where(RegistrationRecord.kk_number == kk_number, *others)
        )
    }
    return (nik_row[0], nik_row[1]) if nik_row else None, slots


def current_revision(session: Session, registration_id: str) -> int | None:
    return session.execute(
        select(RegistrationRecord.revision).where(RegistrationRecord.id == registration_id)
    ).scalar_one_or_none()


def append_audit(
    session: Session,
    *,
    now: datetime,
    actor_kind: str,
    actor: str,
    action: str,
    target_kind: str = "",
    target_id: str = "",
    office_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry, linked into the hash chain (syncserver/audit.py); entries are
    never updated or deleted."""
    from syncserver.audit import link

    entry = AuditEntry(
        at=now,
        actor_kind=actor_kind,
        actor=actor,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        office_code=office_code,
        details=details or {},
    )
    link(session, entry)
    session.add(entry)
    session.flush()
