"""The local store: one engine per process, migrations at open, sessions as transactions."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from desktop import paths
from desktop.store import settings
from desktop.store.connection import BEGIN_MODE, create_engine_for

log = logging.getLogger(__name__)
_HERE = Path(__file__).resolve().parent


class StoreError(RuntimeError):
    """The database cannot be opened as it is (newer than this app, or damaged)."""


def alembic_config() -> Config:
    cfg = Config(str(_HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


class Store:
    """The open local database. Make one with :meth:`open`; share it; :meth:`close` at exit."""

    def __init__(self, data_dir: Path, path: Path, engine: Engine) -> None:
        self.data_dir = data_dir
        self.path = path
        self.engine = engine
        self._write_engine = engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
        self.backup_path: Path | None = None  # the copy taken before the last migration

    # -- lifecycle -----------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: Path, key: bytes | None = None) -> Store:
        """Open (or create) ``data_dir/loket.db`` and bring its schema to the newest revision.

        Before migrating a database that already holds a schema, the file is copied to
        ``data_dir/backups/loket-<rev>-<timestamp>.db`` (SQLite's online backup, so the copy
        is consistent with the WAL). A database made by a newer app is refused.
        """
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        path = paths.db_path(data_dir)
        engine = create_engine_for(path, key)
        store = cls(data_dir, path, engine)
        try:
            store._migrate()
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        """Checkpoint the WAL into the main file and close every pooled connection."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:  # closing must not fail because a checkpoint could not run
            log.warning("WAL checkpoint at close failed", exc_info=True)
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        cfg = alembic_config()
        script = ScriptDirectory.from_config(cfg)
        head = script.get_current_head()
        with self._write_engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            has_tables = bool(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE type='table'"
                ).scalar()
            )
            conn.rollback()
            if current == head:
                return
            if current is not None:
                try:
                    script.get_revision(current)
                except Exception as exc:
                    raise StoreError(
                        f"the database {self.path} has schema revision {current}, "
                        "which this version of Loket does not know (made by a newer version?)"
                    ) from exc
            if has_tables:
                self.backup_path = self.backup(f"loket-{current or 'none'}", conn)
                log.info("copied the database to %s before migrating", self.backup_path)
            cfg.attributes["connection"] = conn
            log.info("migrating the local database from %s to %s", current, head)
            command.upgrade(cfg, "head")
            conn.commit()

    # -- transactions ----------------------------------------------------------------------
    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """A Session in one transaction: committed (and fsynced) on success, rolled back on error.

        ``write=True`` begins with ``BEGIN IMMEDIATE`` (takes the write lock up front);
        read-only work should pass ``write=False`` so it never waits behind a writer.
        """
        session = Session(
            self._write_engine if write else self.engine, expire_on_commit=False, autoflush=True
        )
        try:
            yield session
            if write:
                session.commit()
            # a read session just closes: its objects stay loaded (a rollback would expire them)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- settings ----------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        with self.session(write=False) as s:
            return settings.read(s, key, default)

    def set_setting(self, key: str, value: Any) -> None:
        with self.session() as s:
            settings.write(s, key, value)

    # -- maintenance -------------------------------------------------------------------------
    def backup(self, prefix: str = "loket", conn: Any = None) -> Path:
        """A consistent copy of the database in ``data_dir/backups`` (SQLite online backup)."""
        folder = paths.backups_dir(self.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = folder / f"{prefix}-{stamp}.db"
        if conn is None:
            with self.engine.connect() as c:
                self._backup_to(c, target)
        else:
            self._backup_to(conn, target)
        return target

    @staticmethod
    def _backup_to(conn: Any, target: Path) -> None:
        raw = conn.connection.driver_connection
        dest = sqlite3.connect(str(target))
        try:
            raw.backup(dest)
        finally:
            dest.close()

    def integrity_check(self) -> str:
        """``"ok"`` when SQLite finds nothing wrong, else its first complaint."""
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def vacuum(self) -> None:
        """Compact the file. VACUUM may renumber rowids, so the search index is rebuilt."""
        raw = self.engine.raw_connection()  # outside SQLAlchemy's BEGIN: VACUUM needs that
        try:
            raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
        finally:
            raw.close()
        with self.session() as s:
            s.connection().exec_driver_sql(
                "INSERT INTO registrations_fts(registrations_fts) VALUES ('rebuild')"
            )
