"""open duplicate groups summary: the dashboard's count of unresolved groups without a scan

The dashboard counted ``duplicate_groups WHERE resolved_at IS NULL`` on every request: an
index-only scan of every open group, 5.6 ms at 1,000,000 registrations (20,000 open groups)
and 17 ms at 10,000,000 (200,000), growing with the groups nobody has resolved yet
(bench/central_scale.py, issue 17). ``summary_open_groups`` holds that count, split into
``bucket`` s as the other summaries (migration 0010: PostgreSQL the backend's pid modulo 16,
so concurrent ingest transactions that open groups rarely wait for each other's row lock;
SQLite 0), kept by triggers on ``duplicate_groups`` (insert, a change of ``resolved_at``,
delete) in the writing transaction; readers sum over the buckets. Backfilled from the rows.

Revision ID: 0012_open_groups_summary
Revises: 0011_bundles
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_open_groups_summary"
down_revision = "0011_bundles"
branch_labels = None
depends_on = None

BUCKETS = 16

_PG_FUNCTION = f"""
CREATE FUNCTION loket_summary_open_groups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE delta bigint := 0;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT delta + count(*) INTO delta FROM new_rows WHERE resolved_at IS NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT delta - count(*) INTO delta FROM old_rows WHERE resolved_at IS NULL;
  END IF;
  IF delta <> 0 THEN
    INSERT INTO summary_open_groups AS t (bucket, n) VALUES (pg_backend_pid() % {BUCKETS}, delta)
    ON CONFLICT (bucket) DO UPDATE SET n = t.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;
"""

_PG_TRIGGERS = (
    "CREATE TRIGGER duplicate_groups_open_insert AFTER INSERT ON duplicate_groups "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION loket_summary_open_groups()",
    "CREATE TRIGGER duplicate_groups_open_update AFTER UPDATE ON duplicate_groups "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION loket_summary_open_groups()",
    "CREATE TRIGGER duplicate_groups_open_delete AFTER DELETE ON duplicate_groups "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION loket_summary_open_groups()",
)
_PG_NAMES = (
    "duplicate_groups_open_insert",
    "duplicate_groups_open_update",
    "duplicate_groups_open_delete",
)


def _sqlite_add(sign: str) -> str:
    return (
        f"INSERT INTO summary_open_groups (bucket, n) VALUES (0, {sign}1) "
        f"ON CONFLICT (bucket) DO UPDATE SET n = n {sign} 1;"
    )


_SQLITE_TRIGGERS = (
    "CREATE TRIGGER duplicate_groups_open_insert AFTER INSERT ON duplicate_groups "
    f"WHEN NEW.resolved_at IS NULL BEGIN {_sqlite_add('+')} END",
    "CREATE TRIGGER duplicate_groups_open_update AFTER UPDATE OF resolved_at ON duplicate_groups "
    "WHEN (OLD.resolved_at IS NULL) <> (NEW.resolved_at IS NULL) BEGIN "
    "INSERT INTO summary_open_groups (bucket, n) "
    "VALUES (0, CASE WHEN NEW.resolved_at IS NULL THEN 1 ELSE -1 END) "
    "ON CONFLICT (bucket) DO UPDATE SET n = n + excluded.n; END",
    "CREATE TRIGGER duplicate_groups_open_delete AFTER DELETE ON duplicate_groups "
    f"WHEN OLD.resolved_at IS NULL BEGIN {_sqlite_add('-')} END",
)


def upgrade() -> None:
    op.create_table(
        "summary_open_groups",
        sa.Column("bucket", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    op.execute(
        "INSERT INTO summary_open_groups (bucket, n) "
        "SELECT 0, count(*) FROM duplicate_groups WHERE resolved_at IS NULL"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for stmt in _PG_TRIGGERS:
            op.execute(stmt)
    else:
        for stmt in _SQLITE_TRIGGERS:
            op.execute(stmt)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in _PG_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON duplicate_groups" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS loket_summary_open_groups()")
    op.drop_table("summary_open_groups")
