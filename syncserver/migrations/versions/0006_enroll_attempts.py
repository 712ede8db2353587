"""enroll attempts: failed device enrollments counted per client address and time window

Revision ID: 0006_enroll_attempts
Revises: 0004_lean_ingest
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_enroll_attempts"
down_revision = "0005_sessions_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enroll_attempts",
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address", "window_start", name="pk_enroll_attempts"),
    )


def downgrade() -> None:
    op.drop_table("enroll_attempts")
