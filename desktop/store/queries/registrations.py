"""Registrations and their revisions: lookups, the save path's inserts, the list's pages and
counts, the sync engine's bulk updates, the retention purge and the daily tally."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    exists,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from common.enums import DECIDED_STATUSES, Status
from common.nik import mask_nik
from common.record import Applicant
from desktop.store.models import (
    AuditEvent,
    OutboxEntry,
    RegistrationRecord,
    RevisionRecord,
)
from desktop.store.queries.search import code_token_sql, search_text_for

#: Columns the list may be sorted by (whitelist: they are put into SQL by name).
SORTABLE = ("created_at", "updated_at", "full_name", "code", "nik", "status")
#: Indexes whose order is (column, rowid): walking one gives a sorted page without sorting.
_SORT_INDEX = {
    "created_at": "ix_registrations_created_at",
    "full_name": "ix_registrations_full_name",
    "nik": "ix_registrations_nik",
}
#: Above this many text matches, walk the sort index instead of sorting the matches.
_WALK_INDEX_ABOVE = 300
#: Decided statuses: a record in one of them may lose its personal data to retention.
#: What a purged record's applicant columns hold.
BLANK_APPLICANT = "{}"


@dataclass(frozen=True, slots=True)
class ListRow:
    id: str
    code: str
    nik_masked: str
    full_name: str
    phone: str
    status: Status
    created_at: datetime
    revision: int


@dataclass(frozen=True, slots=True)
class AttentionRow:
    """A record returned or rejected by the central office, for the clerk's list."""

    id: str
    code: str
    full_name: str
    status: Status
    note: str
    reason: str


@dataclass(frozen=True, slots=True)
class SyncState:
    """The columns the server's answer for a record is applied against."""

    id: str
    revision: int
    base_revision_synced: int
    status: str
    server_time: datetime | None


@dataclass(frozen=True, slots=True)
class Filter:
    """What the list is narrowed to: an FTS5 match, a status, a range of ``created_at``."""

    match: str | None = None
    status: Status | None = None
    created_from: str | None = None  # fixed-width UTC text, inclusive
    created_before: str | None = None  # exclusive


# --- lookups ---------------------------------------------------------------------------------
def get(s: Session, registration_id: str) -> RegistrationRecord | None:
    return s.get(RegistrationRecord, registration_id)


def by_nik(s: Session, nik: str) -> RegistrationRecord | None:
    return s.scalar(select(RegistrationRecord).where(RegistrationRecord.nik == nik))


def by_code(s: Session, code: str) -> RegistrationRecord | None:
    return s.scalar(select(RegistrationRecord).where(RegistrationRecord.code == code))


def id_with_nik(s: Session, nik: str, other_than: str = "") -> str | None:
    """The id of a record with ``nik``, other than ``other_than``."""
    return s.scalar(
        select(RegistrationRecord.id).where(
            RegistrationRecord.nik == nik, RegistrationRecord.id != other_than
        )
    )


def revisions(s: Session, registration_id: str) -> list[RevisionRecord]:
    """Every revision of a record, oldest first."""
    return list(
        s.scalars(
            select(RevisionRecord)
            .where(RevisionRecord.registration_id == registration_id)
            .order_by(RevisionRecord.revision)
        )
    )


# --- writes ------------------------------------------------------------------------------------
def add(s: Session, values: dict[str, Any]) -> RegistrationRecord:
    """A new registration from its columns (services/registrations.new_registration_values),
    flushed so that its revision and outbox rows can reference it."""
    row = RegistrationRecord(**values)
    s.add(row)
    s.flush()
    return row


def add_revision(
    s: Session,
    registration_id: str,
    revision: int,
    applicant_json: str,
    digest: str,
    operator: str,
    now: datetime,
) -> None:
    s.add(
        RevisionRecord(
            registration_id=registration_id,
            revision=revision,
            applicant_json=applicant_json,
            content_hash=digest,
            operator=operator,
            created_at=now,
        )
    )


def set_applicant(
    row: RegistrationRecord, applicant: Applicant, applicant_json: str, digest: str
) -> None:
    """Put a new revision's applicant data in the record's columns (and its index text)."""
    row.applicant_json = applicant_json
    row.content_hash = digest
    row.nik, row.kk_number = applicant.nik, applicant.kk_number
    row.full_name, row.phone = applicant.full_name, applicant.phone
    row.search_text = search_text_for(applicant, row.code)


def sync_states(s: Session, ids: Sequence[str]) -> dict[str, SyncState]:
    """The records among ``ids`` that exist here, by id."""
    r = RegistrationRecord
    rows = s.execute(
        select(r.id, r.revision, r.base_revision_synced, r.status, r.server_time).where(
            r.id.in_(ids)
        )
    )
    return {row.id: SyncState(*row) for row in rows}


def update_many(s: Session, rows: Iterable[dict[str, Any]]) -> None:
    """UPDATE by primary key (each dict has ``id`` and the columns to set), as executemany:
    rows are grouped by their key set (executemany needs the same keys in every row)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for group in groups.values():
        s.execute(update(RegistrationRecord), group)


# --- the list ------------------------------------------------------------------------------------
def _where(f: Filter) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if f.match is not None:
        where.append(
            "r.rowid IN (SELECT rowid FROM registrations_fts WHERE registrations_fts MATCH :fts)"
        )
        params["fts"] = f.match
    if f.status is not None:
        where.append("r.status = :status")
        params["status"] = Status(f.status).value
    if f.created_from is not None:
        where.append("r.created_at >= :date_from")
        params["date_from"] = f.created_from
    if f.created_before is not None:
        where.append("r.created_at < :date_to")
        params["date_to"] = f.created_before
    return where, params


def _fts_count(s: Session, match: str) -> int:
    return int(
        s.execute(
            text("SELECT count(*) FROM registrations_fts WHERE registrations_fts MATCH :fts"),
            {"fts": match},
        ).scalar_one()
    )


def _parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def page(
    s: Session, f: Filter, sort: str, descending: bool, offset: int, limit: int
) -> list[ListRow]:
    """A page of the list. Plan choice (measured, see docs/benchmarks.md): a query matching
    many records walks the sort column's index and stops after one page; one matching few
    records sorts just its matches."""
    if sort not in SORTABLE:
        raise ValueError(f"cannot sort by {sort!r}; one of {', '.join(SORTABLE)}")
    where, params = _where(f)
    direction = "DESC" if descending else "ASC"
    params.update(limit=max(0, limit), offset=max(0, offset))
    indexed = ""
    if f.match is not None and sort in _SORT_INDEX and _fts_count(s, f.match) > _WALK_INDEX_ABOVE:
        indexed = f" INDEXED BY {_SORT_INDEX[sort]}"
    sql = (
        "SELECT r.id, r.code, r.nik, r.full_name, r.phone, r.status, r.created_at, r.revision "
        f"FROM registrations AS r{indexed}"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + f" ORDER BY r.{sort} {direction}, r.rowid {direction} LIMIT :limit OFFSET :offset"
    )
    return [
        ListRow(
            r.id,
            r.code,
            mask_nik(r.nik),
            r.full_name,
            r.phone,
            Status(r.status),
            _parse_time(r.created_at),
            r.revision,
        )
        for r in s.execute(text(sql), params)
    ]


def count(s: Session, f: Filter) -> int:
    only_text = f.status is None and f.created_from is None and f.created_before is None
    if f.match is not None and only_text:
        return _fts_count(s, f.match)  # the index alone answers
    where, params = _where(f)
    sql = "SELECT count(*) FROM registrations AS r" + (
        f" WHERE {' AND '.join(where)}" if where else ""
    )
    return int(s.execute(text(sql), params).scalar_one())


def counts_by_status(s: Session) -> dict[Status, int]:
    """Records per status present (statuses without records are absent)."""
    r = RegistrationRecord
    return {
        Status(status): int(n)
        for status, n in s.execute(select(r.status, func.count()).group_by(r.status))
    }


def returned_or_rejected(s: Session) -> list[AttentionRow]:
    """Every record returned or rejected by the central office, oldest decision first."""
    r = RegistrationRecord
    rows = s.execute(
        select(r.id, r.code, r.full_name, r.status, r.review_note, r.reject_reason)
        .where(r.status.in_((Status.RETURNED.value, Status.REJECTED.value)))
        .order_by(r.server_time, r.code)
    )
    return [
        AttentionRow(
            row.id, row.code, row.full_name, Status(row.status), row.review_note, row.reject_reason
        )
        for row in rows
    ]


# --- retention -----------------------------------------------------------------------------------
def purgeable(s: Session, cutoff: datetime) -> list[str]:
    """Decided records the server has acknowledged (every revision, nothing waiting, no
    conflict) and decided before ``cutoff``, whose personal data is still here."""
    r = RegistrationRecord
    return list(
        s.scalars(
            select(r.id).where(
                r.status.in_(DECIDED_STATUSES),
                r.nik != "",  # not purged already
                r.server_time.is_not(None),
                r.server_time <= cutoff,
                r.base_revision_synced >= r.revision,  # the server has the latest revision
                r.conflict.is_(False),
                ~exists().where(OutboxEntry.registration_id == r.id),
            )
        )
    )


def purge(s: Session, ids: Sequence[str]) -> None:
    """Blank the personal data of ``ids`` and delete their revisions; only the code stays
    searchable (:func:`~desktop.store.queries.search.code_token`). The search index is then
    optimised, so the old terms are gone from its pages, not just hidden."""
    r = RegistrationRecord
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        s.execute(delete(RevisionRecord).where(RevisionRecord.registration_id.in_(chunk)))
        s.execute(
            update(r)
            .where(r.id.in_(chunk))
            .values(
                nik="",
                kk_number="",
                full_name="",
                phone="",
                applicant_json=BLANK_APPLICANT,
                review_note="",
                search_text=code_token_sql(r.code),
            )
            .execution_options(synchronize_session=False)
        )
    s.connection().exec_driver_sql(
        "INSERT INTO registrations_fts(registrations_fts) VALUES ('optimize')"
    )


# --- the daily tally -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DayCounts:
    by_device: int  # made on this device in the period (every operator)
    waiting: int  # of those, something still waits to be sent
    by_operator: int  # of those, made by the operator


def made_here_counts(
    s: Session, start: datetime, end: datetime, operator: str, actions: Sequence[str]
) -> DayCounts:
    """Records created between ``start`` and ``end`` whose audit trail says they were made on
    this device (one of ``actions``, e.g. created or imported)."""
    r = RegistrationRecord
    made_here = (AuditEvent.registration_id == r.id, AuditEvent.action.in_(actions))
    period = and_(r.created_at >= start, r.created_at <= end, exists().where(*made_here))

    def n(*where: ColumnElement[bool]) -> int:
        return int(s.scalar(select(func.count()).select_from(r).where(period, *where)) or 0)

    return DayCounts(
        by_device=n(),
        waiting=n(exists().where(OutboxEntry.registration_id == r.id)),
        by_operator=n(exists().where(*made_here, AuditEvent.operator == operator)),
    )
