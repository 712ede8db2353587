"""Drop the operators table's lock-out columns (``failed_attempts``, ``locked_until``): they
were never read. Failed logins are counted where they can be while the database is still
locked, in the key slots file, and the lock-out rule is the operators service's
(desktop/services/operators.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.drop_column("failed_attempts")
        batch.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("operators") as batch:
        batch.add_column(
            sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_until", sa.String(27), nullable=True))
