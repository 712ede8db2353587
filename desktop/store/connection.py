"""The one place the local database engine is made.

SQLite in WAL mode with ``synchronous=FULL`` (a commit is fsynced before it returns, so a
record the clerk saw as saved survives a power cut), foreign keys on, and a busy timeout.
Python's sqlite3 transaction handling is switched off and SQLAlchemy emits ``BEGIN`` itself,
so a write session can start with ``BEGIN IMMEDIATE`` (take the write lock first, never fail
half-way on a lock upgrade when the GUI and a headless command write at the same time).

Every store is a SQLCipher 4 database (``sqlite+pysqlcipher`` over ``sqlcipher3``) opened with
the 32-byte database key as a raw-key literal (``x'hex'``), so no PBKDF2 runs per connection
(see store/keys.py for how the key is kept). The dialect issues ``PRAGMA key`` first on each
new connection; the pragmas below follow it. Connections are pooled and kept open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from desktop.store.keys import KEY_BYTES, sqlcipher_key

#: Execution option naming how a transaction begins: "DEFERRED" (reads) or "IMMEDIATE" (writes).
BEGIN_MODE = "loket_begin"
BUSY_TIMEOUT_MS = 10_000


def create_engine_for(path: Path, key: bytes) -> Engine:
    """An engine for the SQLCipher file at ``path`` (opened with ``key``, the 32-byte database
    key) with Loket's pragmas on every connection. A wrong key fails at the first connection
    with ``DatabaseError: file is not a database``."""
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"the database key must be {KEY_BYTES} bytes")
    url = URL.create(
        "sqlite+pysqlcipher", password=sqlcipher_key(key), database=str(Path(path).resolve())
    )
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        pool_pre_ping=False,
        # SQL errors must not carry bound values (NIKs, names) into logs and error dialogs
        hide_parameters=True,
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
