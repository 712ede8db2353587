"""SQL of the ingest path: set-based, a handful of statements per batch whatever its size.

Rows going into tables with unique keys are sorted by that key before each multi-row
statement, so concurrent batches on PostgreSQL take row locks in one global order (tables in
the order of :mod:`syncserver.ingest`, keys ascending within a table) and cannot deadlock
on each other; the server still retries a batch after a deadlock error, as a safety net.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.orm import Session, aliased

from syncserver.models import (
    Batch,
    BatchRecord,
    Device,
    DuplicateGroup,
    KkSlot,
    NikPrimary,
    Registration,
    RegistrationRevision,
)
from syncserver.queries._dialect import insert_ignore

REG = Registration.__table__
REV = RegistrationRevision.__table__
BATCH = Batch.__table__


@dataclass(slots=True)
class RegState:
    """What the server holds for one registration id."""

    id: str
    revision: int
    content_hash: str
    status: str
    nik: str
    kk_number: str
    duplicate_of_code: str | None
    office_code: str = ""  # the office that owns the record; only its devices may change it


def _chunks(values: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


# --- batches ------------------------------------------------------------------------------
def claim_batch(session: Session, row: dict[str, Any]) -> int | None:
    """Insert the batch row; its primary key, or None when (device_id, batch_id) exists."""
    got = insert_ignore(session, BATCH, [row], ("device_id", "batch_id"), returning=("id",))
    return int(got[0][0]) if got else None


def stored_response(session: Session, device_id: str, batch_id: str) -> dict[str, Any] | None:
    return session.execute(
        select(Batch.response).where(Batch.device_id == device_id, Batch.batch_id == batch_id)
    ).scalar_one_or_none()


def finish_batch(session: Session, batch_pk: int, values: dict[str, Any]) -> None:
    session.execute(update(BATCH).where(BATCH.c.id == batch_pk).values(**values))


def insert_batch_records(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(BatchRecord.__table__.insert(), list(rows))


def touch_device_push(session: Session, device_id: str, now: datetime) -> None:
    session.execute(
        update(Device).where(Device.id == device_id).values(last_push_at=now, last_seen_at=now)
    )


# --- registrations ------------------------------------------------------------------------
def registration_states(session: Session, ids: Collection[str]) -> dict[str, RegState]:
    primary = aliased(Registration)
    out: dict[str, RegState] = {}
    for chunk in _chunks(sorted(ids)):
        rows = session.execute(
            select(
                Registration.id,
                Registration.revision,
                Registration.content_hash,
                Registration.status,
                Registration.nik,
                Registration.kk_number,
                primary.code,
                Registration.office_code,
            )
            .outerjoin(primary, primary.id == Registration.duplicate_of_id)
            .where(Registration.id.in_(chunk))
        )
        for r in rows:
            out[r[0]] = RegState(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
    return out


def revision_hashes(session: Session, ids: Collection[str]) -> dict[tuple[str, int], str]:
    """(registration id, revision) -> content hash, for every revision of ``ids``."""
    out: dict[tuple[str, int], str] = {}
    for chunk in _chunks(sorted(ids)):
        rows = session.execute(
            select(REV.c.registration_id, REV.c.revision, REV.c.content_hash).where(
                REV.c.registration_id.in_(chunk)
            )
        )
        out.update({(r[0], r[1]): r[2] for r in rows})
    return out


def insert_registrations(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert new registrations (sorted by id); the ids actually inserted."""
    ordered = sorted(rows, key=lambda r: r["id"])
    return {r[0] for r in insert_ignore(session, REG, ordered, ("id",), returning=("id",))}


def update_registration(session: Session, row: dict[str, Any], base_revision: int) -> bool:
    """Compare-and-set: apply a new revision only if the server still holds ``base_revision``
    and the record belongs to the pushing device's office (least access, in the database)."""
    values = {k: v for k, v in row.items() if k not in ("id", "received_at")}
    result = session.execute(
        update(REG)
        .where(
            REG.c.id == row["id"],
            REG.c.revision == base_revision,
            REG.c.office_code == row["office_code"],
        )
        .values(**values)
        .returning(REG.c.id)
    )
    return result.first() is not None


def insert_revisions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    ordered = sorted(rows, key=lambda r: (r["registration_id"], r["revision"]))
    insert_ignore(session, REV, ordered, ("registration_id", "revision"))


def set_flags(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Flag registrations: rows of {rid, b_status, b_flag, b_dup, b_group}."""
    if not rows:
        return
    stmt = (
        update(REG)
        .where(REG.c.id == bindparam("rid"))
        .values(
            status=bindparam("b_status"),
            flag_reason=bindparam("b_flag"),
            duplicate_of_id=bindparam("b_dup"),
            duplicate_group_id=bindparam("b_group"),
        )
    )
    session.connection().execute(stmt, sorted(rows, key=lambda r: r["rid"]))


# --- NIK primaries and family-card slots ---------------------------------------------------
def claim_niks(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    """INSERT ... ON CONFLICT DO NOTHING into nik_primaries: the first claim of a NIK wins.
    Returns NIK -> registration id of the claims this statement made."""
    ordered = sorted(rows, key=lambda r: r["nik"])  # stable: batch order within one NIK
    got = insert_ignore(
        session, NikPrimary.__table__, ordered, ("nik",), returning=("nik", "registration_id")
    )
    return {r[0]: r[1] for r in got}


def nik_primaries(session: Session, niks: Collection[str]) -> dict[str, tuple[str, str]]:
    """NIK -> (primary registration id, its code)."""
    out: dict[str, tuple[str, str]] = {}
    for chunk in _chunks(sorted(niks)):
        rows = session.execute(
            select(NikPrimary.nik, NikPrimary.registration_id, Registration.code)
            .join(Registration, Registration.id == NikPrimary.registration_id)
            .where(NikPrimary.nik.in_(chunk))
        )
        out.update({r[0]: (r[1], r[2]) for r in rows})
    return out


def release_nik(session: Session, nik: str, registration_id: str) -> None:
    session.execute(
        delete(NikPrimary).where(
            NikPrimary.nik == nik, NikPrimary.registration_id == registration_id
        )
    )


def claim_kk_slots(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Claim family-card slots (ON CONFLICT DO NOTHING); the registration ids that got one."""
    ordered = sorted(rows, key=lambda r: (r["kk_number"], r["slot"]))
    got = insert_ignore(
        session, KkSlot.__table__, ordered, ("kk_number", "slot"), returning=("registration_id",)
    )
    return {r[0] for r in got}


def kk_slots(session: Session, kks: Collection[str]) -> dict[str, dict[int, tuple[str, str]]]:
    """KK number -> {slot: (registration id, code)}."""
    out: dict[str, dict[int, tuple[str, str]]] = {}
    for chunk in _chunks(sorted(kks)):
        rows = session.execute(
            select(KkSlot.kk_number, KkSlot.slot, KkSlot.registration_id, Registration.code)
            .join(Registration, Registration.id == KkSlot.registration_id)
            .where(KkSlot.kk_number.in_(chunk))
        )
        for r in rows:
            out.setdefault(r[0], {})[r[1]] = (r[2], r[3])
    return out


def release_kk_slots(session: Session, registration_id: str, keep_kk: str | None = None) -> None:
    """Free the family-card slot(s) a registration holds (except on ``keep_kk``)."""
    cond = KkSlot.registration_id == registration_id
    if keep_kk is not None:
        cond = and_(cond, KkSlot.kk_number != keep_kk)
    session.execute(delete(KkSlot).where(cond))


# --- duplicate groups ---------------------------------------------------------------------
def ensure_groups(session: Session, rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Create the duplicate groups that do not exist yet; (kind, key) -> group id for all."""
    if not rows:
        return {}
    ordered = sorted(rows, key=lambda r: (r["kind"], r["key"]))
    insert_ignore(session, DuplicateGroup.__table__, ordered, ("kind", "key"))
    out: dict[tuple[str, str], int] = {}
    for kind in {r["kind"] for r in rows}:
        keys = sorted({r["key"] for r in rows if r["kind"] == kind})
        for chunk in _chunks(keys):
            found = session.execute(
                select(DuplicateGroup.key, DuplicateGroup.id).where(
                    DuplicateGroup.kind == kind, DuplicateGroup.key.in_(chunk)
                )
            )
            out.update({(kind, r[0]): r[1] for r in found})
    return out
