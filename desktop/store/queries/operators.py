"""Operator accounts on this device (local ones, and those the server's feed brings)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.store.models import OperatorAccount


def by_username(s: Session, username: str) -> OperatorAccount | None:
    return s.scalar(select(OperatorAccount).where(OperatorAccount.username == username))


def exists(s: Session, username: str) -> bool:
    return (
        s.scalar(select(OperatorAccount.id).where(OperatorAccount.username == username)) is not None
    )


def add(
    s: Session,
    username: str,
    password_hash: str,
    now: datetime,
    *,
    full_name: str = "",
    source: str = "local",
) -> OperatorAccount:
    account = OperatorAccount(
        username=username,
        full_name=full_name,
        password_hash=password_hash,
        active=True,
        created_at=now,
        source=source,
    )
    s.add(account)
    return account


def active_usernames(s: Session) -> set[str]:
    return set(s.scalars(select(OperatorAccount.username).where(OperatorAccount.active.is_(True))))


def all_by_username(s: Session) -> list[OperatorAccount]:
    return list(s.scalars(select(OperatorAccount).order_by(OperatorAccount.username)))
