"""Staff accounts for the review console (argon2id password hashes)."""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from common import errors as E
from common.accounts import check_password, check_staff_name
from common.errors import InvalidValue
from syncserver.models import StaffUser
from syncserver.queries import users as q
from syncserver.queries.reviews import append_audit

#: Console roles (what each may do: syncserver/console/access.py PERMISSIONS); ``intake``
#: reads and imports bundle files (issue 16).
ROLES = ("admin", "reviewer", "intake", "viewer")
_HASHER = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) parameters


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except Exception:  # any failure is a refusal
        return False


def add_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    provinces: list[str] | None = None,
    by: str = "cli",
) -> StaffUser:
    """A new console account; InvalidValue (a ValueError) for a bad name, role or password
    (common/accounts.py) or a name taken already."""
    if role not in ROLES:
        raise InvalidValue(E.ROLE_INVALID, {"roles": ", ".join(ROLES)})
    check_staff_name(username)
    check_password(password)
    if q.get_user(session, username) is not None:
        raise InvalidValue(E.USER_EXISTS, {"name": username})
    now = datetime.now(UTC)
    user = StaffUser(
        username=username,
        password_hash=hash_password(password),
        role=role,
        active=True,
        provinces=list(provinces or []),
        created_at=now,
        failed_logins=0,
    )
    q.add_user(session, user)
    append_audit(
        session,
        now=now,
        actor_kind="staff",
        actor=by,
        action="user.add",
        target_kind="staff_user",
        target_id=username,
        details={"role": role},
    )
    return user


def set_password(
    session: Session,
    user: StaffUser,
    password: str,
    *,
    by: str,
    now: datetime,
    action: str = "user.password",
    keep_session: str | None = None,
) -> int:
    """A new password for ``user``: every session of the account ends (but ``keep_session``,
    the id hash of the caller's own when staff change their own password), audited.
    Returns the number of sessions ended."""
    check_password(password)
    q.set_password_hash(session, user.id, hash_password(password))
    ended = q.end_user_sessions(session, user.id, keep=keep_session)
    append_audit(
        session,
        now=now,
        actor_kind="staff",
        actor=by,
        action=action,
        target_kind="staff_user",
        target_id=user.username,
        details={"sessions_ended": ended},
    )
    return ended
