"""decision rules: one verified registration per NIK, two per family card, in the database

Issue 14, defect 1: after a duplicate group was resolved, the rejected duplicate could be
verified from its record page (two verified registrations with one NIK, three on one family
card). From now on the database refuses it, whatever path verifies and however many server
processes do it at once:

* ``uq_registrations_verified_nik``: a partial unique index on ``nik`` over the verified
  registrations;
* ``kk_verified_slot`` (1 or 2, CHECK) and ``uq_registrations_verified_kk``, a partial unique
  index on ``(kk_number, kk_verified_slot)`` over the verified registrations: each of a card's
  two slots is taken once. A verification picks the free slot in the same UPDATE that sets
  the status (syncserver/decisions.py); leaving ``verified`` frees it with no further write.

An existing database may break the rules already. Before the indexes are built, per NIK the
registration verified first (earliest verification decision, then earliest received) stays
verified and every other verified registration of that NIK goes back to
``potential_duplicate``, flagged ``duplicate_nik`` against the kept one, in the NIK's
duplicate group (made or reopened), with an audit entry ``migration.verified_conflict``.
Then the same per family card: the two verified first keep slots 1 and 2, the others go back
to review flagged ``kk_limit`` in the card's group. Devices keep showing ``verified`` for those
until a reviewer decides again (the decision reaches them through the change feed as usual).

Issue 14, defect 2: a resolved group still holding a registration that waits for review
(``potential_duplicate``) offered no action anywhere; such groups are reopened here.

The downgrade drops the indexes and the column; the registrations moved back to review stay.

Revision ID: 0008_decision_rules
Revises: 0007_operator_feed_latest
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008_decision_rules"
down_revision = "0007_operator_feed_latest"
branch_labels = None
depends_on = None

_VERIFIED = sa.text("status = 'verified'")


def _verified_rows(conn: Any, column: str, having: int) -> dict[str, list[tuple[str, str]]]:
    """Key -> [(registration id, office)] of the verified registrations of each NIK or card
    with more than ``having`` of them, the first verified first."""
    rows = conn.execute(
        sa.text(
            f"SELECT r.{column}, r.id, r.office_code, "
            "(SELECT MIN(d.decided_at) FROM review_decisions d WHERE d.registration_id = r.id "
            " AND d.decision = 'verified') AS first_verified, r.received_at "
            "FROM registrations r WHERE r.status = 'verified' AND r."
            f"{column} IN (SELECT {column} FROM registrations WHERE status = 'verified' "
            f"GROUP BY {column} HAVING COUNT(*) > {int(having)})"
        )
    ).all()
    out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for key, rid, office, first, received in rows:  # verified by a decision before the others
        out[key].append((first is None, str(first), str(received), rid, office))
    return {k: [(r[3], r[4]) for r in sorted(v)] for k, v in out.items()}


def _group_id(conn: Any, kind: str, key: str, primary: str, now: datetime) -> int:
    """The (kind, key) duplicate group, made or reopened."""
    found = conn.execute(
        sa.text("SELECT id FROM duplicate_groups WHERE kind = :k AND key = :key"),
        {"k": kind, "key": key},
    ).scalar()
    if found is None:
        conn.execute(
            sa.text(
                "INSERT INTO duplicate_groups (kind, key, primary_registration_id, created_at, "
                "resolution) VALUES (:k, :key, :p, :now, '')"
            ),
            {"k": kind, "key": key, "p": primary, "now": now},
        )
        found = conn.execute(
            sa.text("SELECT id FROM duplicate_groups WHERE kind = :k AND key = :key"),
            {"k": kind, "key": key},
        ).scalar()
    else:
        conn.execute(
            sa.text(
                "UPDATE duplicate_groups SET resolved_at = NULL, resolution = '' WHERE id = :g"
            ),
            {"g": found},
        )
    return int(found)


def _back_to_review(
    conn: Any, rule: str, key: str, rows: list[tuple[str, str]], keep: int, now: datetime
) -> None:
    """All but the first ``keep`` of ``rows`` go back to review, flagged against the first."""
    from sqlalchemy.orm import Session

    from syncserver.queries.reviews import append_audit

    kept = [rid for rid, _office in rows[:keep]]
    kind, flag = ("nik", "duplicate_nik") if rule == "nik" else ("kk", "kk_limit")
    gid = _group_id(conn, kind, key, kept[0], now)
    against = kept[0]
    if kind == "nik":  # a NIK duplicate is flagged against the NIK's primary (its claim)
        against = (
            conn.execute(
                sa.text("SELECT registration_id FROM nik_primaries WHERE nik = :n"), {"n": key}
            ).scalar()
            or kept[0]
        )
    session = Session(bind=conn)
    for rid, office in rows[keep:]:
        own = rid == against  # the claim's holder itself waits in the group, unflagged
        conn.execute(
            sa.text(
                "UPDATE registrations SET status = 'potential_duplicate', flag_reason = :f, "
                "duplicate_of_id = :k, duplicate_group_id = :g, updated_at = :now WHERE id = :i"
            ),
            {
                "f": None if own else flag,
                "k": None if own else against,
                "g": gid,
                "now": now,
                "i": rid,
            },
        )
        append_audit(
            session,
            now=now,
            actor_kind="system",
            actor="migration 0008",
            action="migration.verified_conflict",
            target_kind="registration",
            target_id=rid,
            office_code=office,
            details={"rule": rule, "kept": kept, "group": gid},
        )
    session.flush()


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC)
    # the column, with its CHECK, on both backends (SQLite's ADD COLUMN takes a CHECK)
    op.execute(
        "ALTER TABLE registrations ADD COLUMN kk_verified_slot SMALLINT DEFAULT 1 NOT NULL "
        "CONSTRAINT ck_registrations_kk_verified_slot CHECK (kk_verified_slot IN (1, 2))"
    )
    for nik, rows in _verified_rows(conn, "nik", 1).items():
        _back_to_review(conn, "nik", nik, rows, 1, now)
    for kk, rows in _verified_rows(conn, "kk_number", 2).items():
        _back_to_review(conn, "kk", kk, rows, 2, now)
    for _kk, rows in _verified_rows(conn, "kk_number", 1).items():  # exactly two now
        conn.execute(
            sa.text("UPDATE registrations SET kk_verified_slot = 2 WHERE id = :i"),
            {"i": rows[1][0]},
        )
    op.create_index(
        "uq_registrations_verified_nik",
        "registrations",
        ["nik"],
        unique=True,
        postgresql_where=_VERIFIED,
        sqlite_where=_VERIFIED,
    )
    op.create_index(
        "uq_registrations_verified_kk",
        "registrations",
        ["kk_number", "kk_verified_slot"],
        unique=True,
        postgresql_where=_VERIFIED,
        sqlite_where=_VERIFIED,
    )
    conn.execute(
        sa.text(
            "UPDATE duplicate_groups SET resolved_at = NULL, resolution = '' "
            "WHERE resolved_at IS NOT NULL AND EXISTS (SELECT 1 FROM registrations r "
            "WHERE r.duplicate_group_id = duplicate_groups.id "
            "AND r.status = 'potential_duplicate')"
        )
    )


def downgrade() -> None:
    op.drop_index("uq_registrations_verified_kk", "registrations")
    op.drop_index("uq_registrations_verified_nik", "registrations")
    # both backends drop a column with its own CHECK (SQLite >= 3.35; a batch rebuild would
    # lose the expression index ix_registrations_lower_name)
    op.execute("ALTER TABLE registrations DROP COLUMN kk_verified_slot")
