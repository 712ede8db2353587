"""Issue 12, finding 15 (client): every answer of the sync API is read within bounds and a
redirect is never followed, against real HTTP servers on 127.0.0.1.

A hostile (or hijacked) server answers with a compression bomb, an oversized body, or a
redirect to another local server that records whatever reaches it; the client refuses each
with a catalog code, and the second server receives nothing (no push with personal data, no
enrollment code, no credential).
"""

from __future__ import annotations

import gzip
import threading
import tracemalloc
import uuid
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import zstandard

from common import errors as E
from common import protocol as P
from common.errors import ApiError
from common.record import content_hash, new_registration_id
from common.synthetic import generate
from desktop.sync import client as client_mod
from desktop.sync.client import SyncClient

Answer = Callable[[BaseHTTPRequestHandler], None]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client hanging up on a bomb is the expected end, not a failure


class LocalServer:
    """A real HTTP server on a free loopback port; ``answer`` writes each response, every
    request that arrives is recorded (method, path, headers, body)."""

    def __init__(self, answer: Answer) -> None:
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.received.append((self.command, self.path, dict(self.headers), body))
                answer(self)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[Callable[[Answer], LocalServer]]:
    made: list[LocalServer] = []

    def make(answer: Answer) -> LocalServer:
        made.append(LocalServer(answer))
        return made[-1]

    yield make
    for s in made:
        s.close()


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    else:  # close-delimited: the size is known only at the end
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    try:
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client stopped reading: what it should do


BOMB_BYTES = 256 * 1024 * 1024  # far over the client's 64 MiB limit once inflated


def _bomb(encoding: str) -> bytes:
    """``BOMB_BYTES`` of a JSON-ish body compressed, built piece by piece (never in memory)."""
    piece = b" " * (1 << 20)
    if encoding == "zstd":
        z = zstandard.ZstdCompressor(level=3).compressobj()
        out = [z.compress(b"[")] + [z.compress(piece) for _ in range(BOMB_BYTES >> 20)]
        return b"".join([*out, z.compress(b"]"), z.flush()])
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}[encoding]
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    out = [c.compress(b"[")] + [c.compress(piece) for _ in range(BOMB_BYTES >> 20)]
    return b"".join([*out, c.compress(b"]"), c.flush()])


def _push_request() -> P.PushRequest:
    applicant = generate(1, seed=12)[0].applicant
    record = P.PushRecord(
        id=new_registration_id(),
        code="320101-007-000001-6",
        revision=1,
        base_revision=0,
        content_hash=content_hash(applicant),
        applicant=applicant,
        operator="petugas",
        channel="counter",
        device_time="2026-01-05T09:00:00+07:00",
    )
    return P.PushRequest("dev-1", "320101", str(uuid.uuid4()), [record])


CALLS: dict[str, Callable[[SyncClient], Any]] = {
    "push": lambda c: c.push(_push_request()),
    "pull": lambda c: c.pull("0"),
    "enroll": lambda c: c.enroll("ABCD-EFGH-IJKL"),
    "relay": lambda c: c.relay_bundle(b"LOKETBDL a field laptop's bundle"),
}


@pytest.mark.parametrize("encoding", ["gzip", "zstd", "deflate"])
def test_a_compression_bomb_is_refused_within_bounds(servers, encoding: str) -> None:
    bomb = _bomb(encoding)
    assert len(bomb) < 2 * 1024 * 1024  # small on the wire
    server = servers(lambda h: send(h, 200, bomb, {"Content-Encoding": encoding}))
    client = SyncClient(server.url, "dev-1.secret")
    tracemalloc.start()
    try:
        with pytest.raises(ApiError) as info:
            client.pull("0")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        client.close()
    assert info.value.code == E.RESPONSE_TOO_LARGE
    # what the client held at most: about the 64 MiB limit, never the bomb's 256 MiB
    assert peak < client_mod.MAX_RESPONSE_BYTES + 32 * 1024 * 1024, peak


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "close-delimited"])
def test_an_oversized_body_is_refused(servers, with_length: bool) -> None:
    body = b"[" + b" " * (client_mod.MAX_WIRE_BYTES + 1024) + b"]"
    server = servers(lambda h: send(h, 200, body, length=with_length))
    client = SyncClient(server.url, "dev-1.secret")
    with pytest.raises(ApiError) as info:
        client.pull("0")
    client.close()
    assert info.value.code == E.RESPONSE_TOO_LARGE


def test_a_gzip_answer_with_data_after_it_is_unreadable(servers) -> None:
    good = gzip.compress(b'{"changes": []}')
    server = servers(lambda h: send(h, 200, good + good, {"Content-Encoding": "gzip"}))
    client = SyncClient(server.url, "dev-1.secret")
    with pytest.raises(ApiError) as info:
        client.pull("0")
    client.close()
    assert info.value.code == E.SERVER_UNREACHABLE


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_redirect_is_never_followed(servers, status: int, call: str) -> None:
    elsewhere = servers(lambda h: send(h, 200, b"{}"))
    redirecting = servers(lambda h: send(h, status, b"", {"Location": elsewhere.url + h.path}))
    client = SyncClient(redirecting.url, "dev-1.secret")
    with pytest.raises(ApiError) as info:
        CALLS[call](client)
    assert info.value.code == E.SERVER_REDIRECT
    assert info.value.details["status"] == status
    assert not client.health()  # the readiness check does not follow one either
    client.close()
    assert len(redirecting.received) == 2
    assert elsewhere.received == []  # no push, no enrollment code, no credential went there


def test_bounded_answers_still_decode(servers) -> None:
    """The bounds cost nothing to a normal answer in each coding the client accepts."""
    from common import wire

    raw = wire.dumps(P.PullResponse(changes=[], cursor="5", more=False))
    for encoding, data in (
        ("gzip", gzip.compress(raw)),
        ("zstd", wire.compress(raw, "zstd")),
        ("deflate", zlib.compress(raw)),
        ("identity", raw),
    ):
        server = servers(lambda h, e=encoding, d=data: send(h, 200, d, {"Content-Encoding": e}))
        client = SyncClient(server.url, "dev-1.secret")
        assert client.pull("0").cursor == "5", encoding
        client.close()


def test_a_redirect_carrying_a_bomb_is_not_read(servers) -> None:
    """requests reads a redirect's whole body (inflated) to free the connection, even when it
    does not follow it: the client must not let it."""
    bomb = _bomb("gzip")
    elsewhere = servers(lambda h: send(h, 200, b"{}"))
    redirecting = servers(
        lambda h: send(h, 307, bomb, {"Location": elsewhere.url, "Content-Encoding": "gzip"})
    )
    client = SyncClient(redirecting.url, "dev-1.secret")
    tracemalloc.start()
    try:
        with pytest.raises(ApiError) as info:
            client.push(_push_request())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        client.close()
    assert info.value.code == E.SERVER_REDIRECT
    assert peak < 32 * 1024 * 1024, peak
    assert elsewhere.received == []


def test_a_relay_answer_is_read_within_the_bundle_bound(servers) -> None:
    """The relay's answer is a bundle file, not JSON: read as bytes, at most a bundle's
    64 MiB (declared or inflated), with the server's summary header parsed when present."""
    summary = '{"bundle_id": "b-1", "device_id": "d-1", "records": 3, "counts": {"accepted": 3}}'
    server = servers(
        lambda h: send(
            h,
            200,
            b"LOKETBDL ack bytes",
            {"Content-Type": "application/octet-stream", "X-Loket-Import": summary},
        )
    )
    client = SyncClient(server.url, "dev-1.secret")
    assert client.relay_bundle(b"LOKETBDL bundle") == b"LOKETBDL ack bytes"
    assert client.last_import is not None and client.last_import["records"] == 3
    [(method, path, headers, body)] = server.received
    assert (method, path, body) == ("POST", "/api/v1/bundles/relay", b"LOKETBDL bundle")
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Authorization"] == "Bearer dev-1.secret"
    client.close()

    def declared(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(client_mod.MAX_BUNDLE_ANSWER_BYTES + 1))
        h.end_headers()
        h.close_connection = True

    bomb = servers(lambda h: send(h, 200, _bomb("gzip"), {"Content-Encoding": "gzip"}))
    for server in (servers(declared), bomb):
        client = SyncClient(server.url, "dev-1.secret")
        with pytest.raises(ApiError) as info:
            client.relay_bundle(b"LOKETBDL bundle")
        client.close()
        assert info.value.code == E.RESPONSE_TOO_LARGE

    refusing = servers(
        lambda h: send(h, 409, b'{"code": "BUNDLE_REPLAYED", "message": "x", "details": {}}')
    )
    client = SyncClient(refusing.url, "dev-1.secret")
    with pytest.raises(ApiError) as info:
        client.relay_bundle(b"LOKETBDL bundle")
    client.close()
    assert info.value.code == E.BUNDLE_REPLAYED
