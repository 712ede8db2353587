"""Encryption keys of the local database (SQLCipher), wrapped once per operator.

The database key is 32 random bytes, made when the store is created and never derived from a
password, so changing a password re-wraps one slot and re-encrypts nothing. Each operator of
the device has a **key slot** in ``<data dir>/keyslots.json`` (format 2):

    raw  = Argon2id(password, salt, t, m, p)      # salt: 16 random bytes made on this device
    KEK  = HKDF-SHA256(raw, info="loket keyslot v2")
    key  = AES-256-GCM(KEK, database key)                  # the database key for this operator
    priv = AES-256-GCM(KEK, X25519 private key)            # and the operator's own key pair
    pub  = the X25519 public key (plaintext)

The salt and the cost are made on the device and never leave it, so nothing the sync server
holds or sends (the operator's argon2id verifier, the change feed, a backup of its database)
is a KEK: the verifier has another salt, and a slot opens only with the password itself
through Argon2id (security issue 12, finding 1). Format 1 derived the KEK from the hash part
of the server's verifier; such slots are opened once more at the first login after an
upgrade, which re-keys the database (services/operators.py) and drops them all.

The key pair lets the device hand a *new* database key to an operator whose password it does
not know: ``rekey`` seals the new key to each active operator's public key (ephemeral X25519,
HKDF, AES-GCM) instead of wrapping it under their KEK, and the operator's next login opens
their private key with the password, the sealed key with it, and wraps it normally again.
A sealed key opens only with the operator's private key, which only their password opens.

The same file keeps each operator's failed-login record (the database is still locked when a
login fails, so it cannot be kept there); the lock-out rule that reads and writes it is the
operators service's (services/operators.py). A new slot for an operator clears their record.
The file is written atomically (temp file, fsync, rename).

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
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

SLOTS_FILE = "keyslots.json"
PENDING_FILE = "keyslots.pending.json"  # slots under a new key while the database is re-keyed
KEY_BYTES = 32
SALT_BYTES = 16
FORMAT = 2
_INFO_V1 = b"loket keyslot v1"  # format 1: only to open a slot once more at the upgrade
_INFO = b"loket keyslot v2"
_INFO_SEALED = b"loket keyslot v2 sealed"
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


def _hkdf(material: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(material)


def _seal(key: bytes, plaintext: bytes, ad: bytes) -> dict[str, str]:
    nonce = secrets.token_bytes(12)
    return {"nonce": _b64(nonce), "wrapped": _b64(AESGCM(key).encrypt(nonce, plaintext, ad))}


def _open(key: bytes, box: dict[str, str], ad: bytes) -> bytes:
    return AESGCM(key).decrypt(_unb64(box["nonce"]), _unb64(box["wrapped"]), ad)


def _ad(username: str, part: str) -> bytes:
    return f"{username}|{part}".encode()


def _pub_bytes(pub: X25519PublicKey) -> bytes:
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def seal_to(db_key: bytes, username: str, pub_raw: bytes) -> dict[str, str]:
    """``db_key`` sealed to an operator's X25519 public key (only their private key opens it)."""
    eph = X25519PrivateKey.generate()
    epk = _pub_bytes(eph.public_key())
    shared = eph.exchange(X25519PublicKey.from_public_bytes(pub_raw))
    box = _seal(_hkdf(shared, _INFO_SEALED, epk + pub_raw), db_key, _ad(username, "sealed"))
    return {"epk": _b64(epk), **box}


def _unseal(box: dict[str, str], username: str, priv: X25519PrivateKey) -> bytes:
    epk = _unb64(box["epk"])
    pub_raw = _pub_bytes(priv.public_key())
    shared = priv.exchange(X25519PublicKey.from_public_bytes(epk))
    return _open(_hkdf(shared, _INFO_SEALED, epk + pub_raw), box, _ad(username, "sealed"))


def _device_params(salt: bytes) -> Argon2Params:
    """The device's Argon2id cost (:data:`DEFAULT_COST`) under ``salt``."""
    return Argon2Params(salt, DEFAULT_COST["t"], DEFAULT_COST["m"], DEFAULT_COST["p"], 32)


def _params(slot: dict[str, Any]) -> Argon2Params:
    return Argon2Params(
        _unb64(slot["salt"]),
        int(slot["t"]),
        int(slot["m"]),
        int(slot["p"]),
        int(slot.get("hash_len", 32)),
    )


def new_slot(db_key: bytes, username: str, password: str) -> dict[str, Any]:
    """A format-2 slot: a fresh device salt, the device cost, a fresh key pair."""
    params = _device_params(secrets.token_bytes(SALT_BYTES))
    kek = _hkdf(params.derive(password), _INFO)
    priv = X25519PrivateKey.generate()
    return {
        "v": FORMAT,
        "salt": _b64(params.salt),
        "t": params.t,
        "m": params.m,
        "p": params.p,
        "hash_len": params.hash_len,
        "pub": _b64(_pub_bytes(priv.public_key())),
        "priv": _seal(kek, priv.private_bytes_raw(), _ad(username, "priv")),
        "key": _seal(kek, db_key, _ad(username, "key")),
    }


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
        """Move ``other``'s file over this one (the end of a re-key). Failure counts and
        lock-outs of this file are carried over (a re-key must not reset them)."""
        other._reload()
        self._reload()
        other._data["failures"] = {**self._data.get("failures", {}), **other._data["failures"]}
        other._write()
        os.replace(other.path, self.path)
        self._data = self._read()

    def _reload(self) -> None:
        # re-read before each change: another KeySlots (the sync thread, another process)
        # may have written the file since this one read it
        self._data = self._read()

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"version": FORMAT, "slots": {}, "failures": {}}
        data = dict(json.loads(self.path.read_text(encoding="utf-8")))
        data.setdefault("slots", {})
        data.setdefault("failures", {})
        return data

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._data["version"] = FORMAT
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

    def version_of(self, username: str) -> int | None:
        """2 for a slot made on this device from a password, 1 for one made (by an earlier
        version) from the server's verifier, None for no slot."""
        slot = self._data["slots"].get(username)
        return None if slot is None else int(slot.get("v", 1))

    def has_v1(self) -> bool:
        return any(int(s.get("v", 1)) == 1 for s in self._data["slots"].values())

    def public_key(self, username: str) -> bytes | None:
        slot = self._data["slots"].get(username)
        return _unb64(slot["pub"]) if slot and int(slot.get("v", 1)) >= 2 else None

    # --- slots ---------------------------------------------------------------------------
    @staticmethod
    def new_key() -> bytes:
        return secrets.token_bytes(KEY_BYTES)

    def add_from_password(self, db_key: bytes, username: str, password: str) -> None:
        """A slot for ``username`` from their password, under a salt made here (new local
        accounts, password changes, an operator's first login on this device)."""
        slot = new_slot(db_key, username, password)
        self._reload()
        self._data["slots"][username] = slot
        self._data["failures"].pop(username, None)
        self._write()

    def add_sealed(self, db_key: bytes, username: str, like: dict[str, Any]) -> None:
        """A slot for ``username`` with ``db_key`` sealed to the key pair of their slot
        ``like`` (a re-key: the password is not known here; their next login re-wraps it)."""
        slot = {k: v for k, v in like.items() if k not in ("key", "sealed")}
        slot["sealed"] = seal_to(db_key, username, _unb64(like["pub"]))
        self._reload()
        self._data["slots"][username] = slot
        self._write()

    def slot(self, username: str) -> dict[str, Any] | None:
        self._reload()
        slot = self._data["slots"].get(username)
        return dict(slot) if slot is not None else None

    def sync_account(self, username: str, active: bool) -> None:
        """An account synced from the server: a disabled one loses its slot (its password
        then opens nothing at the next start). An active one keeps what it has; a slot is
        never made from what the server sends (security issue 12)."""
        if not active:
            self.remove(username)

    def remove(self, username: str) -> None:
        self._reload()
        if self._data["slots"].pop(username, None) is not None:
            self._write()

    def drop_v1(self, keep: str | None = None) -> None:
        """Remove every format-1 slot (derived from server verifiers) but ``keep``'s."""
        self._reload()
        old = [u for u, s in self._data["slots"].items() if int(s.get("v", 1)) == 1 and u != keep]
        for username in old:
            del self._data["slots"][username]
        if old:
            self._write()

    # --- failed logins (the rule is services/operators.py's) ----------------------------
    def failures(self, username: str) -> dict[str, Any] | None:
        """``username``'s failed-login record as last written, or None."""
        self._reload()
        record = self._data["failures"].get(username)
        return dict(record) if record is not None else None

    def set_failures(self, username: str, record: dict[str, Any] | None) -> None:
        """Write (or, with None, remove) ``username``'s failed-login record."""
        self._reload()
        if record is None:
            if self._data["failures"].pop(username, None) is None:
                return
        else:
            self._data["failures"][username] = dict(record)
        self._write()

    # --- unlocking -----------------------------------------------------------------------
    def open(self, username: str, password: str) -> bytes | None:
        """The database key, if ``password`` opens ``username``'s slot; None for no such slot
        or a wrong password (which cost the same: no user-name oracle by timing).

        A key sealed by a re-key is opened with the operator's private key and wrapped under
        their KEK again.
        """
        self._reload()
        slot = self._data["slots"].get(username)
        if slot is None:
            _device_params(b"loket-no-such-slot").derive(password)  # the same cost as a slot
            return None
        raw = _params(slot).derive(password)
        try:
            return self._open_slot(username, slot, raw)
        except (InvalidTag, KeyError, ValueError):
            return None

    def _open_slot(self, username: str, slot: dict[str, Any], raw: bytes) -> bytes:
        if int(slot.get("v", 1)) == 1:  # the upgrade opens it once; the caller re-keys
            return _open(_hkdf(raw, _INFO_V1), slot, username.encode("utf-8"))
        kek = _hkdf(raw, _INFO)
        priv_raw = _open(kek, slot["priv"], _ad(username, "priv"))  # InvalidTag: wrong password
        if "key" in slot:
            return _open(kek, slot["key"], _ad(username, "key"))
        key = _unseal(slot["sealed"], username, X25519PrivateKey.from_private_bytes(priv_raw))
        rewrapped = {k: v for k, v in slot.items() if k != "sealed"}
        rewrapped["key"] = _seal(kek, key, _ad(username, "key"))
        self._reload()
        if self._data["slots"].get(username) == slot:  # nobody changed it meanwhile
            self._data["slots"][username] = rewrapped
            self._write()
        return key


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
