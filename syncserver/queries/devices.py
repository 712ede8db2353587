"""SQL for offices, devices and enrollment codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from common.protocol import Backlog
from syncserver.models import Device, EnrollmentCode, Office


@dataclass(frozen=True, slots=True)
class DeviceAuth:
    id: str
    office_code: str
    credential_hash: str
    revoked: bool
    device_no: int = 0  # its number within the office: the DDD part of its registration codes


def get_office(session: Session, code: str) -> Office | None:
    return session.get(Office, code)


def add_office(session: Session, code: str, regency_code: str, name: str, now: datetime) -> Office:
    office = Office(
        code=code, regency_code=regency_code, name=name, devices_enrolled=0, created_at=now
    )
    session.add(office)
    session.flush()
    return office


def device_auth(session: Session, device_id: str) -> DeviceAuth | None:
    row = session.execute(
        select(
            Device.id,
            Device.office_code,
            Device.credential_hash,
            Device.revoked_at,
            Device.device_no,
        ).where(Device.id == device_id)
    ).first()
    return DeviceAuth(row[0], row[1], row[2], row[3] is not None, row[4]) if row else None


def touch_device_seen(
    session: Session, device_id: str, now: datetime, backlog: Backlog | None = None
) -> None:
    session.execute(
        update(Device)
        .where(Device.id == device_id)
        .values(last_seen_at=now, **backlog_values(backlog, now))
    )


def backlog_values(backlog: Backlog | None, now: datetime) -> dict[str, Any]:
    """The ``devices`` columns for a reported backlog (none when the device sent none: a
    client before issue 14 leaves what was known). The oldest record's time is put on the
    server's clock (``now`` minus the age the device measured on its own)."""
    if backlog is None:
        return {}
    oldest = now - timedelta(seconds=backlog.oldest_age_s) if backlog.unsent else None
    return {
        "backlog_unsent": backlog.unsent,
        "backlog_oldest_at": oldest,
        "backlog_reported_at": now,
    }


def add_enrollment_code(
    session: Session, code_hash: str, office_code: str, now: datetime, expires_at: datetime, by: str
) -> None:
    session.add(
        EnrollmentCode(
            code_hash=code_hash,
            office_code=office_code,
            created_at=now,
            expires_at=expires_at,
            created_by=by,
        )
    )
    session.flush()


def consume_enrollment_code(
    session: Session, code_hash: str, device_id: str, now: datetime
) -> str | None:
    """Mark an unused, unexpired code used by ``device_id`` (one UPDATE: single use holds under
    concurrency); the code's office, or None when no such code could be used."""
    row = session.execute(
        update(EnrollmentCode)
        .where(
            EnrollmentCode.code_hash == code_hash,
            EnrollmentCode.used_at.is_(None),
            EnrollmentCode.expires_at > now,
        )
        .values(used_at=now, device_id=device_id)
        .returning(EnrollmentCode.office_code)
    ).first()
    return row[0] if row else None


def enrollment_code(session: Session, code_hash: str) -> EnrollmentCode | None:
    return session.get(EnrollmentCode, code_hash)


def next_device_no(session: Session, office_code: str) -> int:
    """The office's next device number (an UPDATE ... RETURNING: concurrent enrollments queue
    on the office row and get distinct numbers)."""
    return int(
        session.execute(
            update(Office)
            .where(Office.code == office_code)
            .values(devices_enrolled=Office.devices_enrolled + 1)
            .returning(Office.devices_enrolled)
        ).scalar_one()
    )


def add_device(session: Session, device: Device) -> None:
    session.add(device)
    session.flush()


def revoke_device(session: Session, device_id: str, now: datetime) -> bool:
    result = session.execute(
        update(Device)
        .where(Device.id == device_id, Device.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(Device.id)
    )
    return result.first() is not None


@dataclass(frozen=True, slots=True)
class BundleSender:
    """What checking a device's records bundle needs (issue 16)."""

    id: str
    office_code: str
    device_no: int
    revoked: bool
    key_id: str | None
    encryption_key: str | None
    signing_key: str | None
    last_bundle_seq: int | None


def bundle_sender(session: Session, device_id: str) -> BundleSender | None:
    row = session.execute(
        select(
            Device.id,
            Device.office_code,
            Device.device_no,
            Device.revoked_at,
            Device.bundle_key_id,
            Device.bundle_encryption_key,
            Device.bundle_signing_key,
            Device.last_bundle_seq,
        ).where(Device.id == device_id)
    ).first()
    if row is None:
        return None
    return BundleSender(row[0], row[1], row[2], row[3] is not None, *row[4:])


def set_bundle_key(
    session: Session, device_id: str, key_id: str, encryption_key: str, signing_key: str
) -> None:
    session.execute(
        update(Device)
        .where(Device.id == device_id)
        .values(
            bundle_key_id=key_id,
            bundle_encryption_key=encryption_key,
            bundle_signing_key=signing_key,
        )
    )


def note_bundle_seq(session: Session, device_id: str, seq: int) -> None:
    """Raise the device's highest imported bundle counter to ``seq`` (never lower it)."""
    session.execute(
        update(Device)
        .where(
            Device.id == device_id,
            (Device.last_bundle_seq.is_(None)) | (Device.last_bundle_seq < seq),
        )
        .values(last_bundle_seq=seq)
    )
