"""The sync history (``sync_runs``): one row per attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.store.models import SyncRun


@dataclass(frozen=True, slots=True)
class SyncRunRow:
    """One attempt of the sync history."""

    started_at: datetime
    finished_at: datetime | None
    outcome: str
    sent: int
    accepted: int
    failed: int
    bytes_sent: int
    error_code: str

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())


def start_run(s: Session, now: datetime) -> int:
    run = SyncRun(started_at=now, outcome="running")
    s.add(run)
    s.flush()
    return int(run.id)


def finish_run(
    s: Session,
    run_id: int,
    now: datetime,
    *,
    outcome: str,
    sent: int,
    accepted: int,
    failed: int,
    bytes_sent: int,
    error_code: str,
) -> None:
    run = s.get(SyncRun, run_id)
    if run is None:
        return
    run.finished_at = now
    run.outcome = outcome
    run.sent = sent
    run.accepted = accepted
    run.failed = failed
    run.bytes_sent = bytes_sent
    run.error_code = error_code


def history(s: Session, limit: int = 500) -> list[SyncRunRow]:
    """The newest attempts first."""
    runs = s.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit))
    return [
        SyncRunRow(
            r.started_at,
            r.finished_at,
            r.outcome,
            r.sent,
            r.accepted,
            r.failed,
            r.bytes_sent,
            r.error_code or "",
        )
        for r in runs
    ]
