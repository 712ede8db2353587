"""HTTP transport of the sync API through the Flask test client, on both backends: a body
without a length over the limit is 413 (not truncated and processed), data after the first
zstd frame or gzip member is refused, every body must say it is JSON, and enrollment takes a
tiny uncompressed body with bounded fields."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

from common import errors as E
from common import wire
from syncserver.api._io import ENROLL_MAX_BODY_BYTES
from tests.syncserver.conftest import Api


def _code(r: Any) -> str:
    return str(json.loads(r.data)["code"])


def _chunked(api: Api, path: str, data: bytes, headers: dict[str, str]) -> Any:
    """A body without Content-Length, as a server hands a chunked one to the app."""
    return api.client.post(
        path,
        input_stream=io.BytesIO(data),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked", **headers},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_chunked_push_over_the_limit_is_413_and_nothing_lands(api: Api, people: list) -> None:
    dev = api.enroll()
    limit = api.ext.settings.max_body_bytes
    records = [api.record(p, dev) for p in people[:3]]
    body = wire.dumps(api.body(dev, records))
    padded = body + b" " * (limit + 1 - len(body))  # valid JSON; its first `limit` bytes too
    assert len(padded) == limit + 1 and json.loads(padded[:limit])
    r = _chunked(api, "/api/v1/sync/push", padded, {**dev.headers, "Content-Encoding": "identity"})
    assert r.status_code == 413 and _code(r) == E.BODY_TOO_LARGE
    assert api.sql("SELECT count(*) FROM registrations")[0][0] == 0
    # the same batch at exactly the limit is accepted
    r = _chunked(api, "/api/v1/sync/push", padded[:limit], dev.headers)
    assert r.status_code == 200, r.data


def _trailing_cases(body: bytes) -> list[tuple[str, bytes]]:
    z, g = wire.compress(body, "zstd"), gzip.compress(body)
    other = wire.dumps({"x": 1})
    return [
        ("zstd", z + b"garbage"),
        ("zstd", z + wire.compress(other, "zstd")),
        ("zstd", z + b"\0"),
        ("gzip", g + b"garbage"),
        ("gzip", g + gzip.compress(other)),
        ("gzip", g + b"\0"),
    ]


def test_data_after_the_first_zstd_frame_or_gzip_member_is_refused(api: Api, people: list) -> None:
    dev = api.enroll()
    body = wire.dumps(api.body(dev, [api.record(people[0], dev)]))
    for encoding, data in _trailing_cases(body):
        r = api.push_raw(dev, data, encoding)
        assert r.status_code == 400 and _code(r) == E.MALFORMED_BODY, (encoding, data[-8:])
    assert api.sql("SELECT count(*) FROM registrations")[0][0] == 0
    for encoding in ("zstd", "gzip"):  # the clean bodies still go through
        assert api.push_raw(dev, wire.compress(body, encoding), encoding).status_code == 200


def test_a_body_must_say_it_is_json(api: Api, people: list) -> None:
    dev = api.enroll()
    data = wire.compress(wire.dumps(api.body(dev, [api.record(people[0], dev)])), "zstd")
    h = {**dev.headers, "Content-Encoding": "zstd"}
    for ctype in (None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        hh = dict(h) if ctype is None else {**h, "Content-Type": ctype}
        r = api.client.post("/api/v1/sync/push", data=data, headers=hh)
        assert r.status_code == 415 and _code(r) == E.UNSUPPORTED_MEDIA_TYPE, ctype
        r = api.client.post("/api/v1/devices/enroll", data=b'{"code":"x"}', headers=hh)
        assert r.status_code == 415 and _code(r) == E.UNSUPPORTED_MEDIA_TYPE, ctype
    assert api.sql("SELECT count(*) FROM registrations")[0][0] == 0
    r = api.client.post(
        "/api/v1/sync/push",
        data=data,
        headers={**h, "Content-Type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 200, r.data


def test_enrollment_body_is_tiny_uncompressed_and_bounded(api: Api) -> None:
    office = api.office()
    code = api.enroll_code(office)
    url = "/api/v1/devices/enroll"
    small = wire.dumps({"code": code, "device_name": "PC"})
    for encoding in ("zstd", "gzip"):  # enrollment takes no compression at all
        r = api.client.post(
            url,
            data=wire.compress(small, encoding),
            content_type="application/json",
            headers={"Content-Encoding": encoding},
        )
        assert r.status_code == 415 and _code(r) == E.UNSUPPORTED_ENCODING
    big = wire.dumps({"code": code, "device_name": "x" * ENROLL_MAX_BODY_BYTES})
    r = api.client.post(url, data=big, content_type="application/json")
    assert r.status_code == 413 and _code(r) == E.BODY_TOO_LARGE
    r = _chunked(api, url, big, {})
    assert r.status_code == 413 and _code(r) == E.BODY_TOO_LARGE
    for field, size in (("code", 33), ("device_name", 201), ("app_version", 51)):
        body = {"code": code, "device_name": "PC", field: "A" * size}
        r = api.client.post(url, json=body)
        assert r.status_code == 400 and _code(r) == E.SCHEMA_VIOLATION, field
    assert api.sql("SELECT count(*) FROM devices")[0][0] == 0
    r = api.client.post(url, json={"code": code, "device_name": "x" * 200, "app_version": "y" * 50})
    assert r.status_code == 200, r.data
