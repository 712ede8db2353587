"""review console: indexes for its lists, searches and dashboard

Additive only. The console pages keyset-paginate registrations by (received_at, id), filtered
by status or province; search names by case-insensitive prefix; list batches per device; and
show the open duplicate groups. Each of these is an index range scan with these indexes, so a
page answers in milliseconds at millions of registrations (bench/console.py).

Revision ID: 0002_console
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_console"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_index("ix_registrations_received_id", "registrations", ["received_at", "id"])
    op.create_index(
        "ix_registrations_status_received_id", "registrations", ["status", "received_at", "id"]
    )
    op.create_index(
        "ix_registrations_province_received_id",
        "registrations",
        ["province_code", "received_at", "id"],
    )
    if dialect == "postgresql":
        # prefix search on names: lower(full_name) LIKE 'budi s%' (text_pattern_ops: byte order,
        # so LIKE can use it whatever the database's collation)
        op.execute(
            "CREATE INDEX ix_registrations_lower_name ON registrations "
            "(lower(full_name) text_pattern_ops)"
        )
    else:
        op.create_index(
            "ix_registrations_lower_name", "registrations", [sa.text("lower(full_name)")]
        )
    op.create_index("ix_batches_device_received", "batches", ["device_id", "received_at"])
    op.create_index(
        "ix_duplicate_groups_open",
        "duplicate_groups",
        ["id"],
        postgresql_where=sa.text("resolved_at IS NULL"),
        sqlite_where=sa.text("resolved_at IS NULL"),
    )
    op.create_index("ix_audit_log_actor_action_at", "audit_log", ["actor", "action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor_action_at", "audit_log")
    op.drop_index("ix_duplicate_groups_open", "duplicate_groups")
    op.drop_index("ix_batches_device_received", "batches")
    op.drop_index("ix_registrations_lower_name", "registrations")
    op.drop_index("ix_registrations_province_received_id", "registrations")
    op.drop_index("ix_registrations_status_received_id", "registrations")
    op.drop_index("ix_registrations_received_id", "registrations")
