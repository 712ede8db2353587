"""Drafts: half-filled forms kept on the device (never validated, never synced)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desktop.store.models import DraftRecord


def get(s: Session, draft_id: str) -> DraftRecord | None:
    return s.get(DraftRecord, draft_id)


def put(s: Session, draft_id: str, operator: str, raw_json: str, now: datetime) -> None:
    """Insert or replace the draft ``draft_id``."""
    row = s.get(DraftRecord, draft_id)
    if row is None:
        s.add(DraftRecord(id=draft_id, operator=operator, raw_json=raw_json, updated_at=now))
    else:
        row.raw_json = raw_json
        row.operator = operator
        row.updated_at = now


def newest_first(s: Session) -> list[DraftRecord]:
    return list(s.scalars(select(DraftRecord).order_by(DraftRecord.updated_at.desc())))


def remove(s: Session, draft_id: str) -> None:
    s.execute(delete(DraftRecord).where(DraftRecord.id == draft_id))


def count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(DraftRecord)) or 0)
