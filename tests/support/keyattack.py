"""What an attacker holding every byte the sync server has (its database file, every pull
answer, every verifier) can try against a stolen desktop data folder: each argon2id verifier's
raw hash bytes, and keys derived from them the way format-1 slots were, as SQLCipher keys and
as AES-GCM keys of every box in the key slots file. Used by the stolen-laptop tests."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlcipher3
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop.store.keys import sqlcipher_key

VERIFIER = re.compile(rb"\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+")


def _unb64(text: str | bytes) -> bytes:
    text = text.decode() if isinstance(text, bytes) else text
    return base64.b64decode(text + "=" * (-len(text) % 4))


def verifiers_in(blobs: Iterable[bytes]) -> set[str]:
    """Every argon2id encoded hash found in raw bytes (database pages, JSON answers)."""
    found: set[str] = set()
    for blob in blobs:
        found.update(m.group(0).decode() for m in VERIFIER.finditer(blob))
    return found


def candidate_keys(verifiers: Iterable[str]) -> list[bytes]:
    """Key material the server's data offers: raw hash bytes and their HKDF derivations."""
    keys: list[bytes] = []
    for encoded in verifiers:
        try:
            raw = _unb64(encoded.split("$")[5])
        except binascii.Error:
            # a fragment, not a verifier: PostgreSQL's pglz compression of a longer row keeps
            # the start of a hash and refers back for the rest; the whole one is elsewhere
            continue
        keys.append(raw)
        for info in (b"loket keyslot v1", b"loket keyslot v2", b"loket keyslot v2 sealed"):
            keys.append(
                HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)
            )
    return [k for k in keys if len(k) in (16, 24, 32)]


def _boxes(slot: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    out = []
    for box in (slot, slot.get("key"), slot.get("priv"), slot.get("sealed")):
        if isinstance(box, dict) and "nonce" in box and "wrapped" in box:
            out.append((_unb64(box["nonce"]), _unb64(box["wrapped"])))
    return out


def opens_database(db: Path, key: bytes) -> bool:
    if len(key) != 32:
        return False
    conn = sqlcipher3.connect(str(db))
    try:
        conn.execute(f'PRAGMA key = "{sqlcipher_key(key)}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlcipher3.DatabaseError:
        return False
    finally:
        conn.close()


def try_to_open(data_dir: Path, verifiers: Iterable[str]) -> list[str]:
    """What opened: an empty list when the folder holds against everything the server has."""
    keys = candidate_keys(verifiers)
    db = Path(data_dir) / "loket.db"
    opened: list[str] = []
    for key in keys:
        if opens_database(db, key):
            opened.append("a verifier-derived key is the database key")
    for name in ("keyslots.json", "keyslots.pending.json"):
        path = Path(data_dir) / name
        if not path.exists():
            continue
        slots = json.loads(path.read_text())["slots"]
        for username, slot in slots.items():
            ads = [username.encode(), None] + [
                f"{username}|{p}".encode() for p in ("key", "priv", "sealed")
            ]
            for nonce, wrapped in _boxes(slot):
                for key in keys:
                    for ad in ads:
                        try:
                            plain = AESGCM(key).decrypt(nonce, wrapped, ad)
                        except (InvalidTag, ValueError):
                            continue
                        opened.append(f"{name}: a box of {username}'s slot")
                        if opens_database(db, plain[:32]):
                            opened.append(f"{name}: {username}'s slot gives the database key")
    return opened
