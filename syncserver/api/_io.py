"""Request and response bodies: size limits, Content-Encoding, device authentication."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Response, request

from common import errors as E
from common import wire
from common.errors import ApiError
from common.protocol import decode
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


def read_message(cls: type[T]) -> tuple[T, int, int]:
    """The request body decoded strictly into ``cls``; plus (wire bytes, raw bytes)."""
    body, raw = read_body()
    return decode(cls, wire.loads(raw)), len(body), len(raw)


def refuse_unknown_args(*allowed: str) -> None:
    for key in request.args:
        if key not in allowed:
            raise ApiError(E.UNKNOWN_FIELD, {"field": key}, {"field": key})


def device() -> AuthenticatedDevice:
    """Authenticate the device in a short transaction of its own, so a push's CPU work
    (decompression, validation) runs outside the ingest transaction (on SQLite: outside
    the write lock)."""
    with app_mod.loket().sessions() as s, s.begin():
        return authenticate(s, request.headers.get("Authorization"))


def message_response(data: Any, status: int = 200) -> Response:
    """JSON body, compressed with zstd or gzip when the client accepts it and it is large."""
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
