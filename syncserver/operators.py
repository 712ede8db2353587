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

from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from common import errors as E
from common.accounts import check_operator_name, check_password, normalise_operator_name
from common.errors import InvalidValue
from common.protocol import Change, ChangeKind
from syncserver.models import OfficeOperator
from syncserver.queries import changes as changes_q
from syncserver.queries import devices as devices_q
from syncserver.queries.reviews import append_audit


def _publish(session: Session, op: OfficeOperator, now: datetime) -> None:
    account = {
        "username": op.username,
        "full_name": op.full_name,
        "password_hash": op.password_hash,
        "active": op.active,
    }
    change = Change(seq=0, kind=ChangeKind.OPERATOR, data=account)
    seq = changes_q.append_change(session, op.office_code, change, now)
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
    """A new operator of ``office``, sent to its devices; InvalidValue (a ValueError) for a
    bad name or password (common/accounts.py), an unknown office or a name taken there."""
    username = check_operator_name(username)
    check_password(password)
    if devices_q.get_office(session, office) is None:
        raise InvalidValue(E.OFFICE_UNKNOWN, {"office": office})
    if _get(session, office, username) is not None:
        raise InvalidValue(E.OPERATOR_EXISTS, {"name": username})
    op = OfficeOperator(
        office_code=office,
        username=username,
        full_name=full_name.strip(),
        password_hash=PasswordHasher().hash(password),
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(op)
    session.flush()
    _publish(session, op, now)
    _audit(session, now, by, "operator.add", username, office)
    return op


def _audit(
    session: Session, now: datetime, by: str, action: str, username: str, office: str
) -> None:
    append_audit(
        session,
        now=now,
        actor_kind="staff",
        actor=by,
        action=action,
        target_kind="operator",
        target_id=username,
        office_code=office,
    )


def _existing(session: Session, office: str, username: str) -> OfficeOperator:
    op = _get(session, office, normalise_operator_name(username))
    if op is None:
        raise InvalidValue(E.OPERATOR_UNKNOWN, {"name": username})
    return op


def set_active(
    session: Session, office: str, username: str, active: bool, by: str, now: datetime
) -> None:
    op = _existing(session, office, username)
    op.active = active
    op.updated_at = now
    _publish(session, op, now)
    action = "operator.enable" if active else "operator.disable"
    _audit(session, now, by, action, op.username, office)


def set_password(
    session: Session, office: str, username: str, password: str, by: str, now: datetime
) -> None:
    op = _existing(session, office, username)
    check_password(password)
    op.password_hash = PasswordHasher().hash(password)
    op.updated_at = now
    _publish(session, op, now)
    _audit(session, now, by, "operator.password", op.username, office)
