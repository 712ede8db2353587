"""The one place the local database engine is made.

SQLite in WAL mode with ``synchronous=FULL`` (a commit is fsynced before it returns, so a
record the clerk saw as saved survives a power cut), foreign keys on, and a busy timeout.
Python's sqlite3 transaction handling is switched off and SQLAlchemy emits ``BEGIN`` itself,
so a write session can start with ``BEGIN IMMEDIATE`` (take the write lock first, never fail
half-way on a lock upgrade when the GUI and a headless command write at the same time).

The security issue switches this function to ``sqlite+pysqlcipher`` with a key; everything
else goes through the engine it returns. Connections are pooled and kept open, because with
SQLCipher every new connection pays the key derivation (~0.15 s).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

#: Execution option naming how a transaction begins: "DEFERRED" (reads) or "IMMEDIATE" (writes).
BEGIN_MODE = "loket_begin"
BUSY_TIMEOUT_MS = 10_000


def create_engine_for(path: Path, key: bytes | None = None) -> Engine:
    """An engine for the SQLite file at ``path`` with Loket's pragmas on every connection."""
    if key is not None:
        raise NotImplementedError("encrypted stores arrive with the security issue (SQLCipher)")
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        pool_pre_ping=False,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA temp_store=MEMORY")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(BEGIN_MODE, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def pragma(engine: Engine, name: str) -> Any:
    """The value of ``PRAGMA name`` on a pooled connection (for checks and tests)."""
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()
