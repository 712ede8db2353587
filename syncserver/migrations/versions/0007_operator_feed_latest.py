"""operator feed latest: the change feed keeps only the latest state of each operator account

Every password change and every disabling of a desktop operator wrote a row to the office's
change feed with the account's argon2id verifier, and the rows stayed forever: old verifiers
(old passwords) were kept and sent to every device that pulled from the start. From now on
publishing an operator change deletes the account's earlier rows (syncserver/operators.py);
this migration deletes the earlier rows kept before, per office and user name, so only the
latest row of each account remains (security issue 12, finding 1).

There is no way back: the deleted rows are not restored by the downgrade.

Revision ID: 0007_operator_feed_latest
Revises: 0004_lean_ingest
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007_operator_feed_latest"
down_revision = "0005_sessions_attempts"
branch_labels = None
depends_on = None

_CHUNK = 500


def _username(payload: Any) -> str | None:
    if isinstance(payload, str):
        payload = json.loads(payload)
    data = payload.get("data") if isinstance(payload, dict) else None
    name = data.get("username") if isinstance(data, dict) else None
    return str(name) if name else None


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT seq, office_code, payload FROM changes WHERE kind = 'operator' ORDER BY seq"
        )
    ).all()
    latest: dict[tuple[str, str], int] = {}
    stale: list[int] = []
    for seq, office, payload in rows:
        name = _username(payload)
        if name is None:
            continue
        previous = latest.get((office, name))
        if previous is not None:
            stale.append(previous)
        latest[(office, name)] = int(seq)
    for start in range(0, len(stale), _CHUNK):
        chunk = stale[start : start + _CHUNK]
        conn.execute(
            sa.text("DELETE FROM changes WHERE seq IN :seqs").bindparams(
                sa.bindparam("seqs", expanding=True)
            ),
            {"seqs": chunk},
        )


def downgrade() -> None:
    pass  # the deleted rows held old verifiers: they are not brought back
