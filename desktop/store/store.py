"""The local store: one engine per process, migrations at open, sessions as transactions.

The file is a SQLCipher database opened with the 32-byte database key (store/keys.py says how
operators unlock it). A plaintext file left by a version before encryption is converted once,
at the first open with a key: ``sqlcipher_export`` into a new encrypted file, which then takes
the old name, and the plaintext is overwritten before it is deleted (docs/SECURITY.md).
Backups are SQLCipher files under the same key.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlcipher3  # type: ignore[import-untyped]
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from common.assets import STORE_ALEMBIC_INI, STORE_MIGRATIONS, asset
from common.private_files import private_dir, touch_private
from desktop import paths
from desktop.store import settings
from desktop.store.connection import BEGIN_MODE, create_engine_for
from desktop.store.keys import sqlcipher_key

log = logging.getLogger(__name__)
T = TypeVar("T")


class StoreError(RuntimeError):
    """The database cannot be opened as it is (newer than this app, or damaged)."""


class WrongKeyError(StoreError):
    """The key does not open the database (or the file is not a database at all)."""


SQLITE_HEADER = b"SQLite format 3\x00"
_PLAIN_OLD = ".plaintext-old"  # a converted plaintext file waiting to be overwritten
_ENCRYPTING = ".encrypting"  # the encrypted copy being written


def is_plaintext(path: Path) -> bool:
    """True when ``path`` is an unencrypted SQLite file (SQLCipher files start with random salt)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except FileNotFoundError:
        return False


def _fsync_path(path: Path) -> None:
    flags = (os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)) if path.is_dir() else os.O_RDWR
    try:
        fd = os.open(path, flags)
    except OSError:  # directories cannot be opened (nor fsynced) on Windows
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def shred(path: Path) -> None:
    """Overwrite ``path`` with zeros, fsync, delete (best effort on SSDs and copy-on-write file
    systems, which may keep the old blocks: docs/SECURITY.md)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with open(path, "r+b") as fh:
        chunk = b"\0" * (1 << 20)
        left = size
        while left > 0:
            n = min(left, len(chunk))
            fh.write(chunk[:n])
            left -= n
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()


def _keyed(path: Path, key: bytes) -> Any:
    conn = sqlcipher3.connect(str(path), check_same_thread=False)
    conn.execute(f'PRAGMA key = "{sqlcipher_key(key)}"')
    return conn


def encrypt_plaintext(path: Path, key: bytes) -> None:
    """Replace the plaintext SQLite file ``path`` by a SQLCipher copy under ``key``.

    The copy is written beside it (``sqlcipher_export``), fsynced and checked, then renamed
    over the original name; the plaintext (and its ``-wal``/``-shm``) is then overwritten with
    zeros and deleted. A crash at any point leaves either the plaintext or the encrypted file
    under the real name, and :func:`finish_interrupted_conversion` completes the job.
    """
    path = Path(path)
    tmp = path.with_name(path.name + _ENCRYPTING)
    old = path.with_name(path.name + _PLAIN_OLD)
    tmp.unlink(missing_ok=True)
    touch_private(tmp)  # the copy (and its journal, which takes its mode) is 0600 from the start
    plain = sqlcipher3.connect(str(path))  # no key: reads the plaintext file
    try:
        plain.isolation_level = None
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        plain.execute(f'ATTACH DATABASE ? AS encrypted KEY "{sqlcipher_key(key)}"', (str(tmp),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        version = plain.execute("PRAGMA user_version").fetchone()[0]
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    check = _keyed(tmp, key)
    try:
        result = check.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        tmp.unlink(missing_ok=True)
        raise StoreError(f"the encrypted copy of {path.name} failed its check: {result}")
    for suffix in ("-wal", "-shm"):  # the plaintext's (checkpointed) WAL must not meet the new file
        shred(path.with_name(path.name + suffix))
    _fsync_path(tmp)
    os.replace(path, old)
    os.replace(tmp, path)
    _fsync_path(path.parent)
    finish_interrupted_conversion(path)


def _make_private(path: Path) -> None:
    """The database file 0600 before SQLite opens it (a new one is created so, one from an
    earlier version tightened, with any -wal/-shm/-journal it left): SQLite gives the files it
    creates beside a database the database's own mode."""
    touch_private(path)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            touch_private(side)


def finish_interrupted_conversion(path: Path) -> None:
    """Complete a plaintext-to-encrypted conversion a crash interrupted (or just tidy up)."""
    path = Path(path)
    old = path.with_name(path.name + _PLAIN_OLD)
    if old.exists() and not path.exists():
        os.replace(old, path)  # crashed between the two renames: start again from the plaintext
        return
    path.with_name(path.name + _ENCRYPTING).unlink(missing_ok=True)
    for leftover in (old, old.with_name(old.name + "-wal"), old.with_name(old.name + "-shm")):
        shred(leftover)


def read_plaintext_operators(path: Path) -> list[tuple[str, str, bool]]:
    """``(username, password_hash, active)`` of a plaintext database made before encryption
    (empty when it has no operators table). Opened read-only; nothing is written."""
    if not is_plaintext(path):
        return []
    conn = sqlcipher3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        try:
            rows = conn.execute("SELECT username, password_hash, active FROM operators").fetchall()
        except sqlcipher3.OperationalError:
            return []
    finally:
        conn.close()
    return [(str(u), str(h or ""), bool(a)) for u, h, a in rows]


def alembic_config() -> Config:
    cfg = Config(str(asset(STORE_ALEMBIC_INI)))
    cfg.set_main_option("script_location", str(asset(STORE_MIGRATIONS)))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


class Store:
    """The open local database. Make one with :meth:`open`; share it; :meth:`close` at exit."""

    def __init__(self, data_dir: Path, path: Path, engine: Engine, key: bytes) -> None:
        self.data_dir = data_dir
        self.path = path
        self.engine = engine
        #: the database key, kept by whoever opened the store (an operator's first login on
        #: the device wraps it under their password, a re-key replaces it; see store/keys.py)
        self.key = key
        self._write_engine = engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
        self.backup_path: Path | None = None  # the copy taken before the last migration

    # -- lifecycle -----------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: Path, key: bytes) -> Store:
        """Open (or create) the encrypted ``data_dir/loket.db`` with the database ``key`` and
        bring its schema to the newest revision.

        A plaintext file from before encryption (and plaintext backups) is converted first
        (:func:`encrypt_plaintext`). Before migrating a database that already holds a schema,
        the file is copied to ``data_dir/backups/loket-<rev>-<timestamp>.db`` (SQLCipher's
        online backup under the same key, consistent with the WAL). A wrong key raises
        :class:`WrongKeyError`; a database made by a newer app is refused.
        """
        data_dir = private_dir(Path(data_dir))
        path = paths.db_path(data_dir)
        finish_interrupted_conversion(path)
        if is_plaintext(path):
            log.info("encrypting the local database made by an earlier version")
            encrypt_plaintext(path, key)
        _encrypt_plaintext_backups(paths.backups_dir(data_dir), key)
        _make_private(path)
        engine = create_engine_for(path, key)
        store = cls(data_dir, path, engine, key)
        try:
            store._migrate()
        except DatabaseError as exc:
            engine.dispose()
            if "not a database" in str(exc):
                raise WrongKeyError(f"the key does not open {path}") from None
            raise
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
    def read(self) -> Iterator[Session]:
        """A Session in one read transaction (``BEGIN DEFERRED``): it never takes the write
        lock, so it never waits behind a writer (WAL readers see the last commit). It only
        closes at the end: its objects stay loaded (a rollback would expire them)."""
        with self._transaction(self.engine, commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A Session in one write transaction: ``BEGIN IMMEDIATE`` takes the write lock up
        front (never a failed lock upgrade half-way), committed (and fsynced) on success,
        rolled back on error."""
        with self._transaction(self._write_engine, commit=True) as session:
            yield session

    @staticmethod
    @contextmanager
    def _transaction(engine: Engine, commit: bool) -> Iterator[Session]:
        session = Session(engine, expire_on_commit=False, autoflush=True)
        try:
            yield session
            if commit:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """:meth:`write` (or :meth:`read` with ``write=False``), for callers that choose at
        run time."""
        with self.write() if write else self.read() as session:
            yield session

    # -- settings ----------------------------------------------------------------------------
    def get(self, key: settings.Key[T]) -> T:
        """One setting's value, in a read transaction of its own."""
        with self.read() as s:
            return key.get(s)

    def put(self, key: settings.Key[T], value: T) -> None:
        """Set one setting, in a write transaction of its own."""
        with self.write() as s:
            key.set(s, value)

    def get_setting(self, key: str, default: Any = None) -> Any:
        """The raw JSON value of the setting named ``key`` (tests and tools; code uses
        :meth:`get` with a key of store/settings.py)."""
        with self.read() as s:
            return settings.read_raw(s, key, default)

    def set_setting(self, key: str, value: Any) -> None:
        with self.write() as s:
            settings.write_raw(s, key, value)

    # -- maintenance -------------------------------------------------------------------------
    def backup(self, prefix: str = "loket", conn: Any = None) -> Path:
        """A consistent copy of the database in ``data_dir/backups`` (SQLite online backup)."""
        folder = private_dir(paths.backups_dir(self.data_dir))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = touch_private(folder / f"{prefix}-{stamp}.db")
        if conn is None:
            with self.engine.connect() as c:
                self._backup_to(c, target)
        else:
            self._backup_to(conn, target)
        return target

    def _backup_to(self, conn: Any, target: Path) -> None:
        raw = conn.connection.driver_connection
        dest = _keyed(target, self.key)  # SQLCipher backs up only to a file under the same key
        try:
            raw.backup(dest)
        finally:
            dest.close()

    def rekey(self, new_key: bytes) -> None:
        """Re-encrypt the database (and its backups) under ``new_key`` (``PRAGMA rekey``).

        The pooled connections are closed first (they hold the old key) and the engine is
        made again. The caller re-wraps the key slots (services/operators.rekey_database).
        """
        self.engine.dispose()
        conn = _keyed(self.path, self.key)
        try:
            conn.isolation_level = None
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute(f'PRAGMA rekey = "{sqlcipher_key(new_key)}"')
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        folder = paths.backups_dir(self.data_dir)
        for backup in sorted(folder.glob("*.db")) if folder.is_dir() else []:
            old = _keyed(backup, self.key)
            try:
                old.isolation_level = None
                old.execute("SELECT count(*) FROM sqlite_master").fetchone()
                old.execute(f'PRAGMA rekey = "{sqlcipher_key(new_key)}"')
            except sqlcipher3.DatabaseError:
                log.warning("backup %s does not open with the old key; left as it is", backup.name)
            finally:
                old.close()
        self.key = new_key
        self.engine = create_engine_for(self.path, new_key)
        self._write_engine = self.engine.execution_options(**{BEGIN_MODE: "IMMEDIATE"})

    def checkpoint(self) -> None:
        """Move the WAL's pages into the main file (both stay encrypted)."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

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
        with self.write() as s:
            s.connection().exec_driver_sql(
                "INSERT INTO registrations_fts(registrations_fts) VALUES ('rebuild')"
            )


def _encrypt_plaintext_backups(folder: Path, key: bytes) -> None:
    """Backups taken by versions before encryption are converted with the database."""
    if not folder.is_dir():
        return
    private_dir(folder)  # made 0755 by earlier versions
    for backup in sorted(folder.glob("*.db")):
        if is_plaintext(backup):
            log.info("encrypting backup %s", backup.name)
            encrypt_plaintext(backup, key)
        touch_private(backup)
