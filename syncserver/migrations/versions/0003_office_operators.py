"""office operators: desktop operator accounts managed centrally (security issue)

Revision ID: 0003_operators
Revises: 0002_console
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_operators"
down_revision = "0002_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "office_operators",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("office_code", sa.String(6), sa.ForeignKey("offices.code"), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("full_name", sa.String(100), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("office_code", "username", name="uq_office_operators_office_username"),
    )


def downgrade() -> None:
    op.drop_table("office_operators")
