"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 13:26:18.134405
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_kind", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("office_code", sa.String(length=6), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_target_id"), ["target_id"], unique=False)

    op.create_table(
        "changes",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("office_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("registration_id", sa.String(length=36), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index("ix_changes_office_seq", ["office_code", "seq"], unique=False)

    op.create_table(
        "duplicate_groups",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("primary_registration_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_groups")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_duplicate_groups_kind_key")),
    )
    with op.batch_alter_table("duplicate_groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duplicate_groups_primary_registration_id"),
            ["primary_registration_id"],
            unique=False,
        )

    op.create_table(
        "offices",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("devices_enrolled", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_offices")),
    )
    op.create_table(
        "staff_users",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "provinces",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("office_code", sa.String(length=6), nullable=False),
        sa.Column("device_no", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("app_version", sa.String(length=50), nullable=False),
        sa.Column("credential_hash", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_push_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_devices_office_code_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint(
            "office_code", "device_no", name=op.f("uq_devices_office_code_device_no")
        ),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_office_code"), ["office_code"], unique=False)

    op.create_table(
        "enrollment_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("office_code", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_enrollment_codes_office_code_offices")
        ),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_enrollment_codes")),
    )
    with op.batch_alter_table("enrollment_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_codes_office_code"), ["office_code"], unique=False
        )

    op.create_table(
        "registrations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("office_code", sa.String(length=6), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("kk_number", sa.String(length=16), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.Column("regency_code", sa.String(length=5), nullable=False),
        sa.Column("village_code", sa.String(length=13), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "applicant",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("device_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_pk", sa.BigInteger(), nullable=True),
        sa.Column("flag_reason", sa.String(length=16), nullable=True),
        sa.Column("duplicate_of_id", sa.String(length=36), nullable=True),
        sa.Column(
            "duplicate_group_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_group_id"],
            ["duplicate_groups.id"],
            name=op.f("fk_registrations_duplicate_group_id_duplicate_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registrations_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_registrations_device_id"), ["device_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registrations_duplicate_group_id"), ["duplicate_group_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registrations_full_name"), ["full_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_registrations_kk_number"), ["kk_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_registrations_nik"), ["nik"], unique=False)
        batch_op.create_index(
            "ix_registrations_office_received", ["office_code", "received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registrations_phone"), ["phone"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registrations_province_code"), ["province_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registrations_regency_code"), ["regency_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registrations_status"), ["status"], unique=False)

    op.create_table(
        "batches",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("office_code", sa.String(length=6), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("duplicate_nik", sa.Integer(), nullable=False),
        sa.Column("kk_limit", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.Integer(), nullable=False),
        sa.Column("conflict", sa.Integer(), nullable=False),
        sa.Column("already_received", sa.Integer(), nullable=False),
        sa.Column("bytes_wire", sa.Integer(), nullable=False),
        sa.Column("bytes_raw", sa.Integer(), nullable=False),
        sa.Column(
            "response",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_batches_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("device_id", "batch_id", name=op.f("uq_batches_device_id_batch_id")),
    )
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_batches_office_received", ["office_code", "received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_batches_received_at"), ["received_at"], unique=False)

    op.create_table(
        "kk_slots",
        sa.Column("kk_number", sa.String(length=16), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.String(length=36), nullable=False),
        sa.CheckConstraint("slot IN (1, 2)", name=op.f("ck_kk_slots_slot")),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_kk_slots_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("kk_number", "slot", name=op.f("pk_kk_slots")),
    )
    with op.batch_alter_table("kk_slots", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kk_slots_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "nik_primaries",
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("registration_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_nik_primaries_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("nik", name=op.f("pk_nik_primaries")),
    )
    with op.batch_alter_table("nik_primaries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nik_primaries_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "registration_revisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("registration_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("base_revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "applicant",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("device_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch_pk", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_registration_revisions_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_revisions")),
        sa.UniqueConstraint(
            "registration_id",
            "revision",
            name=op.f("uq_registration_revisions_registration_id_revision"),
        ),
    )
    op.create_table(
        "review_decisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("registration_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_review_decisions_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
    )
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_decisions_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "batch_records",
        sa.Column("batch_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["batch_pk"], ["batches.id"], name=op.f("fk_batch_records_batch_pk_batches")
        ),
        sa.PrimaryKeyConstraint("batch_pk", "position", name=op.f("pk_batch_records")),
    )
    with op.batch_alter_table("batch_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_batch_records_registration_id"), ["registration_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("batch_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_records_registration_id"))

    op.drop_table("batch_records")
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_decisions_registration_id"))

    op.drop_table("review_decisions")
    op.drop_table("registration_revisions")
    with op.batch_alter_table("nik_primaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nik_primaries_registration_id"))

    op.drop_table("nik_primaries")
    with op.batch_alter_table("kk_slots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kk_slots_registration_id"))

    op.drop_table("kk_slots")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batches_received_at"))
        batch_op.drop_index("ix_batches_office_received")

    op.drop_table("batches")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_status"))
        batch_op.drop_index(batch_op.f("ix_registrations_regency_code"))
        batch_op.drop_index(batch_op.f("ix_registrations_province_code"))
        batch_op.drop_index(batch_op.f("ix_registrations_phone"))
        batch_op.drop_index("ix_registrations_office_received")
        batch_op.drop_index(batch_op.f("ix_registrations_nik"))
        batch_op.drop_index(batch_op.f("ix_registrations_kk_number"))
        batch_op.drop_index(batch_op.f("ix_registrations_full_name"))
        batch_op.drop_index(batch_op.f("ix_registrations_duplicate_group_id"))
        batch_op.drop_index(batch_op.f("ix_registrations_device_id"))
        batch_op.drop_index(batch_op.f("ix_registrations_code"))

    op.drop_table("registrations")
    with op.batch_alter_table("enrollment_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_codes_office_code"))

    op.drop_table("enrollment_codes")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_office_code"))

    op.drop_table("devices")
    op.drop_table("staff_users")
    op.drop_table("offices")
    with op.batch_alter_table("duplicate_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicate_groups_primary_registration_id"))

    op.drop_table("duplicate_groups")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_office_seq")

    op.drop_table("changes")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_target_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
