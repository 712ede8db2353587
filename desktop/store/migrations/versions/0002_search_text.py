"""Search index tokens for what applicants say: the index text of every registration is
rebuilt in the form desktop.store.queries.search.search_text writes (one prefixed token per
kind: NIK, family card, phone, code, digit suffixes, name words), so a phone with spaces, a
part of the code and the last four NIK digits find existing records too.

Records whose personal data retention has purged keep only their code token
(``code_token``, which desktop/services/retention.py writes in SQL). The FTS5 table follows through its update trigger;
a final ``optimize`` merges the old terms away.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _old_text(nik: str, full_name: str, phone: str, code: str) -> str:
    """The index text of revision 0001 (for a downgrade)."""
    parts = [nik, full_name.casefold()]
    if phone:
        digits = phone.lstrip("+")
        parts.append(digits)
        if digits.startswith("62"):
            parts.append("0" + digits[2:])
    parts.append("kode" + code.replace("-", "").lower())
    return " ".join(p for p in parts if p)


def _rewrite(new: bool) -> None:
    # one definition of the index text (store/queries/search.py): the index, its queries and
    # the retention purge cannot disagree
    from desktop.store.queries.search import code_token, search_text

    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT rowid, nik, kk_number, full_name, phone, code FROM registrations")
    ).all()
    update = sa.text("UPDATE registrations SET search_text = :t WHERE rowid = :r")
    for row in rows:
        if not row.nik:  # purged by retention: only the code stays searchable
            value = code_token(row.code)
        elif new:
            value = search_text(row.nik, row.kk_number, row.full_name, row.phone, row.code)
        else:
            value = _old_text(row.nik, row.full_name, row.phone, row.code)
        conn.execute(update, {"t": value, "r": row.rowid})
    conn.exec_driver_sql("INSERT INTO registrations_fts(registrations_fts) VALUES ('optimize')")


def upgrade() -> None:
    _rewrite(new=True)


def downgrade() -> None:
    _rewrite(new=False)
