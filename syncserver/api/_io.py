"""Request and response bodies: size limits, Content-Encoding, device authentication."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, request
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from common import errors as E
from common import wire
from common.errors import ApiError
from common.protocol import decode, json_value_bound
from syncserver import app as app_mod
from syncserver.enrollment import AuthenticatedDevice, authenticate

T = TypeVar("T")
_COMPRESS_OVER = 1024


def read_body() -> tuple[bytes, bytes]:
    """(body as received, decompressed body); refuses bodies over the configured limit."""
    limit = int(app_mod.loket().settings["max_body_bytes"])
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(E.BODY_TOO_LARGE, {"max": limit})
    body = request.get_data(cache=False)  # MAX_CONTENT_LENGTH bounds a body without a length
    raw = wire.decompress(body, request.headers.get("Content-Encoding"), limit)
    return body, raw


def read_message(
    cls: type[T], decoder: Callable[[Any], T] | None = None, *, max_values: int | None = None
) -> tuple[T, int, int]:
    """The request body decoded strictly into ``cls`` (by ``decoder`` if given: a faster
    equivalent of ``decode(cls, ...)``); plus (wire bytes, raw bytes). ``max_values`` bounds
    the Python objects parsing may build, checked on the bytes before parsing."""
    body, raw = read_body()
    if max_values is not None and json_value_bound(raw) > max_values:
        raise ApiError(E.JSON_TOO_COMPLEX, {"max": max_values})
    data = wire.loads(raw)
    return (decoder(data) if decoder else decode(cls, data)), len(body), len(raw)


def refuse_unknown_args(*allowed: str) -> None:
    for key in request.args:
        if key not in allowed:
            raise ApiError(E.UNKNOWN_FIELD, {"field": key}, {"field": key})


def device() -> AuthenticatedDevice:
    """Authenticate the device in a short transaction of its own, so a push's CPU work
    (decompression, validation) runs outside the ingest transaction (on SQLite: outside
    the write lock)."""
    with _auth_sessions()() as s, s.begin():
        return authenticate(s, request.headers.get("Authorization"))


_AUTH_LOCK = threading.Lock()


def _auth_sessions() -> sessionmaker[Session]:
    """Sessions for the read-only device lookup. PostgreSQL: the app's own. SQLite: a
    read-only engine without the app engine's ``BEGIN IMMEDIATE`` and writer lock, so a
    request authenticates (and then decodes and validates its batch) while another batch
    holds the write lock, instead of queueing behind it. The lookup is one SELECT in
    autocommit mode: in WAL mode it reads the last committed state without any lock, exactly
    what the locked transaction read (it wrote nothing). ``query_only`` makes it unable to
    write; NullPool because connecting to SQLite costs microseconds."""
    ext = app_mod.loket()
    database = ext.engine.url.database
    if (
        ext.engine.dialect.name != "sqlite"
        or database in (None, "", ":memory:")
        or ("mode=memory" in str(ext.engine.url))
    ):
        return ext.sessions
    made = current_app.extensions.get("loket_auth_sessions")
    if made is None:
        with _AUTH_LOCK:
            made = current_app.extensions.get("loket_auth_sessions")
            if made is None:
                timeout = int(ext.settings["sqlite_busy_timeout_ms"])
                engine = create_engine(
                    ext.engine.url,
                    poolclass=NullPool,
                    hide_parameters=True,  # parameters are personal data: never in a log
                    connect_args={"timeout": timeout / 1000, "check_same_thread": False},
                )

                @event.listens_for(engine, "connect")
                def _on_connect(dbapi_conn: Any, _record: Any) -> None:
                    dbapi_conn.isolation_level = None  # autocommit: no BEGIN at all
                    cur = dbapi_conn.cursor()
                    cur.execute("PRAGMA query_only=ON")
                    cur.execute(f"PRAGMA busy_timeout={timeout}")
                    cur.close()

                made = sessionmaker(engine, expire_on_commit=False)
                current_app.extensions["loket_auth_sessions"] = made
    return made  # type: ignore[no-any-return]


def message_response(data: Any = None, status: int = 200, *, body: bytes | None = None) -> Response:
    """JSON body (``data`` serialised, or ``body`` already serialised), compressed with zstd
    or gzip when the client accepts it and it is large."""
    if body is None:
        body = wire.dumps(data)
    headers = {"Vary": "Accept-Encoding"}
    if len(body) > _COMPRESS_OVER:
        accepted = request.accept_encodings
        for enc in ("zstd", "gzip"):
            if accepted[enc]:
                body = wire.compress(body, enc)
                headers["Content-Encoding"] = enc
                break
    return Response(body, status=status, mimetype="application/json", headers=headers)
