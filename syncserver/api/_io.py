"""Request and response bodies: size limits, Content-Encoding, device authentication."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app, request
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from werkzeug.exceptions import ClientDisconnected

from common import errors as E
from common import wire
from common.errors import ApiError
from common.protocol import decode, json_value_bound
from syncserver import context as app_mod
from syncserver.enrollment import AuthenticatedDevice, authenticate

T = TypeVar("T")
_COMPRESS_OVER = 1024


JSON_TYPE = "application/json"
#: Enrollment is unauthenticated: its body is a code and two short names (well under 1 KiB),
#: so it gets a limit of its own, checked before anything is parsed, and no compression.
ENROLL_MAX_BODY_BYTES = 2048


def read_body(limit: int | None = None, *, compressed: bool = True) -> tuple[bytes, bytes]:
    """(body as received, decompressed body). Refuses a body that is not JSON by its
    ``Content-Type`` (415), one over ``limit`` (default: the configured limit) before it is
    decompressed or parsed, whether it came with a ``Content-Length`` or chunked (413), and
    with ``compressed=False`` any ``Content-Encoding`` but identity (415)."""
    if request.mimetype != JSON_TYPE:
        raise ApiError(E.UNSUPPORTED_MEDIA_TYPE, {"type": JSON_TYPE})
    if limit is None:
        limit = app_mod.loket().settings.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(E.BODY_TOO_LARGE, {"max": limit})
    body = read_at_most(limit)
    encoding = request.headers.get("Content-Encoding")
    if not compressed and (encoding or "identity").strip().lower() != "identity":
        raise ApiError(E.UNSUPPORTED_ENCODING)
    raw = wire.decompress(body, encoding, limit)
    return body, raw


def read_at_most(limit: int, too_large: str = E.BODY_TOO_LARGE) -> bytes:
    """The body, or ``too_large`` (BODY_TOO_LARGE) if it has more than ``limit`` bytes (one
    with a ``Content-Length`` over it is refused before a byte is read); REQUEST_INCOMPLETE
    when the client stops sending."""
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(too_large, {"max": limit})
    try:
        return _read_at_most(limit, too_large)
    except (ClientDisconnected, OSError):
        # the server cut a client that fell silent or missed the request deadline
        raise ApiError(E.REQUEST_INCOMPLETE) from None


def _read_at_most(limit: int, too_large: str) -> bytes:
    """The body, or ``too_large`` if it has more than ``limit`` bytes. Werkzeug's own
    ``get_data`` stops at ``MAX_CONTENT_LENGTH`` without an error when a chunked body (no
    ``Content-Length``) is longer: the first ``limit`` bytes would be processed as if they
    were the whole body. So a body without a length is read from the server's de-chunked
    input up to one byte past the limit, and that byte means 413."""
    if request.content_length is not None:
        return request.get_data(cache=False)
    if not request.environ.get("wsgi.input_terminated"):
        return b""  # a server that cannot end a body without a length: werkzeug reads none
    stream = request.environ["wsgi.input"]
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(limit + 1 - size, 1 << 16))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise ApiError(too_large, {"max": limit})
    return b"".join(parts)


def read_message(
    cls: type[T],
    decoder: Callable[[Any], T] | None = None,
    *,
    limit: int | None = None,
    compressed: bool = True,
    max_values: int | None = None,
) -> tuple[T, int, int]:
    """The request body decoded strictly into ``cls`` (by ``decoder`` if given: a faster
    equivalent of ``decode(cls, ...)``); plus (wire bytes, raw bytes). ``limit`` and
    ``compressed`` as in :func:`read_body`; ``max_values`` bounds the Python objects parsing
    may build, checked on the bytes before parsing."""
    body, raw = read_body(limit, compressed=compressed)
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
    made: sessionmaker[Session] | None = current_app.extensions.get("loket_auth_sessions")
    if made is None:
        with _AUTH_LOCK:
            made = current_app.extensions.get("loket_auth_sessions")
            if made is None:
                timeout = ext.settings.sqlite_busy_timeout_ms
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
    return made


def message_response(data: Any = None, status: int = 200, *, body: bytes | None = None) -> Response:
    """JSON body (``data``, a protocol message or JSON-ready data, serialised; or ``body``
    already serialised), compressed with zstd
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
