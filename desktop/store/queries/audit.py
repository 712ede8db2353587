"""The local audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from desktop.store.models import AuditEvent, json_text


def add(
    s: Session,
    at: datetime,
    operator: str,
    action: str,
    registration_id: str | None,
    detail: dict[str, Any],
) -> None:
    s.add(
        AuditEvent(
            at=at,
            operator=operator,
            action=str(action),
            registration_id=registration_id,
            detail_json=json_text(detail),
        )
    )
