"""Key-value settings stored as JSON text in the ``settings`` table.

Known keys: ``device_id``, ``office_code``, ``office_name``, ``device_no``, ``next_sequence``,
``enrolled``, ``server_url`` (device identity, see services/device.py); ``sync_cursor`` and
``last_sync_success`` (the sync client).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.store.models import Setting


def read(session: Session, key: str, default: Any = None) -> Any:
    value = session.scalar(select(Setting.value_json).where(Setting.key == key))
    return default if value is None else json.loads(value)


def write(session: Session, key: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value_json=text))
    else:
        row.value_json = text
    session.flush()
