"""The server's bundle keys (issue 16): which key devices seal their bundles to, and which
older keys the server still opens.

The keys live in one private file (0600, JSON), not in the central database: a copy of the
database (a backup, a read-only standby) must not be enough to open bundles. Several server
machines share the file as they share the configuration. The file is made at first need,
under a lock so two server processes starting together make one key, not two; it is
replaced atomically (written beside, fsynced, renamed), so a reader never sees half a file.

Rotation (:func:`rotate`) adds a new current key and retires the previous one; a retired key
still opens bundles for ``grace`` (a device that has not yet learned the new key), then is
refused with BUNDLE_KEY_EXPIRED. The accepted public keys reach devices at enrollment, on
pull and in every acknowledgement (docs/PROTOCOL.md "Bundles").
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from common import bundle as B
from common import errors as E
from common.errors import ApiError
from common.private_files import replace_private_bytes
from common.protocol import BundleKey
from common.wiretime import utc_text
from syncserver.config import Settings

FILE_FORMAT = 1
KEY_FILE_NAME = "bundle-keys.json"


@dataclass(frozen=True, slots=True)
class ServerKey:
    pair: B.KeyPair
    created_at: datetime
    retired_at: datetime | None = None

    @property
    def key_id(self) -> str:
        return self.pair.public().key_id


@dataclass(frozen=True, slots=True)
class ServerKeys:
    """Every key in the file, oldest first; the last one is the current key."""

    keys: tuple[ServerKey, ...]
    grace: timedelta

    @property
    def current(self) -> ServerKey:
        return self.keys[-1]

    def accept_until(self, key: ServerKey) -> datetime | None:
        return None if key.retired_at is None else key.retired_at + self.grace

    def accepted(self, now: datetime) -> list[ServerKey]:
        """The keys that still open bundles, the current one first."""
        out = [self.current]
        for key in reversed(self.keys[:-1]):
            until = self.accept_until(key)
            if until is not None and now <= until:
                out.append(key)
        return out

    def opening(self, key_id: str, now: datetime) -> B.KeyPair:
        """The private key a bundle sealed to ``key_id`` opens with: BUNDLE_WRONG_RECIPIENT
        for a key this server never had (another server's bundle), BUNDLE_KEY_EXPIRED for a
        retired key past its grace."""
        for key in self.keys:
            if key.key_id == key_id:
                until = self.accept_until(key)
                if until is not None and now > until:
                    raise ApiError(E.BUNDLE_KEY_EXPIRED, {"until": utc_text(until)})
                return key.pair
        raise ApiError(E.BUNDLE_WRONG_RECIPIENT)

    def public_list(self, now: datetime) -> list[BundleKey]:
        """The accepted public keys as devices receive them."""
        out = []
        for key in self.accepted(now):
            until = self.accept_until(key)
            public = key.pair.public().to_dict()
            out.append(BundleKey(**public, accept_until=None if until is None else utc_text(until)))
        return out


def key_file(settings: Settings) -> Path:
    """Where ``settings`` keep the keys (``bundle_key_file``, else the data folder's)."""
    if settings.bundle_key_file:
        return Path(settings.bundle_key_file)
    return Path(settings.data_dir or ".") / KEY_FILE_NAME


def grace_of(settings: Settings) -> timedelta:
    """How long a retired key is still accepted (``bundle_key_grace_days``)."""
    return timedelta(days=settings.bundle_key_grace_days)


def for_settings(settings: Settings, now: datetime) -> ServerKeys:
    """The keys of the server configured by ``settings``."""
    return load(key_file(settings), grace_of(settings), now)


def load(path: Path, grace: timedelta, now: datetime) -> ServerKeys:
    """The keys in ``path``, made (one new key) when the file does not exist yet."""
    if not path.exists():
        with _locked(path):
            if not path.exists():  # another process may have made it while we waited
                _write(path, [ServerKey(B.KeyPair.generate(), now)])
    return ServerKeys(tuple(_read(path)), grace)


def rotate(path: Path, grace: timedelta, now: datetime, new: B.KeyPair | None = None) -> ServerKeys:
    """``new`` (a fresh pair by default) becomes the current key; the previous one is retired
    now (accepted for ``grace``)."""
    with _locked(path):
        keys = _read(path) if path.exists() else []
        if keys:
            last = keys[-1]
            keys[-1] = ServerKey(last.pair, last.created_at, now)
        keys.append(ServerKey(new or B.KeyPair.generate(), now))
        _write(path, keys)
    return ServerKeys(tuple(keys), grace)


def _read(path: Path) -> list[ServerKey]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FILE_FORMAT or not data.get("keys"):
            raise ValueError("unknown format")
        return [
            ServerKey(
                B.KeyPair.from_secret_dict(entry),
                datetime.fromisoformat(entry["created_at"]),
                datetime.fromisoformat(entry["retired_at"]) if entry.get("retired_at") else None,
            )
            for entry in data["keys"]
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        detail = f"bundle key file {path}: {type(exc).__name__}: {exc}"
        raise ApiError(E.CONFIG_INVALID, {"detail": detail}) from None


def _write(path: Path, keys: list[ServerKey]) -> None:
    entries: list[dict[str, Any]] = [
        {
            **key.pair.to_secret_dict(),
            "created_at": key.created_at.isoformat(),
            "retired_at": key.retired_at.isoformat() if key.retired_at else None,
        }
        for key in keys
    ]
    text = json.dumps({"format": FILE_FORMAT, "keys": entries}, indent=2) + "\n"
    replace_private_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``<path>.lock`` between processes of this machine (fcntl); where
    there is no fcntl (Windows: one waitress process) the process is alone anyway."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
