"""Bodies on the wire: compact JSON, compressed with zstd (preferred) or gzip.

Decompression is bounded, so a compression bomb is refused instead of filling memory.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from typing import Any

import zstandard

from common import errors as E
from common.errors import ApiError
from common.protocol import MAX_BODY_BYTES

ENCODINGS = ("zstd", "gzip", "identity")
_ZSTD_LEVEL = 6


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


#: A JSON escape of a UTF-16 surrogate (``\ud800``-``\udfff``): legal JSON, but unpaired it makes
#: a str that cannot be encoded as UTF-8 (stored, hashed or echoed back, it fails).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def loads(body: bytes) -> Any:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ApiError(E.MALFORMED_JSON) from None
    if _SURROGATE_ESCAPE.search(body) is not None:  # rare: check the text is all real characters
        try:
            dumps(data)
        except UnicodeEncodeError:
            raise ApiError(E.MALFORMED_JSON) from None
    return data


def compress(body: bytes, encoding: str = "zstd") -> bytes:
    if encoding == "zstd":
        return zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compress(body)
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
            reader = zstandard.ZstdDecompressor().stream_reader(body)
            out = reader.read(limit + 1)
        elif enc == "gzip":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = d.decompress(body, limit + 1)
            if len(out) <= limit and not d.eof:
                raise ApiError(E.UNSUPPORTED_ENCODING)
        else:
            raise ApiError(E.UNSUPPORTED_ENCODING)
    except (zstandard.ZstdError, zlib.error, EOFError, OSError):
        raise ApiError(E.UNSUPPORTED_ENCODING) from None
    if len(out) > limit:
        raise ApiError(E.BODY_TOO_LARGE, {"max": limit})
    return out
