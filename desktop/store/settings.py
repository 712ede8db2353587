"""Settings: key-value pairs stored as JSON text in the ``settings`` table, each key declared
once below as a typed accessor with its default.

    from desktop.store import settings as S
    with store.read() as s:
        enrolled = S.ENROLLED.get(s)
    with store.write() as s:
        S.SYNC_CURSOR.set(s, page.cursor)

A value that is missing, or stored with the wrong type (an older version, a hand edit), reads
as the key's default.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.store.models import Setting

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The office code of a device that is not enrolled yet.
DEFAULT_OFFICE = "000000"


def read_raw(session: Session, key: str, default: Any = None) -> Any:
    """The decoded JSON value of ``key`` (``default`` when unset)."""
    value = session.scalar(select(Setting.value_json).where(Setting.key == key))
    return default if value is None else json.loads(value)


def write_raw(session: Session, key: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value_json=text))
    else:
        row.value_json = text
    session.flush()


@dataclass(frozen=True, slots=True)
class Key(Generic[T]):
    """One setting: its name in the table, its default, and how a stored value is read."""

    name: str
    default: T
    parse: Callable[[Any], T]

    def get(self, session: Session) -> T:
        value = read_raw(session, self.name)
        if value is None:
            return self.default
        try:
            return self.parse(value)
        except (TypeError, ValueError):
            log.warning("setting %s=%r is not valid; using %r", self.name, value, self.default)
            return self.default

    def set(self, session: Session, value: T) -> None:
        write_raw(session, self.name, value)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _opt_str(value: Any) -> str | None:
    return _str(value) if value else None


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError(value)
    return int(value)


def _days(value: Any) -> int:
    return max(_int(value), 0)


def _minutes(value: Any) -> float:
    minutes = float(value)
    return minutes if minutes else 10.0


def _str_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise TypeError(value)
    return [str(v) for v in value]


# --- device identity (services/device.py, sync/commands.enroll) ----------------------------
DEVICE_ID: Key[str | None] = Key("device_id", None, _opt_str)
OFFICE_CODE: Key[str] = Key("office_code", DEFAULT_OFFICE, str)
OFFICE_NAME: Key[str] = Key("office_name", "", str)
DEVICE_NO: Key[int] = Key("device_no", 0, _int)
ENROLLED: Key[bool] = Key("enrolled", False, bool)
#: the next registration sequence number of this device
NEXT_SEQUENCE: Key[int] = Key("next_sequence", 1, _int)

# --- the sync server (sync/commands.py, sync/engine.py) ------------------------------------
SERVER_URL: Key[str | None] = Key("server_url", None, _opt_str)
CA_BUNDLE: Key[str | None] = Key("ca_bundle", None, _opt_str)
DEVICE_CREDENTIAL: Key[str | None] = Key("device_credential", None, _opt_str)
#: the server's change-feed position this device has applied up to
SYNC_CURSOR: Key[str] = Key("sync_cursor", "", str)
#: the wire time (ISO 8601, UTC) of the last pull that completed
LAST_SYNC_SUCCESS: Key[str | None] = Key("last_sync_success", None, _opt_str)
#: the server's minimum and current desktop versions from its last pull answer (issue 18;
#: desktop/sync/versions.py); None until a server stated them
CLIENT_MIN_VERSION: Key[str | None] = Key("client_min_version", None, _opt_str)
CLIENT_CURRENT_VERSION: Key[str | None] = Key("client_current_version", None, _opt_str)


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(value)
    return value


def _dict_list(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise TypeError(value)
    return value


# --- sync bundles (services/bundles.py; issue 16) -------------------------------------------
#: this device's private bundle keys (common.bundle.KeyPair.to_secret_dict); the store is
#: encrypted at rest, so they never reach the disk in the clear
BUNDLE_DEVICE_KEYS: Key[dict[str, Any]] = Key("bundle_device_keys", {}, _dict)
#: the server said it takes pushes by columns (common/columns.py), at the last sync
SERVER_PUSH_COLUMNS: Key[bool] = Key("server_push_columns", False, bool)
#: an enrollment not yet answered (desktop/sync/commands.py): the server, the code's hash,
#: the credential secret and the key pair it was sent with, so trying the same code again
#: (its answer may have been lost on the way) sends the same request
ENROLL_PENDING: Key[dict[str, Any]] = Key("enroll_pending", {}, _dict)
#: whether the server has this device's current public bundle keys
BUNDLE_KEY_REGISTERED: Key[bool] = Key("bundle_key_registered", False, bool)
#: the server's accepted public bundle keys (common.protocol.BundleKey as JSON), current first
SERVER_BUNDLE_KEYS: Key[list[dict[str, Any]]] = Key("server_bundle_keys", [], _dict_list)
#: the counter of the last records bundle made (the server refuses an older one as a replay)
BUNDLE_SEQ: Key[int] = Key("bundle_seq", 0, _int)
#: the ids of the acknowledgements applied (newest last, bounded): one imported again changes
#: nothing
BUNDLE_ACKS_APPLIED: Key[list[str]] = Key("bundle_acks_applied", [], _str_list)

# --- the clerk's work ----------------------------------------------------------------------
#: ids of rejected records the clerk has opened (they leave the "attention" count)
REJECTED_SEEN: Key[list[str]] = Key("rejected_seen", [], _str_list)
#: days a decided, acknowledged record keeps its personal data (services/retention.py)
RETENTION_DAYS: Key[int] = Key("retention_days", 90, _days)
#: minutes without input before the app locks (application.py)
IDLE_LOCK_MINUTES: Key[float] = Key("idle_lock_minutes", 10.0, _minutes)
