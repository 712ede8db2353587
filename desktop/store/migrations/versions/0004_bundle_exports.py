"""Sync bundles on the device (issue 16): ``bundle_exports``, one row per records bundle
written (its file, counts, and when its acknowledgement was imported), and
``outbox.exported_at``, the time an outbox entry first went into a bundle, so the app shows
what is in transit by file and since when.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_T = sa.String(27)  # UTC time as fixed-width ISO text (models.UtcDateTime)


def upgrade() -> None:
    op.create_table(
        "bundle_exports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("bundle_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("created_at", _T, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("batches", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("acked_at", _T, nullable=True),
        sa.Column("ack_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bundle_exports"),
        sa.UniqueConstraint("bundle_id", name="uq_bundle_exports_bundle_id"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("exported_at", _T, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("exported_at")
    op.drop_table("bundle_exports")
