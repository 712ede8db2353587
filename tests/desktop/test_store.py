"""The local store: pragmas, migrations with a copy taken first, transactions, settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlcipher3
from alembic import command
from sqlalchemy import select

from desktop.store import Store, StoreError, head_revision
from desktop.store.connection import pragma
from desktop.store.keys import sqlcipher_key
from desktop.store.models import Setting
from desktop.store.store import alembic_config


def test_open_creates_a_migrated_wal_database(data_dir: Path, db_key: bytes) -> None:
    store = Store.open(data_dir, db_key)
    try:
        assert (data_dir / "loket.db").exists()
        assert store.schema_revision() == head_revision()
        assert pragma(store.engine, "journal_mode") == "wal"
        assert pragma(store.engine, "synchronous") == 2  # FULL
        assert pragma(store.engine, "foreign_keys") == 1
        assert store.integrity_check() == "ok"
        assert store.backup_path is None  # a new file has nothing to copy
    finally:
        store.close()


def test_reopening_an_up_to_date_database_takes_no_copy(data_dir: Path, db_key: bytes) -> None:
    Store.open(data_dir, db_key).close()
    store = Store.open(data_dir, db_key)
    store.close()
    assert store.backup_path is None
    assert not (data_dir / "backups").exists()


def test_a_copy_is_taken_before_migrating(data_dir: Path, db_key: bytes) -> None:
    store = Store.open(data_dir, db_key)
    with store.engine.connect() as conn:  # back to an empty schema, plus a marker of the old data
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
        conn.exec_driver_sql("CREATE TABLE marker (note TEXT)")
        conn.exec_driver_sql("INSERT INTO marker VALUES ('before')")
        conn.commit()
    store.close()

    store = Store.open(data_dir, db_key)
    try:
        assert store.schema_revision() == head_revision()
        assert store.backup_path is not None and store.backup_path.parent == data_dir / "backups"
        assert store.backup_path.name.startswith("loket-none-")
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            sqlite3.connect(store.backup_path).execute("SELECT * FROM marker").fetchall()
        copy = sqlcipher3.connect(str(store.backup_path))
        copy.execute(f'PRAGMA key = "{sqlcipher_key(db_key)}"')  # the copy stays encrypted
        assert copy.execute("SELECT note FROM marker").fetchall() == [("before",)]
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "registrations" not in tables  # the copy is the file as it was before migrating
        copy.close()
    finally:
        store.close()


def test_a_database_from_a_newer_app_is_refused(data_dir: Path, db_key: bytes) -> None:
    Store.open(data_dir, db_key).close()
    conn = sqlcipher3.connect(str(data_dir / "loket.db"))
    conn.execute(f'PRAGMA key = "{sqlcipher_key(db_key)}"')
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="9999"):
        Store.open(data_dir, db_key)


def test_session_commits_on_success_and_rolls_back_on_error(store: Store) -> None:
    with store.session() as s:
        s.add(Setting(key="a", value_json="1"))
    with pytest.raises(RuntimeError):
        with store.session() as s:
            s.add(Setting(key="b", value_json="2"))
            s.flush()
            raise RuntimeError("boom")
    with store.session(write=False) as s:
        keys = set(s.scalars(select(Setting.key)))
    assert "a" in keys and "b" not in keys


def test_settings_round_trip_as_json(store: Store) -> None:
    store.set_setting("sync_cursor", {"seq": 12, "office": "320101"})
    assert store.get_setting("sync_cursor") == {"seq": 12, "office": "320101"}
    assert store.get_setting("missing", 5) == 5


def test_connections_are_pooled_not_reopened(store: Store) -> None:
    opened: list[object] = []
    from sqlalchemy import event

    event.listen(store.engine, "connect", lambda *a: opened.append(a))
    for _ in range(20):
        store.get_setting("x")
        store.set_setting("x", 1)
    assert len(opened) <= 1


def test_vacuum_keeps_search_working(service, applicant) -> None:
    saved = [service.save(applicant()).registration for _ in range(5)]
    from desktop.store.models import RegistrationRecord

    with service.store.session() as s:  # delete one so VACUUM has rowids to renumber
        s.delete(s.get(RegistrationRecord, saved[0].id))
    service.store.vacuum()
    target = saved[-1]
    rows = service.search(target.applicant.nik)
    assert [r.id for r in rows] == [target.id]
    assert service.store.integrity_check() == "ok"


def test_migration_0002_rebuilds_the_search_index_of_existing_records(
    data_dir: Path, db_key: bytes, applicant, operator
) -> None:
    """Records saved before 0002 are found by a spaced phone and their NIK's last four."""
    from desktop.services.registrations import RegistrationService
    from tests.support.enrolled import enroll_offline

    store = Store.open(data_dir, db_key)
    enroll_offline(store, "320101", 7)
    reg = RegistrationService(store, operator).save(applicant()).registration
    with store.engine.connect() as conn:  # back to 0001: its index text, its revision
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        conn.commit()
        old = conn.exec_driver_sql("SELECT search_text FROM registrations").scalar_one()
    assert old.startswith(reg.applicant.nik + " ")  # the old form: bare NIK first
    store.close()

    store = Store.open(data_dir, db_key)
    try:
        assert store.schema_revision() == head_revision() == "0004"
        service = RegistrationService(store, operator)
        local = "0" + reg.applicant.phone[3:]
        assert [r.id for r in service.search(f"{local[:4]} {local[4:8]} {local[8:]}")] == [reg.id]
        assert [r.id for r in service.search(reg.applicant.nik[-4:])] == [reg.id]
        assert [r.id for r in service.search(reg.code.split("-")[2])] == [reg.id]
    finally:
        store.close()
