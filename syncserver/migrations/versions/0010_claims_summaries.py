"""claims and summaries: review claims, device backlogs, dashboard summary tables

- ``review_claims``: a reviewer's claim on a duplicate group or a registration, until it
  expires (syncserver/claims.py); a decision on a record someone else claims is refused.
- ``devices.backlog_*``: what each device last reported holding unsent (count, the oldest
  one's time on the server's clock, when it reported), sent with every push and pull.
- ``summary_regency_status`` (registrations per regency and current status),
  ``summary_day_status`` (per WIB day of arrival, province and current status) and
  ``summary_day_decisions`` (decisions per WIB day, province and decision): the dashboard
  reads these only, never ``registrations`` (it stays fast at 10 million rows). They are
  kept by triggers on ``registrations`` and ``review_decisions``, so every path that inserts
  a registration or changes its status (ingest, decisions, group resolutions) keeps them in
  its own transaction. Each row is split into ``bucket`` s (PostgreSQL: the backend's pid
  modulo 16; SQLite: 0) so concurrent ingest transactions rarely update the same row and do
  not queue behind each other's row locks; readers sum over the buckets. PostgreSQL uses
  statement-level triggers with transition tables (one aggregate per statement, not one
  upsert per row); SQLite row triggers (its writers are serialised anyway).

The summaries are backfilled from the existing rows.

Revision ID: 0010_claims_summaries
Revises: 0007_operator_feed_latest
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_claims_summaries"
down_revision = "0009_search_indexes"
branch_labels = None
depends_on = None

BUCKETS = 16
_PG_DAY = "((({col}) AT TIME ZONE 'UTC') + interval '7 hours')::date"
_SQLITE_DAY = "date({col}, '+7 hours')"

_PG_FUNCTIONS = f"""
CREATE FUNCTION loket_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO summary_regency_status AS t (regency_code, status, bucket, n)
  SELECT regency_code, status, pg_backend_pid() % {BUCKETS}, count(*)
  FROM new_rows GROUP BY regency_code, status ORDER BY regency_code, status
  ON CONFLICT (regency_code, status, bucket) DO UPDATE SET n = t.n + excluded.n;
  INSERT INTO summary_day_status AS t (day, province_code, status, bucket, n)
  SELECT d.day, d.province_code, d.status, pg_backend_pid() % {BUCKETS}, d.n FROM (
    SELECT {_PG_DAY.format(col="received_at")} AS day, province_code, status, count(*) AS n
    FROM new_rows GROUP BY 1, 2, 3) d
  ORDER BY 1, 2, 3
  ON CONFLICT (day, province_code, status, bucket) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;

CREATE FUNCTION loket_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO summary_regency_status AS t (regency_code, status, bucket, n)
  SELECT d.regency_code, d.status, pg_backend_pid() % {BUCKETS}, sum(d.n) FROM (
    SELECT regency_code, status, -1 AS n FROM old_rows
    UNION ALL SELECT regency_code, status, 1 FROM new_rows) d
  GROUP BY d.regency_code, d.status HAVING sum(d.n) <> 0 ORDER BY 1, 2
  ON CONFLICT (regency_code, status, bucket) DO UPDATE SET n = t.n + excluded.n;
  INSERT INTO summary_day_status AS t (day, province_code, status, bucket, n)
  SELECT d.day, d.province_code, d.status, pg_backend_pid() % {BUCKETS}, sum(d.n) FROM (
    SELECT {_PG_DAY.format(col="received_at")} AS day, province_code, status, -1 AS n
    FROM old_rows
    UNION ALL SELECT {_PG_DAY.format(col="received_at")}, province_code, status, 1
    FROM new_rows) d
  GROUP BY 1, 2, 3 HAVING sum(d.n) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (day, province_code, status, bucket) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;

CREATE FUNCTION loket_summary_decision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO summary_day_decisions AS t (day, province_code, decision, bucket, n)
  SELECT d.day, d.province_code, d.decision, pg_backend_pid() % {BUCKETS}, d.n FROM (
    SELECT {_PG_DAY.format(col="nr.decided_at")} AS day, r.province_code, nr.decision,
           count(*) AS n
    FROM new_rows nr JOIN registrations r ON r.id = nr.registration_id
    GROUP BY 1, 2, 3) d
  ORDER BY 1, 2, 3
  ON CONFLICT (day, province_code, decision, bucket) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;
"""

_PG_TRIGGERS = (
    "CREATE TRIGGER registrations_summary_insert AFTER INSERT ON registrations "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION loket_summary_insert()",
    "CREATE TRIGGER registrations_summary_update AFTER UPDATE ON registrations "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION loket_summary_update()",
    "CREATE TRIGGER review_decisions_summary AFTER INSERT ON review_decisions "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION loket_summary_decision()",
)


def _sqlite_add(sign: str, row: str) -> str:
    day = _SQLITE_DAY.format(col=f"{row}.received_at")
    return f"""
  INSERT INTO summary_regency_status (regency_code, status, bucket, n)
  VALUES ({row}.regency_code, {row}.status, 0, {sign}1)
  ON CONFLICT (regency_code, status, bucket) DO UPDATE SET n = n {sign} 1;
  INSERT INTO summary_day_status (day, province_code, status, bucket, n)
  VALUES ({day}, {row}.province_code, {row}.status, 0, {sign}1)
  ON CONFLICT (day, province_code, status, bucket) DO UPDATE SET n = n {sign} 1;"""


_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER registrations_summary_insert AFTER INSERT ON registrations BEGIN"
    f"{_sqlite_add('+', 'NEW')}\nEND",
    "CREATE TRIGGER registrations_summary_update "
    "AFTER UPDATE OF status, regency_code, province_code, received_at ON registrations "
    "WHEN OLD.status IS NOT NEW.status OR OLD.regency_code IS NOT NEW.regency_code "
    "OR OLD.province_code IS NOT NEW.province_code OR OLD.received_at IS NOT NEW.received_at "
    f"BEGIN{_sqlite_add('-', 'OLD')}{_sqlite_add('+', 'NEW')}\nEND",
    f"""CREATE TRIGGER review_decisions_summary AFTER INSERT ON review_decisions BEGIN
  INSERT INTO summary_day_decisions (day, province_code, decision, bucket, n)
  SELECT {_SQLITE_DAY.format(col="NEW.decided_at")}, r.province_code, NEW.decision, 0, 1
  FROM registrations r WHERE r.id = NEW.registration_id AND true
  ON CONFLICT (day, province_code, decision, bucket) DO UPDATE SET n = n + 1;
END""",
)


def _backfill(dialect: str) -> None:
    day = _PG_DAY if dialect == "postgresql" else _SQLITE_DAY
    op.execute(
        "INSERT INTO summary_regency_status (regency_code, status, bucket, n) "
        "SELECT regency_code, status, 0, count(*) FROM registrations GROUP BY regency_code, status"
    )
    op.execute(
        "INSERT INTO summary_day_status (day, province_code, status, bucket, n) "
        f"SELECT {day.format(col='received_at')}, province_code, status, 0, count(*) "
        "FROM registrations GROUP BY 1, 2, 3"
    )
    op.execute(
        "INSERT INTO summary_day_decisions (day, province_code, decision, bucket, n) "
        f"SELECT {day.format(col='d.decided_at')}, r.province_code, d.decision, 0, count(*) "
        "FROM review_decisions d JOIN registrations r ON r.id = d.registration_id "
        "GROUP BY 1, 2, 3"
    )


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "review_claims",
        sa.Column("kind", sa.String(16), primary_key=True),  # group | registration
        sa.Column("target", sa.String(64), primary_key=True),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("claimed_at", ts, nullable=False),
        sa.Column("expires_at", ts, nullable=False),
    )
    op.create_index("ix_review_claims_reviewer", "review_claims", ["reviewer"])
    op.add_column("devices", sa.Column("backlog_unsent", sa.Integer(), nullable=True))
    op.add_column("devices", sa.Column("backlog_oldest_at", ts, nullable=True))
    op.add_column("devices", sa.Column("backlog_reported_at", ts, nullable=True))
    op.create_table(
        "summary_regency_status",
        sa.Column("regency_code", sa.String(5), primary_key=True),
        sa.Column("status", sa.String(24), primary_key=True),
        sa.Column("bucket", sa.Integer(), primary_key=True),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "summary_day_status",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("province_code", sa.String(2), primary_key=True),
        sa.Column("status", sa.String(24), primary_key=True),
        sa.Column("bucket", sa.Integer(), primary_key=True),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "summary_day_decisions",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("province_code", sa.String(2), primary_key=True),
        sa.Column("decision", sa.String(24), primary_key=True),
        sa.Column("bucket", sa.Integer(), primary_key=True),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    dialect = op.get_bind().dialect.name
    _backfill(dialect)
    if dialect == "postgresql":
        op.execute(_PG_FUNCTIONS)
        for stmt in _PG_TRIGGERS:
            op.execute(stmt)
    else:
        for stmt in _SQLITE_TRIGGERS:
            op.execute(stmt)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute(
        "DROP TRIGGER IF EXISTS review_decisions_summary ON review_decisions"
        if dialect == "postgresql"
        else "DROP TRIGGER IF EXISTS review_decisions_summary"
    )
    for name in ("registrations_summary_update", "registrations_summary_insert"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {name}"
            + (" ON registrations" if dialect == "postgresql" else "")
        )
    if dialect == "postgresql":
        for fn in ("loket_summary_decision", "loket_summary_update", "loket_summary_insert"):
            op.execute(f"DROP FUNCTION IF EXISTS {fn}()")
    op.drop_table("summary_day_decisions")
    op.drop_table("summary_day_status")
    op.drop_table("summary_regency_status")
    for column in ("backlog_reported_at", "backlog_oldest_at", "backlog_unsent"):
        # SQLite >= 3.35 drops a column in place (a batch copy would trip devices' foreign keys)
        op.execute(f"ALTER TABLE devices DROP COLUMN {column}")
    op.drop_index("ix_review_claims_reviewer", table_name="review_claims")
    op.drop_table("review_claims")
