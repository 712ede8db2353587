"""Encryption keys of the local database (SQLCipher), wrapped once per operator.

The database key is 32 random bytes, made when the store is created and never derived from a
password, so changing a password re-wraps one slot and re-encrypts nothing. Each operator of
the device has a **key slot** in ``<data dir>/keyslots.json``: the database key encrypted with
AES-256-GCM under a key-encryption key (KEK) derived from the operator's password:

    raw = Argon2id(password, salt, t, m, p)        # the hash part of an argon2id encoded hash
    KEK = HKDF-SHA256(raw, info="loket keyslot v1")

Only the salt and cost parameters are stored, never ``raw``, so a stolen laptop gives an
attacker an Argon2id brute force per slot. Because ``raw`` is exactly what an argon2id
encoded hash carries, the device can make a slot for an operator account that arrives from the
server (which sends the argon2id hash, never the password) while the database is open, and
the operator can then log in offline with their password. Removing an account's slot (disabled
at the server) means its password opens nothing at the next start.

Failed unlocks are counted in the same file (the database is still locked then): five in a
row lock the account for five minutes. The file is written atomically (temp file, fsync,
rename).

An unattended scheduled sync can keep the database key in the operating system's credential
store (Windows Credential Manager, macOS Keychain, Secret Service) through ``keyring``, where
one exists; see docs/SECURITY.md.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from common import errors as E
from common.errors import ApiError

SLOTS_FILE = "keyslots.json"
PENDING_FILE = "keyslots.pending.json"  # slots under a new key while the database is re-keyed
KEY_BYTES = 32
MAX_FAILURES = 5
LOCK_MINUTES = 5
_INFO = b"loket keyslot v1"
#: Argon2id cost for slots made on the device (about a quarter of a second on a counter PC).
DEFAULT_COST = {"t": 3, "m": 65536, "p": 2}


@dataclass(frozen=True, slots=True)
class Argon2Params:
    salt: bytes
    t: int
    m: int
    p: int
    hash_len: int

    def derive(self, password: str) -> bytes:
        return hash_secret_raw(
            password.encode("utf-8"), self.salt, self.t, self.m, self.p, self.hash_len, Type.ID
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def parse_argon2id(encoded: str) -> tuple[Argon2Params, bytes]:
    """Split ``$argon2id$v=19$m=..,t=..,p=..$salt$hash`` into its parameters and raw hash."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[1] != "argon2id":
        raise InvalidHashError(encoded[:20])
    cost = dict(item.split("=") for item in parts[3].split(","))
    raw = _unb64(parts[5])
    return Argon2Params(
        _unb64(parts[4]), int(cost["t"]), int(cost["m"]), int(cost["p"]), len(raw)
    ), raw


def _kek(raw: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(raw)


def _wrap(db_key: bytes, raw: bytes, username: str) -> dict[str, Any]:
    nonce = secrets.token_bytes(12)
    wrapped = AESGCM(_kek(raw)).encrypt(nonce, db_key, username.encode("utf-8"))
    return {"nonce": _b64(nonce), "wrapped": _b64(wrapped)}


def sqlcipher_key(db_key: bytes) -> str:
    """The database key as SQLCipher's raw-key literal (no PBKDF2 per connection)."""
    return f"x'{db_key.hex()}'"


class KeySlots:
    """The key slots file of one data folder."""

    def __init__(self, data_dir: Path, name: str = SLOTS_FILE) -> None:
        self.path = Path(data_dir) / name
        self._data: dict[str, Any] = self._read()

    @classmethod
    def pending(cls, data_dir: Path) -> KeySlots:
        """The side file of slots under a new key, written before a re-key (starts empty)."""
        (Path(data_dir) / PENDING_FILE).unlink(
            missing_ok=True
        )  # left by a re-key that failed early
        return cls(data_dir, PENDING_FILE)

    def replace_with(self, other: KeySlots) -> None:
        """Move ``other``'s file over this one (the end of a re-key)."""
        os.replace(other.path, self.path)
        self._data = self._read()

    def _reload(self) -> None:
        # re-read before each change: another KeySlots (the sync thread, another process)
        # may have written the file since this one read it
        self._data = self._read()

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"version": 1, "slots": {}, "failures": {}}
        return dict(json.loads(self.path.read_text(encoding="utf-8")))

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".keyslots-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self._data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            if hasattr(os, "O_DIRECTORY"):
                dfd = os.open(self.path.parent, os.O_DIRECTORY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # --- queries -------------------------------------------------------------------------
    def exists(self) -> bool:
        return self.path.exists() and bool(self._data["slots"])

    def usernames(self) -> list[str]:
        return sorted(self._data["slots"])

    def has(self, username: str) -> bool:
        return username in self._data["slots"]

    # --- slots ---------------------------------------------------------------------------
    @staticmethod
    def new_key() -> bytes:
        return secrets.token_bytes(KEY_BYTES)

    def add_from_password(self, db_key: bytes, username: str, password: str) -> None:
        """A slot for ``username`` made from the password (local accounts, password changes)."""
        encoded = PasswordHasher(time_cost=DEFAULT_COST["t"], memory_cost=DEFAULT_COST["m"],
                                 parallelism=DEFAULT_COST["p"]).hash(password)  # fmt: skip
        self.add_from_hash(db_key, username, encoded)

    def add_from_hash(self, db_key: bytes, username: str, argon2id_hash: str) -> None:
        """A slot for ``username`` from an argon2id encoded hash (accounts from the server)."""
        params, raw = parse_argon2id(argon2id_hash)
        self._reload()
        slot = {"salt": _b64(params.salt), "t": params.t, "m": params.m, "p": params.p,
                "hash_len": params.hash_len, **_wrap(db_key, raw, username)}  # fmt: skip
        self._data["slots"][username] = slot
        self._data["failures"].pop(username, None)
        self._write()

    def sync_account(self, db_key: bytes, username: str, argon2id_hash: str, active: bool) -> None:
        """Bring ``username``'s slot in line with an account synced from the server: a slot
        from its argon2id hash while active, no slot once disabled (its password then opens
        nothing at the next start). A hash that is not argon2id makes no slot."""
        if not active:
            self.remove(username)
            return
        try:
            self.add_from_hash(db_key, username, argon2id_hash)
        except (InvalidHashError, ValueError, KeyError):
            self.remove(username)  # an old slot must not outlive a password it no longer matches

    def remove(self, username: str) -> None:
        self._reload()
        if self._data["slots"].pop(username, None) is not None:
            self._write()

    def unlock(self, username: str, password: str, now: datetime | None = None) -> bytes:
        """The database key, if ``password`` opens ``username``'s slot.

        Raises ApiError LOGIN_FAILED (no such slot, or a wrong password: the same answer, so
        names cannot be probed) or ACCOUNT_LOCKED after repeated failures.
        """
        now = now or datetime.now(UTC)
        self._reload()
        failures = self._data["failures"].get(username)
        if failures and failures.get("locked_until"):
            if datetime.fromisoformat(failures["locked_until"]) > now:
                raise ApiError(E.ACCOUNT_LOCKED)
        slot = self._data["slots"].get(username)
        if slot is not None:
            params = Argon2Params(
                _unb64(slot["salt"]), slot["t"], slot["m"], slot["p"], slot["hash_len"]
            )
            try:
                key = AESGCM(_kek(params.derive(password))).decrypt(
                    _unb64(slot["nonce"]), _unb64(slot["wrapped"]), username.encode("utf-8")
                )
            except InvalidTag:
                key = None
            if key is not None:
                if self._data["failures"].pop(username, None) is not None:
                    self._write()
                return key
        else:  # the same cost as a real slot: no user-name oracle by timing
            Argon2Params(b"loket-no-such-slot", DEFAULT_COST["t"], DEFAULT_COST["m"],
                         DEFAULT_COST["p"], 32).derive(password)  # fmt: skip
        entry = self._data["failures"].setdefault(username, {"count": 0, "locked_until": None})
        entry["count"] += 1
        if entry["count"] >= MAX_FAILURES:
            entry["count"] = 0
            entry["locked_until"] = (now + timedelta(minutes=LOCK_MINUTES)).isoformat()
        self._write()
        raise ApiError(
            E.ACCOUNT_LOCKED if entry["locked_until"] and entry["count"] == 0 else E.LOGIN_FAILED
        )


# --- the unattended slot in the OS credential store ----------------------------------------
_KEYRING_SERVICE = "loket-desk"


def _keyring_name(data_dir: Path) -> str:
    return "db-key:" + str(Path(data_dir).resolve())


def keyring_available() -> bool:
    try:
        import keyring
        from keyring.backends.fail import Keyring as FailKeyring

        backend = keyring.get_keyring()
        return not isinstance(backend, FailKeyring) and getattr(backend, "priority", 0) > 0
    except Exception:
        return False


def save_unattended_key(data_dir: Path, db_key: bytes) -> bool:
    """Keep the database key in the OS credential store for scheduled syncs (False: none)."""
    if not keyring_available():
        return False
    import keyring

    keyring.set_password(_KEYRING_SERVICE, _keyring_name(data_dir), db_key.hex())
    return True


def load_unattended_key(data_dir: Path) -> bytes | None:
    if not keyring_available():
        return None
    import keyring

    value = keyring.get_password(_KEYRING_SERVICE, _keyring_name(data_dir))
    return bytes.fromhex(value) if value else None
