"""What the blueprints need from the running app, without importing the app factory.

The app (:mod:`syncserver.app`) registers the API and console blueprints; they reach its
state through here: :func:`loket` (settings, database, clock, metrics), :func:`session` (the
request's transaction), :func:`lang`, and the JSON responses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from common.errors import ApiError
from common.i18n import Lang
from common.timezones import WIB
from syncserver import metrics as metrics_mod
from syncserver.config import Settings
from syncserver.metrics import Metrics

if TYPE_CHECKING:
    from syncserver.standby import Standby

log = logging.getLogger("syncserver")

#: The server's calendar (validation's "today": age limits): Western Indonesia Time.
SERVER_TZ = WIB.tzinfo


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Loket:
    """What the app holds besides Flask's config: the database and the clock (a seam for tests)."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = utcnow
    metrics: Metrics = field(default_factory=metrics_mod.for_app)
    #: The console's read-only standby (``console_database``), None when not configured.
    standby: Standby | None = None


def loket() -> Loket:
    ext: Loket = current_app.extensions["loket"]
    return ext


def session() -> Session:
    """The request's session: one transaction, committed when the response is a success,
    rolled back otherwise (the app's ``_end_transaction``)."""
    if "db_session" not in g:
        g.db_session = loket().sessions()
    s: Session = g.db_session
    return s


#: The key in the console's session cookie holding the primary's WAL position after the
#: reviewer's last write (syncserver/standby.py: the standby must replay it before serving).
WROTE_LSN = "wrote_lsn"


def read_session() -> Session:
    """The session for a console page's READ-ONLY queries: on the standby
    (``console_database``) when one is configured, reachable and has replayed the reviewer's
    own last write; otherwise the request's session on the primary (:func:`session`).
    Nothing written through it is kept (it is rolled back when the request ends)."""
    if "db_read_session" in g:
        s: Session = g.db_read_session
        return s
    ext = loket()
    chosen: Session | None = None
    if ext.standby is not None:
        from flask import session as cookie

        wrote = cookie.get(WROTE_LSN)
        chosen = ext.standby.session(wrote if isinstance(wrote, str) else None)
        if chosen is not None and wrote:
            cookie.pop(WROTE_LSN, None)  # replayed: later reads need not wait for it
        g.db_read_on_standby = chosen is not None
    picked = chosen if chosen is not None else session()
    g.db_read_session = picked
    return picked


def lang() -> Lang:
    best = request.accept_languages.best_match(["id", "en"], default="id") if request else "id"
    return Lang.EN if best == "en" else Lang.ID


def error_response(exc: ApiError) -> Response:
    body = exc.to_body(lang())
    return json_response(body, exc.http_status)


def json_response(data: Any, status: int = 200) -> Response:
    from common.wire import dumps

    return Response(dumps(data), status=status, mimetype="application/json")
