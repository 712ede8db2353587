"""Desktop operator accounts, managed centrally (security issue).

An account belongs to one office. Creating it, changing its password, or disabling it writes
the account to the office's change feed (kind ``operator``: username, full name, argon2id
hash, active), so every device of the office learns it on its next pull. A device uses the
hash only to *check* the password at the operator's first login there (the key slot then
comes from the password under a salt the server never sees, desktop/store/keys.py); a
disabled account loses its slot. Passwords never leave this function; only the argon2id hash
travels. The feed keeps only the latest state of each account: publishing a change deletes
the account's earlier operator rows, so an old verifier (an old password) is neither kept nor
sent again (security issue 12, finding 1; migration 0007 purged the rows kept before). Every
change is in the audit log.
"""

from __future__ import annotations

import re
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.protocol import Change, ChangeKind
from syncserver.models import OfficeOperator
from syncserver.queries import changes as changes_q
from syncserver.queries import devices as devices_q
from syncserver.queries.reviews import append_audit

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 8


def _publish(session: Session, op: OfficeOperator, now: datetime) -> None:
    account = {
        "username": op.username,
        "full_name": op.full_name,
        "password_hash": op.password_hash,
        "active": op.active,
    }
    change = Change(seq=0, kind=ChangeKind.OPERATOR, data=account)
    short = {"kind": ChangeKind.OPERATOR.value, "data": account}  # as stored before issue 15
    seq = changes_q.append_change(session, op.office_code, change, now, short)
    changes_q.delete_earlier_operator_changes(session, op.office_code, op.username, seq)


def _get(session: Session, office: str, username: str) -> OfficeOperator | None:
    return session.execute(
        select(OfficeOperator).where(
            OfficeOperator.office_code == office, OfficeOperator.username == username
        )
    ).scalar_one_or_none()


def add_operator(
    session: Session,
    office: str,
    username: str,
    password: str,
    full_name: str,
    by: str,
    now: datetime,
) -> OfficeOperator:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ValueError("username: 2-64 characters, lower-case letters, digits, . _ -")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: at least {MIN_PASSWORD} characters")
    if devices_q.get_office(session, office) is None:
        raise ValueError(f"unknown office {office}")
    if _get(session, office, username) is not None:
        raise ValueError(f"operator {username} exists already in office {office}")
    op = OfficeOperator(
        office_code=office, username=username, full_name=full_name.strip(),
        password_hash=PasswordHasher().hash(password), active=True, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(op)
    session.flush()
    _publish(session, op, now)
    append_audit(session, now=now, actor_kind="staff", actor=by, action="operator.add",
                 target_kind="operator", target_id=username, office_code=office)  # fmt: skip
    return op


def set_active(
    session: Session, office: str, username: str, active: bool, by: str, now: datetime
) -> None:
    op = _get(session, office, username.strip().lower())
    if op is None:
        raise ValueError(f"no operator {username} in office {office}")
    op.active = active
    op.updated_at = now
    _publish(session, op, now)
    append_audit(session, now=now, actor_kind="staff", actor=by,
                 action="operator.enable" if active else "operator.disable",
                 target_kind="operator", target_id=op.username, office_code=office)  # fmt: skip


def set_password(
    session: Session, office: str, username: str, password: str, by: str, now: datetime
) -> None:
    op = _get(session, office, username.strip().lower())
    if op is None:
        raise ValueError(f"no operator {username} in office {office}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: at least {MIN_PASSWORD} characters")
    op.password_hash = PasswordHasher().hash(password)
    op.updated_at = now
    _publish(session, op, now)
    append_audit(session, now=now, actor_kind="staff", actor=by, action="operator.password",
                 target_kind="operator", target_id=op.username, office_code=office)  # fmt: skip
