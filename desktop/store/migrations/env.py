"""Alembic environment of the desktop store.

At start-up ``desktop.store.Store.open`` passes its own open connection in
``config.attributes["connection"]`` (pragmas already set, a BEGIN IMMEDIATE transaction).
From the command line, ``-x db=PATH`` names the file.
"""

from __future__ import annotations

from pathlib import Path

from alembic import context

from desktop.store.connection import BEGIN_MODE, create_engine_for
from desktop.store.models import Base

config = context.config
target_metadata = Base.metadata


def _include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    # the FTS5 table and its shadow tables are made by hand in migrations
    return not (type_ == "table" and name and name.startswith("registrations_fts"))


def _run(connection) -> None:  # type: ignore[no-untyped-def]
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
    db = context.get_x_argument(as_dictionary=True).get("db")
    if not db:
        raise SystemExit("give the database file: alembic -x db=PATH ...")
    engine = create_engine_for(Path(db))
    with engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"}).connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
