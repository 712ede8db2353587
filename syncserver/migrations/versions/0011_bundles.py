"""bundles: the devices' public bundle keys and the log of imported bundles (issue 16)

- ``devices.bundle_key_id``, ``bundle_encryption_key``, ``bundle_signing_key``: the public
  halves a device registers at enrollment (or later with ``POST /api/v1/devices/keys``);
  a records bundle's signature is checked against them.
- ``devices.last_bundle_seq``: the highest bundle counter imported from the device; a new
  bundle with a lower one is an old bundle replayed, and refused.
- ``bundle_imports``: one row per imported records bundle (who uploaded it, which device,
  by which way, counts per outcome, the batch ids and the device's cursor then, from which
  a fresh acknowledgement is made). Its batches go in ``batches`` with source "bundle".

Plain ADD/DROP COLUMN, not a batch operation: a batch copies ``devices``, and SQLite refuses
to drop a table other tables' foreign keys point at.

Revision ID: 0011_bundles
Revises: 0010_claims_summaries
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_bundles"
down_revision = "0010_claims_summaries"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_DEVICE_COLUMNS = (
    ("bundle_key_id", sa.String(16)),
    ("bundle_encryption_key", sa.String(64)),
    ("bundle_signing_key", sa.String(64)),
    ("last_bundle_seq", sa.Integer()),
)


def upgrade() -> None:
    for name, type_ in _DEVICE_COLUMNS:
        op.add_column("devices", sa.Column(name, type_, nullable=True))
    op.create_table(
        "bundle_imports",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("device_id", sa.String(36), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("office_code", sa.String(6), nullable=False),
        sa.Column("bundle_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("imported_at", _TS, nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("relay_device_id", sa.String(36), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("batch_count", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("batch_ids", sa.JSON(), nullable=True),
        sa.Column("cursor", sa.String(20), nullable=False),
        sa.UniqueConstraint("device_id", "bundle_id"),
    )
    op.create_index(
        "ix_bundle_imports_office_imported", "bundle_imports", ["office_code", "imported_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_bundle_imports_office_imported", table_name="bundle_imports")
    op.drop_table("bundle_imports")
    for name, _ in reversed(_DEVICE_COLUMNS):
        op.drop_column("devices", name)
