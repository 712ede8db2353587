"""The central database schema (SQLAlchemy 2). Migrations in ``syncserver/migrations`` create it.

Cross-record rules live here as constraints, so they hold across server processes and
machines: ``nik_primaries`` (one primary registration per NIK), ``kk_slots`` (two unflagged
registrations per family card), ``registration_revisions`` (one row per id and revision),
``batches`` (one row per device and batch id), and two partial unique indexes on
``registrations`` (0008: one verified registration per NIK, two per family card, whatever
path verifies them). Ordering comes from ``changes.seq``, a server
sequence, never from device clocks.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: An auto-incrementing key: BIGINT identity on PostgreSQL, the rowid alias on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")
#: Documents the server stores and reads back whole, never queries inside: the applicant as
#: sent, a batch's answer, a record's error codes. Plain ``json`` on PostgreSQL keeps the text
#: as written after a syntax check; ``jsonb`` would rebuild every document into its binary form
#: on insert, which cost about a fifth of the database's CPU per ingested record.
JsonDoc = JSON()
Ts = DateTime(timezone=True)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Office(Base):
    __tablename__ = "offices"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)  # regency (4) + number (2)
    regency_code: Mapped[str] = mapped_column(String(5))  # dotted, "32.01"
    name: Mapped[str] = mapped_column(String(200))
    devices_enrolled: Mapped[int] = mapped_column(Integer, default=0)  # last device_no given
    created_at: Mapped[datetime] = mapped_column(Ts)


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("office_code", "device_no"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"), index=True)
    device_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    app_version: Mapped[str] = mapped_column(String(50), default="")
    credential_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the secret
    enrolled_at: Mapped[datetime] = mapped_column(Ts)
    revoked_at: Mapped[datetime | None] = mapped_column(Ts, nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(Ts, nullable=True)
    last_push_at: Mapped[datetime | None] = mapped_column(Ts, nullable=True)
    # 0010: what the device last reported holding unsent (common.protocol.Backlog)
    backlog_unsent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    backlog_oldest_at: Mapped[datetime | None] = mapped_column(Ts, nullable=True)  # server clock
    backlog_reported_at: Mapped[datetime | None] = mapped_column(Ts, nullable=True)
    # 0011: the device's public bundle keys (common.bundle.PublicKeys, base64; issue 16) and
    # the highest bundle counter imported from it (an older new bundle is a replay)
    bundle_key_id: Mapped[str | None] = mapped_column(String(16), nullable=True)
    bundle_encryption_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    bundle_signing_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_bundle_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)


class EnrollmentCode(Base):
    __tablename__ = "enrollment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(Ts)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    expires_at: Mapped[datetime] = mapped_column(Ts)
    used_at: Mapped[datetime | None] = mapped_column(Ts, nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Batch(Base):
    """One push (or bundle import) from a device: the ingest log, and the stored answer."""

    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("device_id", "batch_id"),
        Index("ix_batches_office_received", "office_code", "received_at"),
        Index("ix_batches_device_received", "device_id", "received_at"),  # 0002
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    office_code: Mapped[str] = mapped_column(String(6))
    batch_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="network")  # network | bundle
    received_at: Mapped[datetime] = mapped_column(Ts, index=True)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_nik: Mapped[int] = mapped_column(Integer, default=0)
    kk_limit: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    conflict: Mapped[int] = mapped_column(Integer, default=0)
    already_received: Mapped[int] = mapped_column(Integer, default=0)
    bytes_wire: Mapped[int] = mapped_column(Integer, default=0)  # as received (compressed)
    bytes_raw: Mapped[int] = mapped_column(Integer, default=0)  # decompressed JSON
    response: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, nullable=True)


class BundleImport(Base):
    """One imported records bundle (0011): who uploaded it, from which device, by which way,
    the counts per outcome; its batches are in ``batches`` with ``source`` "bundle"."""

    __tablename__ = "bundle_imports"
    __table_args__ = (
        UniqueConstraint("device_id", "bundle_id"),
        Index("ix_bundle_imports_office_imported", "office_code", "imported_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    office_code: Mapped[str] = mapped_column(String(6))
    bundle_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(40), default="")  # the device's clock
    imported_at: Mapped[datetime] = mapped_column(Ts)
    via: Mapped[str] = mapped_column(String(16))  # cli | console | relay
    uploaded_by: Mapped[str] = mapped_column(String(100), default="")
    relay_device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    batch_count: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, nullable=True)
    # what a fresh acknowledgement needs: the batches in order, the device's cursor then
    batch_ids: Mapped[list[str] | None] = mapped_column(JsonDoc, nullable=True)
    cursor: Mapped[str] = mapped_column(String(20), default="")


class DuplicateGroup(Base):
    """Registrations sharing a NIK (kind ``nik``) or a family card over the limit (``kk``)."""

    __tablename__ = "duplicate_groups"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index(  # 0002: the open groups of the duplicate queue
            "ix_duplicate_groups_open",
            "id",
            postgresql_where=text("resolved_at IS NULL"),
            sqlite_where=text("resolved_at IS NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))  # nik | kk
    key: Mapped[str] = mapped_column(String(32))  # the NIK or KK number
    primary_registration_id: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(Ts)
    resolved_at: Mapped[datetime | None] = mapped_column(Ts, nullable=True)
    resolution: Mapped[str] = mapped_column(String(32), default="")


#: SQLite's FTS5 trigram table of names and digits (migration 0009): a virtual table with
#: its shadow tables (``<name>_data`` ...), kept by triggers, never mapped or written here.
SEARCH_TABLE = "registrations_search"


class RegistrationRecord(Base):
    """The current revision of each registration, keyed by the id its device gave it."""

    __tablename__ = "registrations"
    # Each index costs every ingested record an index insert, so only what the console's
    # lists and searches use (migrations 0002 and 0004 add the composite ones): status and
    # province filters go through (status|province_code, received_at, id), the list sorted
    # by name through (lower(full_name), id). Search (migration 0009, not expressible here):
    # on PostgreSQL GIN trigram indexes on lower(full_name) and on the digits expression
    # (ix_registrations_name_trgm, ix_registrations_digits_trgm); on SQLite the FTS5 table
    # SEARCH_TABLE, filled by triggers on this table.
    __table_args__ = (
        Index("ix_registrations_office_received", "office_code", "received_at"),
        # 0002: keyset pages of the console's lists, unfiltered or by status or province
        Index("ix_registrations_received_id", "received_at", "id"),
        Index("ix_registrations_status_received_id", "status", "received_at", "id"),
        Index("ix_registrations_province_received_id", "province_code", "received_at", "id"),
        Index(
            "ix_registrations_duplicate_group_id",
            "duplicate_group_id",
            postgresql_where=text("duplicate_group_id IS NOT NULL"),
            sqlite_where=text("duplicate_group_id IS NOT NULL"),
        ),
        # 0008: the programme's two rules hold for verified registrations whatever path
        # verifies them, across processes: one verified registration per NIK, and per
        # family card one in slot 1 and one in slot 2 (kk_verified_slot is 1 or 2)
        Index(
            "uq_registrations_verified_nik",
            "nik",
            unique=True,
            postgresql_where=text("status = 'verified'"),
            sqlite_where=text("status = 'verified'"),
        ),
        Index(
            "uq_registrations_verified_kk",
            "kk_number",
            "kk_verified_slot",
            unique=True,
            postgresql_where=text("status = 'verified'"),
            sqlite_where=text("status = 'verified'"),
        ),
        CheckConstraint("kk_verified_slot IN (1, 2)", name="kk_verified_slot"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    office_code: Mapped[str] = mapped_column(String(6))
    device_id: Mapped[str] = mapped_column(String(36))
    nik: Mapped[str] = mapped_column(String(16), index=True)
    kk_number: Mapped[str] = mapped_column(String(16), index=True)
    full_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    province_code: Mapped[str] = mapped_column(String(2))
    regency_code: Mapped[str] = mapped_column(String(5), index=True)
    village_code: Mapped[str] = mapped_column(String(13))
    status: Mapped[str] = mapped_column(String(24))
    revision: Mapped[int] = mapped_column(Integer)
    applicant: Mapped[dict[str, Any]] = mapped_column(JsonDoc)  # normalised Applicant.to_dict()
    content_hash: Mapped[str] = mapped_column(String(64))
    operator: Mapped[str] = mapped_column(String(100), default="")
    channel: Mapped[str] = mapped_column(String(16))
    device_time: Mapped[datetime | None] = mapped_column(Ts, nullable=True)  # never trusted
    received_at: Mapped[datetime] = mapped_column(Ts)  # server time of the first revision
    updated_at: Mapped[datetime] = mapped_column(Ts)  # server time of the last change
    batch_pk: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # last batch
    flag_reason: Mapped[str | None] = mapped_column(
        String(16), nullable=True
    )  # duplicate_nik|kk_limit
    duplicate_of_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    duplicate_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("duplicate_groups.id"), nullable=True
    )
    #: The family card's verified slot this registration takes while verified (1 or 2;
    #: meaningless otherwise): uq_registrations_verified_kk allows each slot once per card.
    kk_verified_slot: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")


class RevisionRecord(Base):
    __tablename__ = "registration_revisions"
    # keyed by (registration id, revision) alone (0013: the surrogate id was one more index
    # per ingested record); no foreign key, as in nik_primaries: written only by ingest, in
    # the transaction that inserts or updates its registration
    registration_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    base_revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: NULL while this is the registration's current revision: its applicant is the one in
    #: ``registrations`` (stored once); set from it when a newer revision replaces this one
    #: (0013, ``queries.ingest.keep_superseded``). Read with ``revision_applicant``.
    applicant: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, nullable=True)
    operator: Mapped[str] = mapped_column(String(100), default="")
    device_id: Mapped[str] = mapped_column(String(36))
    device_time: Mapped[datetime | None] = mapped_column(Ts, nullable=True)
    batch_pk: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    received_at: Mapped[datetime] = mapped_column(Ts)


class NikPrimary(Base):
    """The first registration of each NIK; later ones are flagged (INSERT ... ON CONFLICT)."""

    __tablename__ = "nik_primaries"
    nik: Mapped[str] = mapped_column(String(16), primary_key=True)
    # no foreign key (a check per claimed row): claims are written only by ingest, in the
    # transaction that inserts their registration, and registrations are never deleted
    registration_id: Mapped[str] = mapped_column(String(36))


class KkSlot(Base):
    """The two registrations a family card may have unflagged; a third finds both taken."""

    __tablename__ = "kk_slots"
    __table_args__ = (CheckConstraint("slot IN (1, 2)", name="slot"),)
    kk_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    # no foreign key, as in nik_primaries; indexed: a new revision frees its old slots by id
    registration_id: Mapped[str] = mapped_column(String(36), index=True)


class BatchRecord(Base):
    """Each record's outcome in a batch, for the console's batch page."""

    __tablename__ = "batch_records"
    # no foreign key: written only by ingest, in the transaction that inserts the batch row
    batch_pk: Mapped[int] = mapped_column(BigId, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    errors: Mapped[list[str] | None] = mapped_column(JsonDoc, nullable=True)


class ReviewDecision(Base):
    __tablename__ = "review_decisions"
    # 0009: the lists' reviewer and decision filters (records this reviewer decided so)
    __table_args__ = (
        Index("ix_review_decisions_reviewer", "reviewer", "decision", "registration_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(24))  # verified | rejected | returned
    reason: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(Ts)


class AuditEntry(Base):
    """Append-only. ``prev_hash``/``hash`` are for the hash chain of the security issue."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_actor_action_at", "actor", "action", "at"),)  # 0002
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(Ts, index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))  # staff | device | system
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    office_code: Mapped[str | None] = mapped_column(String(6), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(16))  # admin | reviewer | intake | viewer
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    provinces: Mapped[list[str]] = mapped_column(Json, default=list)  # empty = all
    created_at: Mapped[datetime] = mapped_column(Ts)
    last_login_at: Mapped[datetime | None] = mapped_column(Ts, nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(Ts, nullable=True)


class ConsoleSession(Base):
    """A signed-in console session (0005). The cookie carries a random token; only its
    SHA-256 is stored, so a database copy cannot be replayed as a cookie. Sign-out, a password
    change and disabling the account delete the rows; lifetimes are checked on every request."""

    __tablename__ = "console_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(Ts)
    last_seen_at: Mapped[datetime] = mapped_column(Ts)


class LoginThrottle(Base):
    """Console sign-in attempts counted per key (0005): ``u:<address>:<username>`` (growing
    delays), ``a:<address>`` (attempts per window across usernames), ``g`` (attempts per
    minute server-wide). Times are epoch seconds so the delay is computed inside the one
    atomic UPDATE that claims an attempt."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[int] = mapped_column(BigInteger, default=0)
    next_at: Mapped[int] = mapped_column(BigInteger, default=0)
    refused: Mapped[int] = mapped_column(Integer, default=0)


class OfficeOperator(Base):
    """A desktop operator account, managed centrally and synced to its office's devices as an
    argon2id hash (never a password) through the change feed."""

    __tablename__ = "office_operators"
    __table_args__ = (
        UniqueConstraint("office_code", "username", name="uq_office_operators_office_username"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    office_code: Mapped[str] = mapped_column(String(6), ForeignKey("offices.code"))
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Ts)
    updated_at: Mapped[datetime] = mapped_column(Ts)


class ChangeRecord(Base):
    """The change feed devices pull, ordered by the server's sequence only."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_office_seq", "office_code", "seq"),)
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    office_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(16))  # common.protocol.ChangeKind
    registration_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(Ts)


class ReviewClaim(Base):
    """A reviewer's claim on a duplicate group (``kind`` ``group``, ``target`` its id) or a
    registration (``registration``, its id) until ``expires_at`` (0010, syncserver/claims.py)."""

    __tablename__ = "review_claims"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    target: Mapped[str] = mapped_column(String(64), primary_key=True)
    reviewer: Mapped[str] = mapped_column(String(64), index=True)
    claimed_at: Mapped[datetime] = mapped_column(Ts)
    expires_at: Mapped[datetime] = mapped_column(Ts)


# 0010: the dashboard's summaries, kept by triggers on registrations and review_decisions in
# the writing transaction (see the migration); ``bucket`` spreads concurrent writers over
# rows, readers sum over it.


class SummaryRegencyStatus(Base):
    __tablename__ = "summary_regency_status"
    regency_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger)


class SummaryDayStatus(Base):
    """Registrations by WIB day of arrival, province and current status."""

    __tablename__ = "summary_day_status"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger)


class SummaryDayDecisions(Base):
    """Decisions by WIB day, province of the registration and decision."""

    __tablename__ = "summary_day_decisions"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    decision: Mapped[str] = mapped_column(String(24), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger)


class SummaryOpenGroups(Base):
    """Unresolved duplicate groups (0012), kept by triggers on duplicate_groups."""

    __tablename__ = "summary_open_groups"
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger)
