"""lean ingest: fewer per-record index entries and checks, plain JSON documents

Every ingested record pays for each index on ``registrations``, each foreign-key check on the
rows written beside it and each JSON document converted on the way in. This migration removes
what nothing reads (measured in bench/ingest.py; docs/benchmarks.md):

- indexes no query uses: ``device_id``; ``full_name`` (name search goes through
  ``lower(full_name)``); ``status`` and ``province_code`` (the first column of the composite
  ``(status|province_code, received_at, id)`` indexes of 0002 serves the same lookups);
  ``nik_primaries.registration_id`` (released by primary key);
- ``duplicate_group_id`` becomes a partial index over the flagged records only (a few percent);
- the foreign keys of ``nik_primaries``, ``kk_slots`` and ``batch_records``: their rows are
  written only by ingest, in the transaction that writes the row they point at, and
  registrations and batches are never deleted (the contract suite checks for orphans);
- on PostgreSQL the documents the server stores and reads back whole (the applicant in
  ``registrations`` and ``registration_revisions``, a batch's answer, a record's error codes)
  become ``json`` instead of ``jsonb``; a batch's answer is compressed with lz4 (PostgreSQL
  15's own TOAST compression) instead of pglz.

Revision ID: 0004_lean_ingest
Revises: 0003_operators
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_lean_ingest"
down_revision = "0003_operators"
branch_labels = None
depends_on = None

_DROPPED = (
    ("registrations", "ix_registrations_device_id", ["device_id"]),
    ("registrations", "ix_registrations_full_name", ["full_name"]),
    ("registrations", "ix_registrations_status", ["status"]),
    ("registrations", "ix_registrations_province_code", ["province_code"]),
    ("nik_primaries", "ix_nik_primaries_registration_id", ["registration_id"]),
)
_FOREIGN_KEYS = (
    (
        "nik_primaries",
        "fk_nik_primaries_registration_id_registrations",
        "registrations",
        ["registration_id"],
        ["id"],
    ),
    (
        "kk_slots",
        "fk_kk_slots_registration_id_registrations",
        "registrations",
        ["registration_id"],
        ["id"],
    ),
    ("batch_records", "fk_batch_records_batch_pk_batches", "batches", ["batch_pk"], ["id"]),
)
_DOCUMENTS = (
    ("registrations", "applicant", False),
    ("registration_revisions", "applicant", False),
    ("batches", "response", True),
    ("batch_records", "errors", True),
)
_GROUP_WHERE = "duplicate_group_id IS NOT NULL"


@contextmanager
def _quiet_reflection() -> Iterator[None]:
    """Batch mode reflects the referenced table too; SQLAlchemy then warns that it cannot
    reflect the expression index on lower(full_name), which the copy does not involve."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        yield


def _documents_as(
    type_: sa.types.TypeEngine[Any], name: str, *, was: sa.types.TypeEngine[Any]
) -> None:
    """PostgreSQL: the document columns become ``type_`` (``name`` in SQL)."""
    for table, column, nullable in _DOCUMENTS:
        op.alter_column(
            table,
            column,
            type_=type_,
            existing_type=was,
            existing_nullable=nullable,
            postgresql_using=f"{column}::{name}",
        )


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, name, _cols in _DROPPED:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_registrations_duplicate_group_id", table_name="registrations")
    op.create_index(
        "ix_registrations_duplicate_group_id",
        "registrations",
        ["duplicate_group_id"],
        postgresql_where=sa.text(_GROUP_WHERE),
        sqlite_where=sa.text(_GROUP_WHERE),
    )
    for table, name, _ref, _cols, _ref_cols in _FOREIGN_KEYS:
        if postgres:
            op.drop_constraint(name, table, type_="foreignkey")
        else:  # SQLite cannot drop a constraint: the table is copied without it
            with _quiet_reflection(), op.batch_alter_table(table, recreate="always") as batch:
                batch.drop_constraint(name, type_="foreignkey")
    if postgres:
        _documents_as(sa.JSON(), "json", was=postgresql.JSONB())
        op.execute("ALTER TABLE batches ALTER COLUMN response SET COMPRESSION lz4")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE batches ALTER COLUMN response SET COMPRESSION default")
        _documents_as(postgresql.JSONB(), "jsonb", was=sa.JSON())
    for table, name, ref, cols, ref_cols in _FOREIGN_KEYS:
        if postgres:
            op.create_foreign_key(name, table, ref, cols, ref_cols)
        else:
            with _quiet_reflection(), op.batch_alter_table(table, recreate="always") as batch:
                batch.create_foreign_key(name, ref, cols, ref_cols)
    op.drop_index("ix_registrations_duplicate_group_id", table_name="registrations")
    op.create_index("ix_registrations_duplicate_group_id", "registrations", ["duplicate_group_id"])
    for table, name, cols in _DROPPED:
        op.create_index(name, table, cols)
