"""Encryption at rest (issue 7): the file is unreadable without the key, operators unlock it
through their key slots, a password change re-wraps one slot, a plaintext database from an
earlier version is converted once, and the key can be rotated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlcipher3

from common import errors as E
from common.errors import ApiError
from desktop.services.operators import (
    MAX_FAILURES,
    add_operator,
    authenticate,
    create_first_operator,
    needs_first_operator,
    rekey_database,
    set_active,
    set_password,
    unlock,
)
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store.keys import KeySlots, sqlcipher_key
from desktop.store.store import WrongKeyError, is_plaintext
from tests.support.enrolled import enroll_offline

PASSWORD = "rahasia-123"


def _code(call) -> str:
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code


@pytest.fixture
def device(data_dir: Path):
    """A new data folder with its first operator ``ani``: (store, operator), store open."""
    store, operator = create_first_operator(data_dir, "ani", PASSWORD, "Ani Lestari")
    enroll_offline(store)  # saving needs an enrolled device (issue 13)
    yield store, operator
    store.close()


def test_the_file_and_its_wal_are_unreadable_without_the_key(data_dir, device, applicant) -> None:
    store, operator = device
    person = applicant()
    result = RegistrationService(store, operator).save(person)
    assert result.ok
    nik = person["nik"].encode()
    wal = data_dir / "loket.db-wal"
    assert wal.exists() and wal.stat().st_size > 0  # the save is in the WAL, not yet checkpointed
    assert nik not in wal.read_bytes()
    assert nik not in (data_dir / "loket.db").read_bytes()
    assert person["full_name"].encode() not in wal.read_bytes()
    store.checkpoint()
    assert nik not in (data_dir / "loket.db").read_bytes()
    assert not is_plaintext(data_dir / "loket.db")
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(data_dir / "loket.db").execute(
            "SELECT count(*) FROM sqlite_master"
        ).fetchall()
    # the key slots file holds no key in the clear either
    assert store.key.hex() not in (data_dir / "keyslots.json").read_text()


def test_a_wrong_password_or_key_opens_nothing(data_dir, device) -> None:
    store, _ = device
    store.close()
    assert _code(lambda: unlock(data_dir, "ani", "salah-sekali")) == E.LOGIN_FAILED
    # no slot here: nothing to check the password against until someone authorises
    assert _code(lambda: unlock(data_dir, "nobody", PASSWORD)) == E.OPERATOR_NEEDS_AUTHORISATION
    with pytest.raises(WrongKeyError):
        Store.open(data_dir, KeySlots.new_key())
    again, operator = unlock(data_dir, "ani", PASSWORD)
    assert operator.username == "ani" and operator.full_name == "Ani Lestari"
    again.close()


def test_any_operator_opens_it_after_another_changed_their_password(data_dir, device) -> None:
    store, _ = device
    add_operator(store, "budi", "budi-rahasia", "Budi")
    add_operator(store, "citra", "citra-rahasia", "Citra")
    set_password(store, "budi", "budi-baru-123")
    key = store.key
    store.close()
    for name, password in (
        ("ani", PASSWORD),
        ("citra", "citra-rahasia"),
        ("budi", "budi-baru-123"),
    ):
        opened, operator = unlock(data_dir, name, password)
        assert operator.username == name and opened.key == key  # the data was not re-encrypted
        opened.close()
    assert _code(lambda: unlock(data_dir, "budi", "budi-rahasia")) == E.LOGIN_FAILED


def test_five_failures_lock_the_slot_and_a_disabled_account_is_refused(
    data_dir, device, clock
) -> None:
    store, _ = device
    add_operator(store, "budi", "budi-rahasia")
    set_active(store, "budi", False)
    store.close()
    assert _code(lambda: unlock(data_dir, "budi", "budi-rahasia")) == E.ACCOUNT_DISABLED
    for _ in range(MAX_FAILURES - 1):
        assert _code(lambda: unlock(data_dir, "ani", "wrong-pass", clock=clock)) == E.LOGIN_FAILED
    assert _code(lambda: unlock(data_dir, "ani", "wrong-pass", clock=clock)) == E.ACCOUNT_LOCKED
    assert _code(lambda: unlock(data_dir, "ani", PASSWORD, clock=clock)) == E.ACCOUNT_LOCKED
    clock.advance(minutes=5, seconds=1)
    opened, _ = unlock(data_dir, "ani", PASSWORD, clock=clock)
    # the idle lock verifies against the slot of the open store
    assert authenticate(opened, "ani", PASSWORD, clock=clock).username == "ani"
    assert _code(lambda: authenticate(opened, "ani", "wrong-pass", clock=clock)) == E.LOGIN_FAILED
    opened.close()


def test_first_operator_only_once(data_dir, device) -> None:
    assert not needs_first_operator(data_dir)
    with pytest.raises(ValueError, match="already has operators"):
        create_first_operator(data_dir, "budi", "budi-rahasia")


def _decrypt_to_plaintext(data_dir: Path, key: bytes) -> None:
    """Make the folder look like one from a version before encryption."""
    db = data_dir / "loket.db"
    plain = data_dir / "plain.db"
    conn = sqlcipher3.connect(str(db))
    conn.execute(f'PRAGMA key = "{sqlcipher_key(key)}"')
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(plain),))
    conn.execute("SELECT sqlcipher_export('plain')")
    conn.execute("DETACH DATABASE plain")
    conn.close()
    plain.replace(db)
    (data_dir / "keyslots.json").unlink()
    backups = data_dir / "backups"
    backups.mkdir(exist_ok=True)
    sqlite3.connect(backups / "loket-old-1.db").executescript(
        "CREATE TABLE t(x); INSERT INTO t VALUES ('3201019876543210');"
    )


def test_a_plaintext_database_is_converted_at_the_first_unlock(data_dir, device, applicant) -> None:
    store, operator = device
    add_operator(store, "budi", "budi-rahasia")
    person = applicant()
    saved = RegistrationService(store, operator).save(person).registration
    key = store.key
    store.close()
    _decrypt_to_plaintext(data_dir, key)
    assert is_plaintext(data_dir / "loket.db") and not needs_first_operator(data_dir)

    assert _code(lambda: unlock(data_dir, "ani", "wrong-pass")) == E.LOGIN_FAILED
    assert is_plaintext(data_dir / "loket.db")  # a wrong password converts nothing
    opened, op = unlock(data_dir, "ani", PASSWORD)
    try:
        assert not is_plaintext(data_dir / "loket.db")
        assert person["nik"].encode() not in (data_dir / "loket.db").read_bytes()
        assert not list(data_dir.glob("*.plaintext-old*")) and not list(
            data_dir.glob("*.encrypting")
        )
        assert RegistrationService(opened, op).get(saved.id).applicant.nik == person["nik"]
        backup = data_dir / "backups" / "loket-old-1.db"
        assert not is_plaintext(backup) and b"3201019876543210" not in backup.read_bytes()
    finally:
        opened.close()
    # only the operator who logged in got a slot (never from a hash); budi's first login here
    # needs someone to authorise it
    assert not KeySlots(data_dir).has("budi")
    assert _code(lambda: unlock(data_dir, "budi", "budi-rahasia")) == (
        E.OPERATOR_NEEDS_AUTHORISATION
    )
    other, _ = unlock(data_dir, "budi", "budi-rahasia", authoriser=("ani", PASSWORD))
    other.close()


def test_rotating_the_key_rewraps_every_slot(data_dir, device, applicant) -> None:
    store, operator = device
    add_operator(store, "budi", "budi-rahasia")
    RegistrationService(store, operator).save(applicant())
    old_key = store.key
    backup = store.backup("manual")
    assert rekey_database(store) == 2
    assert store.key != old_key
    assert RegistrationService(store, operator).count() == 1  # still usable after the rekey
    store.close()
    with pytest.raises(WrongKeyError):
        Store.open(data_dir, old_key)
    for name, password in (("ani", PASSWORD), ("budi", "budi-rahasia")):
        opened, _ = unlock(data_dir, name, password)
        assert RegistrationService(opened, operator).count() == 1
        new_key = opened.key
        opened.close()
    conn = sqlcipher3.connect(str(backup))
    conn.execute(f'PRAGMA key = "{sqlcipher_key(new_key)}"')
    assert conn.execute("SELECT count(*) FROM registrations").fetchone() == (1,)
    conn.close()


def test_database_errors_do_not_carry_personal_data_into_logs(device, applicant) -> None:
    from sqlalchemy.exc import IntegrityError

    from desktop.store.models import OperatorAccount

    store, _ = device
    nik = applicant()["nik"]
    with pytest.raises(IntegrityError) as info:
        with store.session() as s:
            s.add(
                OperatorAccount(username="ani", full_name=nik, password_hash=nik, created_at=None)
            )
    assert nik not in str(info.value)  # hide_parameters: the message names no values
