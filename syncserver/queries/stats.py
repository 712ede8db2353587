"""SQL for `loket-server stats` and /metrics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from syncserver.models import Batch, Device, RegistrationRecord


def totals(session: Session) -> dict[str, Any]:
    by_status = dict(
        session.execute(
            select(RegistrationRecord.status, func.count()).group_by(RegistrationRecord.status)
        ).all()
    )
    by_flag = dict(
        session.execute(
            select(RegistrationRecord.flag_reason, func.count())
            .where(RegistrationRecord.flag_reason.is_not(None))
            .group_by(RegistrationRecord.flag_reason)
        ).all()
    )
    return {
        "registrations": int(sum(by_status.values())),
        "duplicate_flagged": int(by_flag.get("duplicate_nik", 0)),
        "kk_limit_flagged": int(by_flag.get("kk_limit", 0)),
        "batches": int(session.execute(select(func.count()).select_from(Batch)).scalar_one()),
        "devices": int(session.execute(select(func.count()).select_from(Device)).scalar_one()),
        "devices_revoked": int(
            session.execute(
                select(func.count()).select_from(Device).where(Device.revoked_at.is_not(None))
            ).scalar_one()
        ),
        "by_status": {str(k): int(v) for k, v in sorted(by_status.items())},
    }
