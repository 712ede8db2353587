"""search indexes: any word or part of a name, digits anywhere in a NIK, phone or code

The console's search matched names from their start only (``lower(full_name) LIKE 'x%'``),
so "Hidayat" (a second name) or "Dupli" (inside one) found nothing, and a fragment of a NIK,
phone or code found nothing either (issue 14, defect 4).

PostgreSQL: pg_trgm (a trusted extension: the database owner may create it) and two GIN
trigram indexes, on ``lower(full_name)`` and on the digits a reviewer types
(``nik || ' ' || phone || ' ' || replace(code, '-', '')``, the expression
syncserver/queries/console_records.py searches, character for character), so
``LIKE '%hidayat%'`` is an index lookup; the prefix index ``ix_registrations_lower_name``
(text_pattern_ops) becomes a plain btree on ``(lower(full_name), id)``, which the trigram
index makes redundant for prefixes and the list needs for its keyset pages sorted by name.

Both: ``(reviewer, decision, registration_id)`` on ``review_decisions`` for the lists'
reviewer and decision filters.

SQLite: an FTS5 table with the trigram tokenizer (SQLite >= 3.34; the bundled one is newer),
``registrations_search(name, digits)``, its rowid the registration's rowid, kept current by
three triggers on ``registrations``. SQLite drops a table's triggers with the table, and a
table without an INTEGER PRIMARY KEY may get new rowids when it is copied: a later migration
that recreates ``registrations`` (``batch_alter_table``), or a ``VACUUM``, must be followed by
:func:`create_sqlite`, which recreates the triggers and refills the index from the table
(tests/syncserver/test_schema_drift.py checks the triggers exist at head).

Revision ID: 0009_search_indexes
Revises: 0007_operator_feed_latest
"""

from __future__ import annotations

from alembic import op

revision = "0009_search_indexes"
down_revision = "0008_decision_rules"
branch_labels = None
depends_on = None

#: What a digit fragment is matched in (the same expression as the PostgreSQL index).
DIGITS_SQL = "nik || ' ' || phone || ' ' || replace(code, '-', '')"

_PG_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_registrations_name_trgm ON registrations "
    "USING gin (lower(full_name) gin_trgm_ops)",
    f"CREATE INDEX ix_registrations_digits_trgm ON registrations USING gin (({DIGITS_SQL}) gin_trgm_ops)",
    "DROP INDEX ix_registrations_lower_name",
    "CREATE INDEX ix_registrations_lower_name ON registrations (lower(full_name), id)",
)
_PG_DOWN = (
    "DROP INDEX ix_registrations_lower_name",
    "CREATE INDEX ix_registrations_lower_name ON registrations (lower(full_name) text_pattern_ops)",
    "DROP INDEX ix_registrations_digits_trgm",
    "DROP INDEX ix_registrations_name_trgm",
)


def _new(row: str) -> str:
    return (
        f"INSERT INTO registrations_search (rowid, name, digits) VALUES ({row}.rowid, "
        f"{row}.full_name, {row}.nik || ' ' || {row}.phone || ' ' || replace({row}.code, '-', ''))"
    )


SQLITE_UP = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS registrations_search "
    "USING fts5(name, digits, tokenize = 'trigram')",
    "DELETE FROM registrations_search",
    "INSERT INTO registrations_search (rowid, name, digits) SELECT rowid, full_name, "
    f"{DIGITS_SQL} FROM registrations",
    "DROP TRIGGER IF EXISTS registrations_search_ai",
    "DROP TRIGGER IF EXISTS registrations_search_au",
    "DROP TRIGGER IF EXISTS registrations_search_ad",
    f"CREATE TRIGGER registrations_search_ai AFTER INSERT ON registrations BEGIN {_new('new')}; END",
    "CREATE TRIGGER registrations_search_au AFTER UPDATE OF full_name, nik, phone, code "
    "ON registrations BEGIN DELETE FROM registrations_search WHERE rowid = old.rowid; "
    f"{_new('new')}; END",
    "CREATE TRIGGER registrations_search_ad AFTER DELETE ON registrations BEGIN "
    "DELETE FROM registrations_search WHERE rowid = old.rowid; END",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS registrations_search_ad",
    "DROP TRIGGER IF EXISTS registrations_search_au",
    "DROP TRIGGER IF EXISTS registrations_search_ai",
    "DROP TABLE IF EXISTS registrations_search",
)


def create_sqlite() -> None:
    """(Re)create the SQLite search table and its triggers, and fill it from registrations."""
    for statement in SQLITE_UP:
        op.execute(statement)


def upgrade() -> None:
    # the lists' reviewer/decision filters: EXISTS over a reviewer's decisions, both backends
    op.create_index(
        "ix_review_decisions_reviewer",
        "review_decisions",
        ["reviewer", "decision", "registration_id"],
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_UP:
            op.execute(statement)
    else:
        create_sqlite()


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _PG_DOWN if postgres else _SQLITE_DOWN:
        op.execute(statement)
    op.drop_index("ix_review_decisions_reviewer", table_name="review_decisions")
