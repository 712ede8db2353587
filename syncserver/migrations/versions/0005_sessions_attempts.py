"""sessions and sign-in attempts: server-side console sessions, atomic sign-in throttling

- ``console_sessions``: one row per signed-in console session (the SHA-256 of the cookie's
  random token, the account, created and last seen), so sign-out, a password change and
  disabling an account end sessions at once, and the absolute and idle lifetimes hold;
- ``login_throttle``: sign-in attempts counted per (address, username), per address and
  server-wide, claimed by one conditional UPDATE so concurrent attempts cannot pass a limit.

Revision ID: 0005_sessions_attempts
Revises: 0004_lean_ingest
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sessions_attempts"
down_revision = "0004_lean_ingest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("staff_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("next_at", sa.BigInteger(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    op.drop_index("ix_console_sessions_user_id", table_name="console_sessions")
    op.drop_table("console_sessions")
