"""SQL for staff accounts (the review console signs in against this table)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from syncserver.models import StaffUser


def get_user(session: Session, username: str) -> StaffUser | None:
    return session.execute(
        select(StaffUser).where(StaffUser.username == username)
    ).scalar_one_or_none()


def add_user(session: Session, user: StaffUser) -> None:
    session.add(user)
    session.flush()
