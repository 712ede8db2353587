"""The review console's reads on a PostgreSQL streaming standby (``console_database``).

The console's read-only pages (dashboard, lists, search, record and batch pages, CSV export)
take their session from :func:`syncserver.context.read_session`, which asks the
:class:`Standby` here for one. Everything else (decisions, sign-in, the session check,
audit entries, the whole sync API) uses the request's session on the primary.

Two things make a standby page the same page the primary would show the reviewer:

- **Their own writes.** After a console POST commits, the app puts the primary's WAL position
  (``pg_current_wal_insert_lsn()``, taken after the commit) in the reviewer's session cookie. The
  next read asks the standby whether it has replayed that far, and waits for it up to
  ``LAG_WAIT`` seconds (polled every 10 ms); a standby still behind then is passed over for
  the primary for that request. Once the standby has caught up the position is dropped.
- **A standby that cannot be reached** (connection refused, a timeout of
  ``CONNECT_TIMEOUT`` s, an error on the first statement) is passed over for the primary and a
  warning is logged; it is tried again ``RETRY_AFTER`` seconds later (not on every request,
  each of which would wait for the connect timeout).

Other reviewers' changes reach the standby with replication lag (milliseconds on a healthy
link): a page may show the state of a moment ago, as a page left open does; a decision made
from it is checked against the primary (a stale page's decision is refused, as always).
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from syncserver.db import describe_db_error, make_engine, session_factory

log = logging.getLogger("syncserver.standby")

#: Seconds a read waits for the standby to replay the reviewer's own last write.
LAG_WAIT = 1.0
#: Seconds to connect to the standby before the primary is used instead.
CONNECT_TIMEOUT = 2
#: Seconds after a failure before the standby is tried again.
RETRY_AFTER = 15.0
_POLL = 0.01


class Standby:
    """The standby's engine, and whether it is fit to serve a read now."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.engine: Engine = make_engine(url, pool_size=pool_size, connect_timeout=CONNECT_TIMEOUT)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.lag_wait = LAG_WAIT
        self.retry_after = RETRY_AFTER

    def session(self, wrote_lsn: str | None) -> Session | None:
        """A session on the standby, or None when the primary must serve this read: the
        standby is down (or was, less than ``retry_after`` s ago) or has not replayed
        ``wrote_lsn`` (the reviewer's own last write) within ``lag_wait`` s."""
        if time.monotonic() < self._down_until:
            return None
        s = self.sessions()
        try:
            if wrote_lsn:
                if not self._replayed(s, wrote_lsn):
                    log.info(
                        "standby has not replayed %s after %.1f s: primary",
                        wrote_lsn,
                        self.lag_wait,
                    )
                    s.close()
                    return None
            else:
                s.connection()  # connect now: an unreachable standby shows here, not mid-page
        except SQLAlchemyError as exc:
            s.close()
            with self._lock:
                self._down_until = time.monotonic() + self.retry_after
            log.warning(
                "console standby unreachable, the primary serves console reads for %.0f s: %s",
                self.retry_after,
                describe_db_error(exc),
            )
            return None
        return s

    def _replayed(self, s: Session, lsn: str) -> bool:
        deadline = time.monotonic() + self.lag_wait
        query = text("SELECT COALESCE(pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn), true)")
        while True:
            if s.execute(query, {"lsn": lsn}).scalar():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL)

    def dispose(self) -> None:
        self.engine.dispose()


def wal_position(s: Session) -> str | None:
    """The primary's WAL insert position (after a commit: at or past that commit's record).
    Not ``pg_current_wal_lsn()``, the position written out so far: with asynchronous commit
    it can be behind the commit, and a standby that replayed that far had not the decision."""
    try:
        value = s.execute(text("SELECT pg_current_wal_insert_lsn()::text")).scalar()
    except SQLAlchemyError as exc:
        log.warning("could not read the primary's WAL position: %s", describe_db_error(exc))
        return None
    return str(value) if value is not None else None
