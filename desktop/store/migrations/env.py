"""Alembic environment of the desktop store.

At start-up ``desktop.store.Store.open`` passes its own open connection in
``config.attributes["connection"]`` (pragmas already set, a BEGIN IMMEDIATE transaction).
From the command line, ``-x db=PATH`` names the file and ``-x key=HEX`` its 32-byte database
key (64 hex digits).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import context
from sqlalchemy import Connection

from desktop.store.connection import BEGIN_MODE, create_engine_for
from desktop.store.models import Base

config = context.config
target_metadata = Base.metadata


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # the FTS5 table and its shadow tables are made by hand in migrations
    return not (type_ == "table" and name is not None and name.startswith("registrations_fts"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite: ALTER through table copies
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    x = context.get_x_argument(as_dictionary=True)
    db, key = x.get("db"), x.get("key")
    if not db or not key:
        raise SystemExit("give the database file and its key: alembic -x db=PATH -x key=HEX ...")
    engine = create_engine_for(Path(db), bytes.fromhex(key))
    with engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"}).connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
