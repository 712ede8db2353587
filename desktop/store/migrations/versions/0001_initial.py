"""Initial schema: registrations with revisions and outbox, drafts, operators, settings,
audit log, sync runs, and the FTS5 search index over registrations.search_text.

Revision ID: 0001
Revises:
Create Date: 2026-03-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_T = sa.String(27)  # UTC time as fixed-width ISO text (models.UtcDateTime)


def upgrade() -> None:
    op.create_table(
        "registrations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("nik", sa.String(16), nullable=False),
        sa.Column("kk_number", sa.String(16), nullable=False),
        sa.Column("full_name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("base_revision_synced", sa.Integer, nullable=False),
        sa.Column("applicant_json", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("office_code", sa.String(6), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("device_time", _T, nullable=False),
        sa.Column("created_at", _T, nullable=False),
        sa.Column("updated_at", _T, nullable=False),
        sa.Column("server_time", _T, nullable=True),
        sa.Column("server_outcome", sa.String(24), nullable=True),
        sa.Column("review_note", sa.Text, nullable=False),
        sa.Column("reject_reason", sa.String(64), nullable=False),
        sa.Column("duplicate_of", sa.String(32), nullable=True),
        sa.Column("conflict", sa.Boolean, nullable=False),
        sa.Column("conflict_detail", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registrations"),
        sa.UniqueConstraint("code", name="uq_registrations_code"),
    )
    op.create_index("ix_registrations_nik", "registrations", ["nik"])
    op.create_index("ix_registrations_kk_number", "registrations", ["kk_number"])
    op.create_index("ix_registrations_full_name", "registrations", ["full_name"])
    op.create_index("ix_registrations_created_at", "registrations", ["created_at"])
    op.create_index("ix_registrations_status_created_at", "registrations", ["status", "created_at"])

    op.create_table(
        "registration_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("registration_id", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("applicant_json", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("created_at", _T, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registration_revisions"),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            ondelete="CASCADE",
            name="fk_registration_revisions_registration_id_registrations",
        ),
        sa.UniqueConstraint(
            "registration_id", "revision", name="uq_registration_revisions_registration_id_revision"
        ),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("registration_id", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("enqueued_at", _T, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            ondelete="CASCADE",
            name="fk_outbox_registration_id_registrations",
        ),
        sa.UniqueConstraint(
            "registration_id", "revision", name="uq_outbox_registration_id_revision"
        ),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("raw_json", sa.Text, nullable=False),
        sa.Column("updated_at", _T, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
    )
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("full_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("locked_until", _T, nullable=True),
        sa.Column("created_at", _T, nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_operators"),
        sa.UniqueConstraint("username", name="uq_operators_username"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value_json", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", _T, nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("registration_id", sa.String(36), nullable=True),
        sa.Column("detail_json", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_registration_id", "audit_log", ["registration_id"])
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", _T, nullable=False),
        sa.Column("finished_at", _T, nullable=True),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("sent", sa.Integer, nullable=False),
        sa.Column("accepted", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("bytes_sent", sa.Integer, nullable=False),
        sa.Column("error_code", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_runs"),
    )
    op.create_index("ix_sync_runs_started_at", "sync_runs", ["started_at"])

    # Full-text search over "nik name phone code" (see services/registrations.search_text).
    # External content: the index reads search_text from registrations by rowid; triggers keep
    # it in step. Registrations has no INTEGER PRIMARY KEY, so anything that VACUUMs the file
    # must rebuild the index afterwards (Store.vacuum does).
    op.execute(
        "CREATE VIRTUAL TABLE registrations_fts USING fts5("
        "search_text, content='registrations', content_rowid='rowid', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER registrations_fts_ai AFTER INSERT ON registrations BEGIN "
        "INSERT INTO registrations_fts(rowid, search_text) VALUES (new.rowid, new.search_text); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER registrations_fts_ad AFTER DELETE ON registrations BEGIN "
        "INSERT INTO registrations_fts(registrations_fts, rowid, search_text) "
        "VALUES ('delete', old.rowid, old.search_text); "
        "END"
    )
    op.execute(
        "CREATE TRIGGER registrations_fts_au AFTER UPDATE OF search_text ON registrations BEGIN "
        "INSERT INTO registrations_fts(registrations_fts, rowid, search_text) "
        "VALUES ('delete', old.rowid, old.search_text); "
        "INSERT INTO registrations_fts(rowid, search_text) VALUES (new.rowid, new.search_text); "
        "END"
    )


def downgrade() -> None:
    for trigger in ("registrations_fts_au", "registrations_fts_ad", "registrations_fts_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS registrations_fts")
    for table in (
        "sync_runs",
        "audit_log",
        "settings",
        "operators",
        "drafts",
        "outbox",
        "registration_revisions",
        "registrations",
    ):
        op.drop_table(table)
