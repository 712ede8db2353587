"""lean revisions and summary buckets by lock: ingest headroom (issue 17, item 4)

- ``registration_revisions.applicant`` may be NULL: the current revision's applicant is the
  one in ``registrations`` (written once, not twice: about 730 bytes and a JSON parse per
  ingested record). A revision row holds its own copy from the moment a newer revision
  replaces it (``syncserver.queries.ingest.keep_superseded``, in the transaction that stores
  the newer one); readers take ``coalesce(revision.applicant, registration.applicant)``.
  Rows written before this migration keep their copy (always correct; clearing them would
  rewrite the whole table for no gain on a live database).
- ``registration_revisions.registration_id`` loses its foreign key, as ``nik_primaries`` and
  ``kk_slots`` did (0004): ingest writes a revision only in the transaction that inserted or
  updated its registration, and registrations are never deleted; the key cost a
  ``SELECT ... FOR KEY SHARE`` per ingested record (tests/support/integrity.py still checks).
- ``registration_revisions`` is keyed by ``(registration_id, revision)``, its unique key
  until now, and loses the surrogate ``id`` nothing read: one index fewer per ingested record.
- PostgreSQL: the dashboard summaries' ``bucket`` (0010, 0012) is no longer the backend's pid
  modulo 16, which two backends can share: a transaction now takes a free bucket with
  ``pg_try_advisory_xact_lock`` the first time one of its statements changes a summary
  (``loket_summary_bucket()``, remembered for the transaction in the setting
  ``loket.summary_bucket``) and keeps it until it commits. So no two open transactions update
  the same summary row: an ingest and a reviewer's group resolution could deadlock on two
  summary rows of one shared bucket taken in opposite order (the reviewer then saw an error
  page), and two ingests of one bucket queued behind each other's rows. Only when all 16 are
  taken does a 17th writer wait for its pid's bucket. The trigger functions are rewritten in
  place from their stored definitions; readers still sum over the buckets.

Revision ID: 0013_lean_revisions
Revises: 0012_open_groups_summary
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_lean_revisions"
down_revision = "0012_open_groups_summary"
branch_labels = None
depends_on = None

BUCKETS = 16
#: the advisory-lock namespace of summary buckets ("LS"; syncserver/queries/changes.py has "LK")
LOCK_NAMESPACE = 0x4C53
_FK = "fk_registration_revisions_registration_id_registrations"
_PK = "pk_registration_revisions"
_UQ = "uq_registration_revisions_registration_id_revision"
_KEY = ["registration_id", "revision"]
_REV = "registration_revisions"
_SUMMARY_FUNCTIONS = (
    "loket_summary_insert",
    "loket_summary_update",
    "loket_summary_decision",
    "loket_summary_open_groups",
)
_BY_PID = f"pg_backend_pid() % {BUCKETS}"
_BY_LOCK = "loket_summary_bucket()"

_PG_BUCKET = f"""
CREATE FUNCTION loket_summary_bucket() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  b integer := nullif(current_setting('loket.summary_bucket', true), '')::integer;
  first integer := {_BY_PID};
BEGIN
  IF b IS NOT NULL THEN
    RETURN b;
  END IF;
  FOR i IN 0..{BUCKETS - 1} LOOP
    b := (first + i) % {BUCKETS};
    EXIT WHEN pg_try_advisory_xact_lock({LOCK_NAMESPACE}, b);
    b := NULL;
  END LOOP;
  IF b IS NULL THEN  -- every bucket is some open transaction's: wait for this pid's
    b := first;
    PERFORM pg_advisory_xact_lock({LOCK_NAMESPACE}, b);
  END IF;
  PERFORM set_config('loket.summary_bucket', b::text, true);
  RETURN b;
END $$;
"""


def _rewrite_summaries(old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the summary trigger functions' stored definitions."""
    bind = op.get_bind()
    for name in _SUMMARY_FUNCTIONS:
        body = bind.execute(
            sa.text("SELECT pg_get_functiondef(CAST(:f AS regproc))"), {"f": name}
        ).scalar_one()
        if old not in body:
            raise RuntimeError(f"{name}: {old!r} not found in its definition")
        # a CREATE OR REPLACE statement, run by the driver as it is (no parameter markers)
        raw = bind.connection.dbapi_connection
        assert raw is not None
        raw.cursor().execute(body.replace(old, new))


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(_FK, _REV, type_="foreignkey")
        op.alter_column(_REV, "applicant", existing_type=sa.JSON(), nullable=True)
        op.drop_constraint(_PK, _REV, type_="primary")
        op.drop_column(_REV, "id")
        op.create_primary_key(_PK, _REV, _KEY)  # an index build (minutes at 10 million)
        op.drop_constraint(_UQ, _REV, type_="unique")
        op.execute(_PG_BUCKET)
        _rewrite_summaries(_BY_PID, _BY_LOCK)
    else:  # SQLite alters a table by copying it (no other table refers to this one)
        with op.batch_alter_table(_REV, recreate="always") as batch:
            batch.drop_constraint(_FK, type_="foreignkey")
            batch.drop_constraint(_UQ, type_="unique")
            batch.drop_column("id")
            batch.alter_column("applicant", existing_type=sa.JSON(), nullable=True)
            batch.create_primary_key(_PK, _KEY)


def downgrade() -> None:
    # the current revisions' own copies back first: NOT NULL again
    op.execute(
        f"UPDATE {_REV} SET applicant = (SELECT r.applicant FROM registrations r "
        f"WHERE r.id = {_REV}.registration_id) WHERE applicant IS NULL"
    )
    if op.get_bind().dialect.name == "postgresql":
        _rewrite_summaries(_BY_LOCK, _BY_PID)
        op.execute("DROP FUNCTION loket_summary_bucket()")
        op.drop_constraint(_PK, _REV, type_="primary")
        op.create_unique_constraint(_UQ, _REV, _KEY)
        op.execute(f"ALTER TABLE {_REV} ADD COLUMN id BIGSERIAL")
        op.create_primary_key(_PK, _REV, ["id"])
        op.alter_column(_REV, "applicant", existing_type=sa.JSON(), nullable=False)
        op.create_foreign_key(_FK, _REV, "registrations", ["registration_id"], ["id"])
    else:
        with op.batch_alter_table(_REV, recreate="always") as batch:
            batch.drop_constraint(_PK, type_="primary")
            batch.add_column(sa.Column("id", sa.Integer(), nullable=True))
        op.execute(f"UPDATE {_REV} SET id = rowid")
        with op.batch_alter_table(_REV, recreate="always") as batch:
            batch.alter_column("id", existing_type=sa.Integer(), nullable=False)
            batch.create_primary_key(_PK, ["id"])
            batch.create_unique_constraint(_UQ, _KEY)
            batch.alter_column("applicant", existing_type=sa.JSON(), nullable=False)
            batch.create_foreign_key(_FK, "registrations", ["registration_id"], ["id"])
