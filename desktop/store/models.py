"""The local database's tables (SQLAlchemy 2 declarative models).

Times are stored as fixed-width ISO 8601 text in UTC (``2026-03-01T08:15:00.000000Z``), so
text order is time order and the file stays readable. Structured values are JSON text, never
pickle. The full-text index ``registrations_fts`` (FTS5) is not a model: the migration makes it
and keeps it in step with ``registrations.search_text`` by triggers.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from common.wiretime import fixed_utc_text

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: Fixed-width UTC text for a datetime (naive values are taken as UTC).
iso_utc = fixed_utc_text


def _json_default(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def json_text(value: Any) -> str:
    """The JSON text a structured value is stored as (keys sorted, UTF-8 kept; enums by value,
    times in ISO 8601, sets as lists)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as fixed-width ISO text in UTC."""

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return value
        return iso_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class RegistrationRecord(Base):
    __tablename__ = "registrations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    sequence: Mapped[int] = mapped_column(Integer)
    nik: Mapped[str] = mapped_column(String(16), index=True)
    kk_number: Mapped[str] = mapped_column(String(16), index=True, default="")
    full_name: Mapped[str] = mapped_column(String(100), index=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(24))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    base_revision_synced: Mapped[int] = mapped_column(Integer, default=0)
    applicant_json: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(32))
    office_code: Mapped[str] = mapped_column(String(6))
    device_id: Mapped[str] = mapped_column(String(36))
    operator: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    device_time: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    server_time: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    server_outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reject_reason: Mapped[str] = mapped_column(String(64), default="")
    duplicate_of: Mapped[str | None] = mapped_column(String(32), nullable=True)
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    conflict_detail: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_registrations_status_created_at", "status", "created_at"),)


class RevisionRecord(Base):
    """One revision of a registration's applicant data (revision 1 is the original)."""

    __tablename__ = "registration_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("registrations.id", ondelete="CASCADE")
    )
    revision: Mapped[int] = mapped_column(Integer)
    applicant_json: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(32))
    operator: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (UniqueConstraint("registration_id", "revision"),)


class OutboxEntry(Base):
    """A (registration, revision) the server has not yet answered for."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("registrations.id", ondelete="CASCADE")
    )
    revision: Mapped[int] = mapped_column(Integer)
    enqueued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(200), default="")
    #: when the entry first went into a records bundle (in transit by file; issue 16)
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (UniqueConstraint("registration_id", "revision"),)


class DraftRecord(Base):
    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    operator: Mapped[str] = mapped_column(String(64))
    raw_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OperatorAccount(Base):
    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(8), default="local")  # 'local' | 'server'


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    """The local audit trail: who created, edited, printed, exported, imported what, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    operator: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    registration_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    detail_json: Mapped[str] = mapped_column(Text, default="{}")


class SyncRun(Base):
    """One sync attempt (filled by the sync client)."""

    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(String(24), default="running")
    sent: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    bytes_sent: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str] = mapped_column(String(40), default="")


class BundleExport(Base):
    """One records bundle written by this device (services/bundles.py; issue 16): where, how
    much, and when its acknowledgement was imported."""

    __tablename__ = "bundle_exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bundle_id: Mapped[str] = mapped_column(String(64), unique=True)
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    path: Mapped[str] = mapped_column(Text)
    records: Mapped[int] = mapped_column(Integer)
    batches: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    acked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ack_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
