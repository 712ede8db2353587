"""Bodies on the wire: compact JSON, compressed with zstd (preferred) or gzip.

JSON goes through orjson (4-6 times faster than the standard library on a batch, and strict:
invalid UTF-8, unpaired surrogates, NaN and nesting deeper than 1024 are refused). The
protocol's messages (:mod:`common.protocol` dataclasses) are serialised directly, in C: a
500-record batch several times faster than walking it in Python first (docs/benchmarks.md,
``bench/wire_encoding``), byte for byte the same (tests/common/test_wire_bytes.py).
Decompression is bounded, so a compression bomb is refused instead of filling memory.
"""

from __future__ import annotations

import dataclasses
import gzip
import zlib
from typing import Any

import orjson
import zstandard

from common import errors as E
from common.errors import ApiError
from common.protocol import MAX_BODY_BYTES, PushRequest

ENCODINGS = ("zstd", "gzip", "identity")
_ZSTD_LEVEL = 6


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (keys in insertion order, non-ASCII characters as they are). A
    dataclass is an object of its fields in their order, an enum its value, a datetime ISO
    8601; keys that are not text become text."""
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def dumps_leaving_out(message: Any, *names: str) -> bytes:
    """:func:`dumps` of a message with the fields ``names`` left out while they are None or
    empty: a peer from before those fields refuses a field it does not know, so an optional
    addition goes on the wire only when it carries something."""
    if all(getattr(message, name) not in (None, []) for name in names):
        return dumps(message)
    return dumps(
        {
            f.name: getattr(message, f.name)
            for f in dataclasses.fields(message)
            if f.name not in names or getattr(message, f.name) not in (None, [])
        }
    )


def push_body(request: PushRequest) -> bytes:
    """A push request's body. Without a backlog the field is left out rather than sent as
    null: a server before issue 14 refuses a field it does not know."""
    return dumps_leaving_out(request, "backlog")


def loads(body: bytes) -> Any:
    """Parse a JSON body; anything that is not well-formed UTF-8 JSON (including an unpaired
    UTF-16 surrogate escape, which could not be stored, hashed or echoed back) is
    ``MALFORMED_JSON``."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(E.MALFORMED_JSON) from None


#: The zstd level for a slow link: a batch by columns of 500 records is 78 bytes per record
#: against 95 at the default level, for some tens of ms more CPU (bench/push_formats.py).
ZSTD_LEVEL_SLOW_LINK = 15


def compress(body: bytes, encoding: str = "zstd", level: int | None = None) -> bytes:
    if encoding == "zstd":
        return zstandard.ZstdCompressor(level=level or _ZSTD_LEVEL).compress(body)
    if encoding == "gzip":
        return gzip.compress(body, compresslevel=6, mtime=0)
    if encoding == "identity":
        return body
    raise ValueError(encoding)


def decompress(body: bytes, encoding: str | None, limit: int = MAX_BODY_BYTES) -> bytes:
    """Undo ``Content-Encoding``; refuse unknown or corrupt encodings and outputs over ``limit``."""
    enc = (encoding or "identity").strip().lower()
    if enc == "identity":
        if len(body) > limit:
            raise ApiError(E.BODY_TOO_LARGE, {"max": limit})
        return body
    try:
        if enc == "zstd":
            out = _unzstd(body, limit)
        elif enc == "gzip":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = d.decompress(body, limit + 1)
            if len(out) <= limit and not d.eof:
                raise ApiError(E.UNSUPPORTED_ENCODING)
            if d.eof and d.unused_data:  # a second member, or anything else, after the first
                raise ApiError(E.MALFORMED_BODY)
        else:
            raise ApiError(E.UNSUPPORTED_ENCODING)
    except (zstandard.ZstdError, zlib.error, EOFError, OSError):
        raise ApiError(E.UNSUPPORTED_ENCODING) from None
    if len(out) > limit:
        raise ApiError(E.BODY_TOO_LARGE, {"max": limit})
    return out


def _unzstd(body: bytes, limit: int) -> bytes:
    """The first zstd frame of ``body``, at most ``limit`` + 1 bytes of it (more means too
    large); MALFORMED_BODY if anything follows that frame. The stream reader bounds the
    output but does not tell where its frame ended; the decompression object tells (its
    ``unused_data``) but has no output bound, so it runs only once the frame is known to be
    small: a second pass over at most ``limit`` bytes, which costs milliseconds."""
    out = zstandard.ZstdDecompressor().stream_reader(body).read(limit + 1)
    if len(out) > limit:
        return out
    obj = zstandard.ZstdDecompressor().decompressobj()
    obj.decompress(body)
    if not obj.eof:
        raise ApiError(E.UNSUPPORTED_ENCODING)  # the frame is cut short
    if obj.unused_data:
        raise ApiError(E.MALFORMED_BODY)
    return out
