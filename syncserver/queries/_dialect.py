"""Dialect-aware building blocks: INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def insert_ignore(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    returning: Sequence[str] = (),
) -> list[Any]:
    """Insert ``rows``, skipping those whose ``keys`` already exist (committed, or inserted by
    a concurrent transaction: PostgreSQL then waits for it to finish). Returns the
    ``returning`` columns of the rows actually inserted, in no particular order.

    Rows are sent as one multi-row statement per page (SQLAlchemy's insertmanyvalues), so a
    batch costs a few round trips whatever its size.
    """
    if not rows:
        return []
    ins: Any = (postgresql.insert if dialect(session) == "postgresql" else sqlite.insert)(table)
    stmt = ins.on_conflict_do_nothing(index_elements=[table.c[k] for k in keys])
    if returning:
        stmt = stmt.returning(*[table.c[c] for c in returning])
        return list(session.execute(stmt, list(rows)).all())
    session.execute(stmt, list(rows))
    return []
