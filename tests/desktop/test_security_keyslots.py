"""Key slots that nothing from the server opens (security issue 12, finding 1): a first login
on the device authorised by an operator present or by the unattended key (and a clear refusal
without either), a re-key that hands the new key to every active operator without knowing a
password and to no disabled one, and the upgrade of a store made the old way (format-1 slots
derived from the server's verifiers): re-keyed at the first login, no format-1 slot left."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from keyring.backend import KeyringBackend

from common import errors as E
from common.errors import ApiError
from common.i18n import Lang
from common.protocol import Change, ChangeKind
from desktop.services.operators import (
    add_operator,
    authenticate,
    create_first_operator,
    rekey_database,
    set_active,
    unlock,
)
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store.keys import KeySlots, load_unattended_key, save_unattended_key
from desktop.store.models import OperatorAccount
from desktop.store.store import WrongKeyError
from desktop.sync.engine import apply_change
from tests.support.enrolled import enroll_offline
from tests.support.keyattack import candidate_keys, try_to_open

PASSWORD = "rahasia-123"


def _code(call) -> str:
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code


def _synced(store: Store, username: str, password: str, seq: int = 1, active: bool = True) -> str:
    """An account made at the centre, applied as a pull applies it; its verifier."""
    verifier = PasswordHasher().hash(password)
    data = {
        "username": username,
        "full_name": username.title(),
        "password_hash": verifier,
        "active": active,
    }
    with store.session() as s:
        apply_change(
            s, Change(seq=seq, kind=ChangeKind.OPERATOR, data=data), KeySlots(store.data_dir)
        )
    return verifier


class MemoryKeyring(KeyringBackend):
    """A real keyring backend held in memory: this machine has no OS credential store."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def credential_store() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def test_a_first_login_alone_is_refused_with_a_clear_message(data_dir: Path) -> None:
    store, _ = create_first_operator(data_dir, "ani", PASSWORD)
    _synced(store, "dewi", "dari-pusat-1")
    store.close()
    before = (data_dir / "keyslots.json").read_bytes()
    assert _code(lambda: unlock(data_dir, "dewi", "dari-pusat-1")) == (
        E.OPERATOR_NEEDS_AUTHORISATION
    )
    assert (data_dir / "keyslots.json").read_bytes() == before  # nothing written
    for lang in (Lang.ID, Lang.EN):
        text = E.message(E.OPERATOR_NEEDS_AUTHORISATION, {}, lang.value)
        assert text and "{" not in text
    # the operator present may not authorise themself, nor a slot-less operator another
    assert (
        _code(lambda: unlock(data_dir, "dewi", "dari-pusat-1", authoriser=("dewi", "dari-pusat-1")))
        == E.OPERATOR_NEEDS_AUTHORISATION
    )


def test_a_first_login_authorised_on_an_open_store(data_dir: Path) -> None:
    store, _ = create_first_operator(data_dir, "ani", PASSWORD)
    _synced(store, "dewi", "dari-pusat-1")
    # the idle lock / after a logout: the store is open, but that alone authorises nothing
    assert _code(lambda: authenticate(store, "dewi", "dari-pusat-1")) == (
        E.OPERATOR_NEEDS_AUTHORISATION
    )
    assert (
        _code(
            lambda: authenticate(store, "dewi", "dari-pusat-1", authoriser=("ani", "salah-sekali"))
        )
        == E.LOGIN_FAILED
    )
    op = authenticate(store, "dewi", "dari-pusat-1", authoriser=("ani", PASSWORD))
    assert op.username == "dewi"
    store.close()
    unlock(data_dir, "dewi", "dari-pusat-1")[0].close()  # alone from now on


def test_a_first_login_with_the_unattended_key(data_dir: Path, credential_store) -> None:
    store, _ = create_first_operator(data_dir, "ani", PASSWORD)
    _synced(store, "dewi", "dari-pusat-1")
    assert save_unattended_key(data_dir, store.key)
    store.close()
    assert _code(lambda: unlock(data_dir, "dewi", "salah-sekali")) == E.LOGIN_FAILED
    assert not KeySlots(data_dir).has("dewi")
    opened, op = unlock(data_dir, "dewi", "dari-pusat-1")
    assert op.username == "dewi" and KeySlots(data_dir).version_of("dewi") == 2
    opened.close()
    credential_store.items.clear()  # the key no longer kept: the slot alone opens
    unlock(data_dir, "dewi", "dari-pusat-1")[0].close()


def test_a_failed_first_login_counts_towards_the_lock_out(data_dir: Path) -> None:
    store, _ = create_first_operator(data_dir, "ani", PASSWORD)
    _synced(store, "dewi", "dari-pusat-1")
    store.close()
    for _ in range(4):
        assert (
            _code(lambda: unlock(data_dir, "dewi", "salah-sekali", authoriser=("ani", PASSWORD)))
            == E.LOGIN_FAILED
        )
    assert (
        _code(lambda: unlock(data_dir, "dewi", "salah-sekali", authoriser=("ani", PASSWORD)))
        == E.ACCOUNT_LOCKED
    )
    assert (
        _code(lambda: unlock(data_dir, "dewi", "dari-pusat-1", authoriser=("ani", PASSWORD)))
        == E.ACCOUNT_LOCKED
    )


def test_rekey_gives_every_active_operator_the_new_key_and_no_disabled_one(
    data_dir: Path, applicant, credential_store
) -> None:
    store, ani = create_first_operator(data_dir, "ani", PASSWORD)
    enroll_offline(store)  # saving needs an enrolled device (issue 13)
    add_operator(store, "budi", "budi-rahasia")
    add_operator(store, "citra", "citra-rahasia")
    _synced(store, "dewi", "dari-pusat-1")
    _synced(store, "eko", "eko-pusat-12", seq=2)  # active, never logged in here
    store.close()
    unlock(data_dir, "dewi", "dari-pusat-1", authoriser=("ani", PASSWORD))[0].close()
    store, _ = unlock(data_dir, "ani", PASSWORD)
    RegistrationService(store, ani).save(applicant())
    set_active(store, "citra", False)
    save_unattended_key(data_dir, store.key)
    old_key = store.key
    assert rekey_database(store) == 3  # ani, budi, dewi: no password needed for any of them
    new_key = store.key
    assert new_key != old_key and load_unattended_key(data_dir) == new_key
    store.close()
    credential_store.items.clear()
    assert not KeySlots(data_dir).has("citra")
    assert not KeySlots(data_dir).has("eko")  # never a slot from a hash
    set_text = (data_dir / "keyslots.json").read_text()
    assert new_key.hex() not in set_text and base64.b64encode(new_key).decode() not in set_text
    with pytest.raises(WrongKeyError):
        Store.open(data_dir, old_key)
    for name, password in (("budi", "budi-rahasia"), ("dewi", "dari-pusat-1"), ("ani", PASSWORD)):
        sealed_slot = KeySlots(data_dir).slot(name)
        assert sealed_slot is not None and "sealed" in sealed_slot
        opened, _ = unlock(data_dir, name, password)
        assert opened.key == new_key and RegistrationService(opened, ani).count() == 1
        opened.close()
        slot = KeySlots(data_dir).slot(name)
        assert slot is not None and "sealed" not in slot and "key" in slot  # wrapped again
        unlock(data_dir, name, password)[0].close()
    assert _code(lambda: unlock(data_dir, "citra", "citra-rahasia")) == (
        E.OPERATOR_NEEDS_AUTHORISATION
    )
    assert _code(lambda: unlock(data_dir, "budi", "salah-sekali")) == E.LOGIN_FAILED


# --- a store made the old way (format 1: slots from the argon2id verifiers) -------------------
def _v1_slot(db_key: bytes, username: str, verifier: str) -> dict[str, Any]:
    """Exactly what KeySlots.add_from_hash wrote before issue 12."""
    parts = verifier.split("$")
    cost = dict(item.split("=") for item in parts[3].split(","))

    def unb64(t: str) -> bytes:
        return base64.b64decode(t + "=" * (-len(t) % 4))

    raw = unb64(parts[5])
    kek = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"loket keyslot v1").derive(
        raw
    )
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(kek).encrypt(nonce, db_key, username.encode())
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return {
        "salt": b64(unb64(parts[4])),
        "t": int(cost["t"]),
        "m": int(cost["m"]),
        "p": int(cost["p"]),
        "hash_len": len(raw),
        "nonce": b64(nonce),
        "wrapped": b64(wrapped),
    }


def _old_store(data_dir: Path, people: dict[str, str], applicant) -> tuple[bytes, list[str]]:
    """A data folder as versions before issue 12 left it; (database key, verifiers)."""
    key = KeySlots.new_key()
    store = Store.open(data_dir, key)
    verifiers = []
    with store.session() as s:
        for name, password in people.items():
            verifier = PasswordHasher().hash(password)
            verifiers.append(verifier)
            s.add(
                OperatorAccount(
                    username=name,
                    full_name=name,
                    password_hash=verifier,
                    active=True,
                    created_at=datetime.now(UTC),
                    source="server",
                )
            )
    from desktop.services.operators import Operator

    enroll_offline(store)  # saving needs an enrolled device (issue 13)
    RegistrationService(store, Operator("ani")).save(applicant())
    store.backup("manual")
    store.close()
    slots = {name: _v1_slot(key, name, v) for name, v in zip(people, verifiers, strict=True)}
    (data_dir / "keyslots.json").write_text(
        json.dumps({"version": 1, "slots": slots, "failures": {}})
    )
    return key, verifiers


def test_upgrade_from_format_1_rekeys_at_the_first_login_and_drops_every_old_slot(
    data_dir: Path, applicant
) -> None:
    people = {"ani": PASSWORD, "budi": "budi-rahasia", "citra": "citra-rahasia"}
    old_key, verifiers = _old_store(data_dir, people, applicant)
    assert try_to_open(data_dir, verifiers)  # the flaw: the verifiers opened the old slots
    opened, op = unlock(data_dir, "ani", PASSWORD)
    new_key = opened.key
    assert new_key != old_key and RegistrationService(opened, op).count() == 1
    opened.close()
    slots = KeySlots(data_dir)
    assert slots.usernames() == ["ani"] and slots.version_of("ani") == 2 and not slots.has_v1()
    assert json.loads((data_dir / "keyslots.json").read_text())["version"] == 2
    with pytest.raises(WrongKeyError):
        Store.open(data_dir, old_key)  # whoever computed the old key from a verifier: too late
    for backup in (data_dir / "backups").glob("*.db"):  # the backups were re-keyed with it
        from tests.support.keyattack import opens_database

        assert not opens_database(backup, old_key) and opens_database(backup, new_key)
    assert try_to_open(data_dir, verifiers) == []
    assert all(not KeySlots(data_dir).has(n) for n in ("budi", "citra"))
    # the others log in for the first time on this device, someone authorising
    assert _code(lambda: unlock(data_dir, "budi", "budi-rahasia")) == (
        E.OPERATOR_NEEDS_AUTHORISATION
    )
    unlock(data_dir, "budi", "budi-rahasia", authoriser=("ani", PASSWORD))[0].close()
    again, _ = unlock(data_dir, "ani", PASSWORD)
    assert again.key == new_key  # one re-key only
    again.close()
    assert candidate_keys(verifiers)  # the attack above did try something


def test_upgrade_when_the_first_login_is_authorised_by_a_format_1_slot(
    data_dir: Path, applicant
) -> None:
    old_key, verifiers = _old_store(data_dir, {"ani": PASSWORD}, applicant)
    store = Store.open(data_dir, old_key)
    _synced(store, "dewi", "dari-pusat-1")
    store.close()
    opened, op = unlock(data_dir, "dewi", "dari-pusat-1", authoriser=("ani", PASSWORD))
    assert op.username == "dewi" and opened.key != old_key
    opened.close()
    slots = KeySlots(data_dir)
    assert slots.usernames() == ["ani", "dewi"] and not slots.has_v1()
    for name, password in (("ani", PASSWORD), ("dewi", "dari-pusat-1")):
        unlock(data_dir, name, password)[0].close()
    assert try_to_open(data_dir, verifiers) == []


def test_with_the_unattended_key_a_wrong_password_counts_once(
    data_dir: Path, credential_store, clock
) -> None:
    from desktop.services.operators import MAX_FAILURES

    store, _ = create_first_operator(data_dir, "ani", PASSWORD)
    save_unattended_key(data_dir, store.key)
    store.close()
    for _ in range(MAX_FAILURES - 1):
        assert _code(lambda: unlock(data_dir, "ani", "salah-sekali", clock=clock)) == (
            E.LOGIN_FAILED
        )
    assert _code(lambda: unlock(data_dir, "ani", "salah-sekali", clock=clock)) == (E.ACCOUNT_LOCKED)
