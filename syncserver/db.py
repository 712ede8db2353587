"""Engines, sessions and migrations for the central database (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from common.private_files import private_dir, touch_private

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _json_dumps(value: Any) -> str:
    """Compact JSON for JSON columns (the ingest path serialises a document per record)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = 30000,
    pool_size: int = 5,
    connect_timeout: float | None = None,
) -> Engine:
    """An engine with Loket's connection settings (``connect_timeout``: PostgreSQL's, for a
    database the server can do without for a while, the console's standby).

    SQLite: WAL journal, ``synchronous=FULL`` (a commit the device was told about survives a
    power cut), a busy timeout, foreign keys, and every transaction opened with
    ``BEGIN IMMEDIATE`` so two writers never deadlock upgrading a read lock (the second waits
    up to the busy timeout instead). SQLite thereby serialises all writes, which is what
    makes its change feed gap-free without further locking.
    """
    if is_sqlite(url):
        sqlite_url = make_url(url)
        if sqlite_url.database and sqlite_url.database != ":memory:":
            _make_private(sqlite_url.database)
        lock_path = _writer_lock_path(sqlite_url.database)
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=pool_size,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            hide_parameters=True,  # a statement's parameters are personal data (NIKs, names)
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            if lock_path is not None:
                record.info["writelock"] = _FileLock(lock_path)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            lock = conn.connection.info.get("writelock")
            if lock is not None:
                lock.acquire()
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _on_end(conn: Any) -> None:
            lock = conn.connection.info.get("writelock") if not conn.invalidated else None
            if lock is not None:
                lock.release()

        @event.listens_for(engine, "close")
        def _on_close(_dbapi_conn: Any, record: Any) -> None:
            lock = record.info.pop("writelock", None)
            if lock is not None:
                lock.close()

        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        hide_parameters=True,  # a statement's parameters are personal data (NIKs, names)
        connect_args={} if connect_timeout is None else {"connect_timeout": connect_timeout},
    )


def _make_private(database: str) -> None:
    """The SQLite file 0600 in a 0700 folder before SQLite first opens it.

    SQLite creates a new database with ``0644 & ~umask`` but gives the ``-wal``, ``-shm``
    and ``-journal`` it makes later the database file's own mode, so a file pre-created
    0600 keeps all of them private; files an earlier version left wider are tightened.
    """
    if database.startswith("file:"):
        return  # a URI filename (tests' shared memory databases): nothing on disk to prepare
    path = Path(database)
    private_dir(path.parent)
    touch_private(path)
    for suffix in ("-wal", "-shm", "-journal", ".writelock"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            touch_private(side)


class _FileLock:
    """An exclusive ``flock`` on a file next to the database, held from BEGIN to COMMIT.

    Only a scheduling aid: SQLite's own lock is what keeps writes correct, but a writer
    waiting in SQLite's busy handler sleeps in steps of up to 100 ms, which wastes most of
    the time under contention; a waiter on flock wakes the moment the lock is free.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        import fcntl

        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not self.held:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            self.held = True

    def release(self) -> None:
        import fcntl

        if self.held and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            self.held = False

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # also releases the lock
            self.fd, self.held = None, False


def _writer_lock_path(database: str | None) -> str | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    try:
        import fcntl  # noqa: F401  (POSIX only; elsewhere SQLite's busy handler alone)
    except ImportError:
        return None
    return database + ".writelock"


def describe_db_error(exc: BaseException) -> str:
    """A database error for the log without any value from the data: its class, SQLSTATE and
    statement. (``hide_parameters`` hides bound values, but the driver's own message can quote
    them too, e.g. PostgreSQL's ``DETAIL: Key (nik)=(3201...) already exists``.)"""
    from sqlalchemy.exc import StatementError

    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    statement = exc.statement if isinstance(exc, StatementError) else None
    return (
        f"{type(exc).__name__} ({type(orig).__name__ if orig is not None else '-'}, "
        f"{sqlstate or 'no sqlstate'}) in: {(statement or '')[:300]}"
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine_or_url: Engine | str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if isinstance(engine_or_url, str):
        cfg.set_main_option("sqlalchemy.url", engine_or_url.replace("%", "%%"))
    else:
        cfg.attributes["engine"] = engine_or_url
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


#: The tables the server may only append to or only read, whatever else it may change:
#: the audit log's hash chain is insert-only (a server taken over cannot rewrite history,
#: only add to it; ``verify-audit`` finds a broken chain), the schema's version read-only.
APPEND_ONLY_TABLES = ("audit_log",)
READ_ONLY_TABLES = ("alembic_version",)


def grant_app_role(engine: Engine, role: str) -> None:
    """Give the server's database role (PostgreSQL) what serving needs and nothing more:
    SELECT, INSERT, UPDATE and DELETE on the schema's tables, the sequences behind their
    ids, the audit log append-only and the schema version read-only. No DDL: the role owns
    nothing, so it can neither ALTER nor DROP a table (the owner role, which runs
    ``loket-server migrate --grant-to ROLE``, does). Idempotent; run after every migration
    (new tables)."""
    from sqlalchemy import text

    if engine.dialect.name != "postgresql":
        raise ValueError("--grant-to is for PostgreSQL: SQLite has no roles")
    with engine.begin() as conn:
        quoted = conn.dialect.identifier_preparer.quote(role)
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if exists.first() is None:
            raise ValueError(f"no database role {role!r}")
        for statement in (
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
            *(f"REVOKE UPDATE, DELETE ON {t} FROM {quoted}" for t in APPEND_ONLY_TABLES),
            *(f"REVOKE INSERT, UPDATE, DELETE ON {t} FROM {quoted}" for t in READ_ONLY_TABLES),
        ):
            conn.execute(text(statement))


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("registrations")
