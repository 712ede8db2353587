"""Local operator accounts: argon2id password hashes, lock-out after repeated failures.

Until the security issue syncs accounts from the server (``source='server'``), operators are
made on the device with ``loket-desk add-operator``. Five wrong passwords in a row lock the
account for five minutes; a disabled account cannot log in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from common import errors as E
from common.errors import ApiError
from common.record import utcnow
from desktop.store import Store
from desktop.store.models import OperatorAccount

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=5)
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

#: argon2id (argon2-cffi's default type) with its default cost: ~50 ms per check.
hasher = PasswordHasher()
_dummy_hash: str | None = None


def _dummy() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hasher.hash("loket-dummy-password")
    return _dummy_hash


@dataclass(frozen=True, slots=True)
class Operator:
    username: str
    full_name: str = ""


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    username: str
    full_name: str
    active: bool
    source: str
    locked_until: datetime | None
    created_at: datetime


def normalise_username(username: str) -> str:
    return username.strip().lower()


def add_operator(
    store: Store,
    username: str,
    password: str,
    full_name: str = "",
    *,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Create a local operator. ValueError for a bad or taken user name or a short password."""
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise ValueError(
            "user name must be 1-64 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must be at least {MIN_PASSWORD} characters")
    password_hash = hasher.hash(password)  # slow: outside the transaction
    with store.session() as s:
        if s.scalar(select(OperatorAccount.id).where(OperatorAccount.username == name)):
            raise ValueError(f"operator {name!r} already exists")
        s.add(
            OperatorAccount(
                username=name,
                full_name=" ".join(full_name.split()),
                password_hash=password_hash,
                active=True,
                failed_attempts=0,
                locked_until=None,
                created_at=clock(),
                source="local",
            )
        )


def authenticate(
    store: Store, username: str, password: str, *, clock: Callable[[], datetime] = utcnow
) -> Operator:
    """The operator for a correct user name and password.

    Raises ApiError ``LOGIN_FAILED`` (unknown user or wrong password), ``ACCOUNT_LOCKED``
    (locked after too many failures, even with the right password) or ``ACCOUNT_DISABLED``.
    """
    name = normalise_username(username)
    now = clock()
    with store.session(write=False) as s:
        account = s.scalar(select(OperatorAccount).where(OperatorAccount.username == name))
    if account is None:
        _verify(_dummy(), password)  # same cost as a real check: no user-name oracle
        raise ApiError(E.LOGIN_FAILED)
    if account.locked_until is not None and account.locked_until > now:
        raise ApiError(E.ACCOUNT_LOCKED, details={"until": account.locked_until.isoformat()})
    ok = _verify(account.password_hash, password)
    with store.session() as s:
        row = s.get(OperatorAccount, account.id)
        assert row is not None
        if row.locked_until is not None and row.locked_until <= now:
            row.locked_until = None
            row.failed_attempts = 0
        if not ok:
            row.failed_attempts += 1
            if row.failed_attempts >= MAX_FAILURES:
                row.failed_attempts = 0
                row.locked_until = now + LOCK_FOR
        else:
            row.failed_attempts = 0
            if hasher.check_needs_rehash(row.password_hash):
                row.password_hash = hasher.hash(password)
    if not ok:
        raise ApiError(E.LOGIN_FAILED)
    if not account.active:
        raise ApiError(E.ACCOUNT_DISABLED)
    return Operator(account.username, account.full_name)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def set_password(store: Store, username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must be at least {MIN_PASSWORD} characters")
    password_hash = hasher.hash(password)
    with store.session() as s:
        row = _get(s, username)
        row.password_hash = password_hash
        row.failed_attempts = 0
        row.locked_until = None


def set_active(store: Store, username: str, active: bool) -> None:
    with store.session() as s:
        _get(s, username).active = active


def list_operators(store: Store) -> list[OperatorInfo]:
    with store.session(write=False) as s:
        rows = s.scalars(select(OperatorAccount).order_by(OperatorAccount.username)).all()
        return [
            OperatorInfo(r.username, r.full_name, r.active, r.source, r.locked_until, r.created_at)
            for r in rows
        ]


def _get(session, username: str) -> OperatorAccount:  # type: ignore[no-untyped-def]
    row = session.scalar(
        select(OperatorAccount).where(OperatorAccount.username == normalise_username(username))
    )
    if row is None:
        raise ValueError(f"no operator {username!r}")
    return row
