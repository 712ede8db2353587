"""SQL for staff accounts (the review console signs in against this table), their console
sessions and the sign-in throttle."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, case, delete, or_, select, update
from sqlalchemy.orm import Session

from syncserver.models import ConsoleSession, LoginThrottle, StaffUser
from syncserver.queries._dialect import insert_ignore


def get_user(session: Session, username: str) -> StaffUser | None:
    return session.execute(
        select(StaffUser).where(StaffUser.username == username)
    ).scalar_one_or_none()


def add_user(session: Session, user: StaffUser) -> None:
    session.add(user)
    session.flush()


def set_password_hash(session: Session, user_id: int, password_hash: str) -> None:
    session.execute(
        update(StaffUser).where(StaffUser.id == user_id).values(password_hash=password_hash)
    )


# --- console sessions (0005) ----------------------------------------------------------------
def add_session(session: Session, id_hash: str, user_id: int, now: datetime) -> None:
    session.add(ConsoleSession(id_hash=id_hash, user_id=user_id, created_at=now, last_seen_at=now))
    session.flush()


def get_session(session: Session, id_hash: str) -> ConsoleSession | None:
    return session.get(ConsoleSession, id_hash)


def touch_session(session: Session, id_hash: str, now: datetime) -> None:
    session.execute(
        update(ConsoleSession).where(ConsoleSession.id_hash == id_hash).values(last_seen_at=now)
    )


def end_session(session: Session, id_hash: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == id_hash))


def end_user_sessions(session: Session, user_id: int, keep: str | None = None) -> int:
    """Delete every session of ``user_id`` (but ``keep``, the id hash of the caller's own)."""
    stmt = delete(ConsoleSession).where(ConsoleSession.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(ConsoleSession.id_hash != keep)
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def purge_sessions(session: Session, created_before: datetime, seen_before: datetime) -> None:
    """Rows of sessions that ended by a lifetime and were never used again."""
    session.execute(
        delete(ConsoleSession).where(
            or_(
                ConsoleSession.created_at <= created_before,
                ConsoleSession.last_seen_at <= seen_before,
            )
        )
    )


# --- sign-in throttling (0005) --------------------------------------------------------------
_T = cast(Table, LoginThrottle.__table__)


def _ensure_row(session: Session, key: str, now: int) -> None:
    insert_ignore(
        session,
        _T,
        [{"key": key, "failures": 0, "started_at": now, "next_at": 0, "refused": 0}],
        ["key"],
    )


def claim_delayed(session: Session, key: str, now: int, free: int, cap: int, quiet: int) -> bool:
    """Claim one attempt for ``key`` unless it must still wait; the wait after the n-th
    attempt (n >= ``free``) is min(2**(n - free + 1), ``cap``) seconds. A key quiet for
    ``quiet`` seconds starts again. One conditional UPDATE: concurrent claims (other
    threads, processes, machines) are serialised by the row lock, and each sees the last
    one's wait, so no more attempts pass than the rule allows."""
    _ensure_row(session, key, now)
    reset = _T.c.started_at <= now - quiet
    steps, delay, whens = free - 1, 2, []
    while delay < cap:
        steps += 1
        whens.append((_T.c.failures == steps - 1, now + delay))
        delay *= 2
    new_next = case(
        (reset, 0 if free > 1 else now + min(2, cap)),
        (_T.c.failures < free - 1, 0),
        *whens,
        else_=now + cap,
    )
    stmt = (
        update(_T)
        .where(_T.c.key == key, or_(reset, _T.c.next_at <= now))
        .values(
            failures=case((reset, 1), else_=_T.c.failures + 1),
            refused=case((reset, 0), else_=_T.c.refused),
            started_at=now,
            next_at=new_next,
        )
        .returning(_T.c.failures)
    )
    return session.execute(stmt).first() is not None


def claim_counted(session: Session, key: str, now: int, limit: int, window: int) -> int | None:
    """Claim one of ``limit`` attempts per fixed ``window`` seconds for ``key`` (atomically,
    as :func:`claim_delayed`): the attempt's number in its window, or None when refused."""
    _ensure_row(session, key, now)
    reset = _T.c.started_at <= now - window
    stmt = (
        update(_T)
        .where(_T.c.key == key, or_(reset, _T.c.failures < limit))
        .values(
            failures=case((reset, 1), else_=_T.c.failures + 1),
            refused=case((reset, 0), else_=_T.c.refused),
            started_at=case((reset, now), else_=_T.c.started_at),
        )
        .returning(_T.c.failures)
    )
    row = session.execute(stmt).first()
    return int(row[0]) if row is not None else None


def wait_seconds(session: Session, key: str, now: int, window: int) -> int:
    """How long ``key`` is still refused: until its delay or its window ends."""
    row = session.execute(select(_T.c.next_at, _T.c.started_at).where(_T.c.key == key)).first()
    if row is None:
        return 1
    return max(1, int(row.next_at) - now, int(row.started_at) + window - now if window else 0)


def note_refused(session: Session, key: str) -> int:
    """Count a refused attempt on ``key``; returns the count since the key's window began
    (1: the first, which alone is written to the audit log)."""
    row = session.execute(
        update(_T).where(_T.c.key == key).values(refused=_T.c.refused + 1).returning(_T.c.refused)
    ).first()
    return int(row[0]) if row else 0


def release(session: Session, keys: list[str]) -> None:
    """A success (a sign-in, an enrollment): its attempt no longer counts against its keys."""
    session.execute(
        update(_T).where(_T.c.key.in_(keys), _T.c.failures > 0).values(failures=_T.c.failures - 1)
    )


def forget(session: Session, key: str) -> None:
    session.execute(delete(_T).where(_T.c.key == key))


def purge_throttle(session: Session, before: int) -> None:
    """Counters untouched since ``before``: their windows have passed, so a missing row
    means the same as theirs (the table stays as small as recent traffic)."""
    session.execute(delete(_T).where(_T.c.started_at <= before))
