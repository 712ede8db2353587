"""SQL for the console's sign-in, staff accounts and admin pages (sessions and the sign-in
throttle: queries/users.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from syncserver.models import AuditEntry, Device, Office, StaffUser

LOGIN_FAILED = "login.failed"


# --- sign-in --------------------------------------------------------------------------------
def user_by_id(session: Session, user_id: int) -> StaffUser | None:
    return session.get(StaffUser, user_id)


def touch_login(session: Session, user_id: int, now: datetime) -> None:
    session.execute(
        update(StaffUser).where(StaffUser.id == user_id).values(last_login_at=now, failed_logins=0)
    )


# --- staff accounts -------------------------------------------------------------------------
def list_users(session: Session, *, offset: int, limit: int) -> tuple[list[StaffUser], bool]:
    rows = list(
        session.scalars(
            select(StaffUser).order_by(StaffUser.username).offset(offset).limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def update_user(session: Session, user_id: int, **values: object) -> None:
    session.execute(update(StaffUser).where(StaffUser.id == user_id).values(**values))


# --- offices and devices --------------------------------------------------------------------
def list_offices(session: Session, *, offset: int, limit: int) -> tuple[list[Office], bool]:
    rows = list(
        session.scalars(select(Office).order_by(Office.code).offset(offset).limit(limit + 1))
    )
    return rows[:limit], len(rows) > limit


def list_devices(
    session: Session, *, office: str, offset: int, limit: int
) -> tuple[list[Device], bool]:
    stmt = (
        select(Device)
        .order_by(Device.office_code, Device.device_no)
        .offset(offset)
        .limit(limit + 1)
    )
    if office:
        stmt = stmt.where(Device.office_code == office)
    rows = list(session.scalars(stmt))
    return rows[:limit], len(rows) > limit


def get_device(session: Session, device_id: str) -> Device | None:
    return session.get(Device, device_id)


def audit_page(
    session: Session,
    *,
    before_id: int | None,
    limit: int,
    actor: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[AuditEntry], bool]:
    """A page of the audit log, newest first, by who (``actor``), what (``action``, or an
    action family such as ``decision`` for ``decision.*``) and when (``since <= at <
    until``)."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if before_id:
        stmt = stmt.where(AuditEntry.id < before_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action:
        family = action.rstrip(".").replace("\\", "").replace("%", "").replace("_", "\\_")
        stmt = stmt.where(
            or_(AuditEntry.action == action, AuditEntry.action.like(family + ".%", escape="\\"))
        )
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    rows = list(session.scalars(stmt))
    return rows[:limit], len(rows) > limit


#: What the audit log's "what" filter offers: each family selects its ``family.*`` actions
#: (a list kept here, not a DISTINCT over a log of millions of rows).
AUDIT_FAMILIES = (
    "decision",
    "duplicates",
    "export",
    "login",
    "logout",
    "user",
    "office",
    "device",
    "enrollment_code",
    "operator",
)
