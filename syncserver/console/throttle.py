"""Sign-in throttling that no one can turn into a lock-out.

Three counters (table ``login_throttle``), each claimed by one conditional UPDATE in its own
short transaction *before* the password is checked, so a refused attempt costs no argon2
hash and concurrent attempts (threads, processes, machines) cannot pass a limit:

- per (address, username): ``login_free_failures`` attempts, then each further one waits
  2, 4, 8 ... seconds up to ``login_max_delay_seconds``. Only that address waits: the real
  user elsewhere signs in as usual, and even from the same address after the delay;
- per address, across usernames: ``login_address_max`` attempts per ``login_window_minutes``
  (fresh usernames cost the attacker the same as one);
- server-wide: ``login_global_per_minute`` attempts per minute; beyond it everyone waits for
  the next minute (a flood from many addresses slows sign-in down, it locks nobody out).

A successful sign-in clears its (address, username) counter and gives its attempt back to
the address and server counters. A refused attempt writes no audit row; the first refusal of
a counter's episode does (``login.throttled``), the rest are counted in the row (``refused``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from syncserver import db
from syncserver.config import Settings
from syncserver.queries import users as q
from syncserver.queries.reviews import append_audit

GLOBAL_KEY = "g"
THROTTLED = "login.throttled"


def account_key(address: str, username: str) -> str:
    return f"u:{address[:64]}:{username[:64]}"


def address_key(address: str) -> str:
    return f"a:{address[:64]}"


@dataclass(frozen=True, slots=True)
class Refusal:
    scope: str  # account | address | global
    wait_seconds: int


def claim(
    sessions: sessionmaker[Session], settings: Settings, address: str, username: str, now: datetime
) -> Refusal | None:
    """Claim one sign-in attempt (committed at once), or say why and how long to wait."""
    t = int(now.timestamp())
    window = settings.login_window_minutes * 60
    # each check claims an attempt: a number or True when it passed, None or False when not
    checks: tuple[tuple[str, str, int, Callable[[Session, str], int | bool | None]], ...] = (
        (
            "global",
            GLOBAL_KEY,
            60,
            lambda s, k: q.claim_counted(s, k, t, settings.login_global_per_minute, 60),
        ),
        (
            "address",
            address_key(address),
            window,
            lambda s, k: q.claim_counted(s, k, t, settings.login_address_max, window),
        ),
        (
            "account",
            account_key(address, username),
            0,
            lambda s, k: q.claim_delayed(
                s, k, t, settings.login_free_failures, settings.login_max_delay_seconds, window
            ),
        ),
    )
    refused: tuple[str, str, int] | None = None
    with db.transaction(sessions) as s:
        for scope, key, win, take in checks:  # always this order: no lock-order deadlock
            if not take(s, key):
                refused = (scope, key, win)
                break
        if refused is not None:
            s.rollback()  # a refused attempt counts against nothing
    if refused is None:
        return None
    scope, key, win = refused
    with db.transaction(sessions) as s:
        wait = q.wait_seconds(s, key, t, win)
        if q.note_refused(s, key) == 1:
            append_audit(
                s,
                now=now,
                actor_kind="staff",
                actor=username[:100] or "-",
                action=THROTTLED,
                target_kind="address",
                target_id=address[:64],
                details={"scope": scope, "wait_seconds": wait},
            )
    return Refusal(scope, wait)


def succeeded(s: Session, settings: Settings, address: str, username: str, now: datetime) -> None:
    """In the sign-in's transaction: the account counter goes, the attempt is given back,
    and stale counters are purged."""
    q.forget(s, account_key(address, username))
    q.release(s, [GLOBAL_KEY, address_key(address)])
    q.purge_throttle(s, int(now.timestamp()) - settings.login_window_minutes * 60)
