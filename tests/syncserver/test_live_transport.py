"""The transport against the real ``loket-server run`` process, on the production server
(gunicorn) and on waitress (where gunicorn does not run): slow clients are cut off and do
not take the server offline; chunked bodies over the limit, data after a compressed frame and
bodies that are not JSON are refused; enrollment's worst body costs the worker little memory.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from common import errors as E
from common import protocol as P
from common import wire
from common.record import content_hash, new_registration_id
from common.regcode import make_code
from common.synthetic import generate
from desktop.sync.client import SyncClient
from tests.support.liveserver import LiveServer

SERVERS = ("gunicorn", "waitress")
READ_TIMEOUT = 2  # seconds of silence while a request arrives
DEADLINE = 6  # seconds for a whole request
TRICKLE_FOR = 90.0  # a slow client gives up by itself after this (the test's own bound)
LIMIT = 64 * 1024  # max_body_bytes of these servers


def _server(tmp_path: Path, wsgi: str, database: str | None = None, **env: str) -> LiveServer:
    settings = {
        "LOKET_WSGI_SERVER": wsgi,
        "LOKET_THREADS": "2",
        "LOKET_REQUEST_READ_TIMEOUT": str(READ_TIMEOUT),
        "LOKET_REQUEST_DEADLINE": str(DEADLINE),
        "LOKET_MAX_BODY_BYTES": str(LIMIT),
        **env,
    }
    server = LiveServer(tmp_path / "server", database, workers=2, env=settings)
    if database:
        server.cli("migrate")
    return server


@pytest.fixture(params=SERVERS)
def wsgi(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def live(tmp_path: Path, wsgi: str) -> Iterator[LiveServer]:
    server = _server(tmp_path, wsgi).start()
    yield server
    server.stop()
    print(server.log_path.read_text(errors="replace")[-6000:])


def _device(server: LiveServer) -> tuple[SyncClient, P.EnrollResponse]:
    client = SyncClient(server.url, read_timeout=45.0)
    enrolled = client.enroll(server.office_and_code(), "PC loket 1")
    client.credential = enrolled.credential
    return client, enrolled


def _batch(enrolled: P.EnrollResponse, count: int, start: int = 0) -> P.PushRequest:
    records = []
    for i, sample in enumerate(generate(count, seed=77 + start)):
        records.append(
            P.PushRecord(
                id=new_registration_id(),
                code=make_code(enrolled.office_code, enrolled.device_no, start + i + 1),
                revision=1,
                base_revision=0,
                content_hash=content_hash(sample.applicant),
                applicant=sample.applicant,
                operator="petugas",
                channel="counter",
                device_time="2026-01-05T09:00:00+07:00",
            )
        )
    return P.PushRequest(enrolled.device_id, enrolled.office_code, str(uuid.uuid4()), records)


class SlowClient(threading.Thread):
    """Sends ``head`` (then ``body``) one byte every ``pause`` seconds, until the server
    closes the connection or :data:`TRICKLE_FOR` passes; ``closed_by_server`` tells which."""

    def __init__(self, port: int, head: bytes, body: bytes = b"", pause: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.port, self.data, self.pause = port, head + body, pause
        self.closed_by_server = False
        self.answer = b""
        self.connected = threading.Event()

    def run(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.connected.set()
        give_up = time.monotonic() + TRICKLE_FOR
        try:
            i = getattr(self, "head_at_once", 0)
            sock.sendall(self.data[:i])
            while time.monotonic() < give_up:
                if i < len(self.data):
                    sock.sendall(self.data[i : i + 1])
                    i += 1
                readable, _, _ = select.select([sock], [], [], self.pause)
                if readable:
                    chunk = sock.recv(65536)
                    if not chunk:
                        self.closed_by_server = True
                        return
                    self.answer += chunk
        except OSError:  # reset, broken pipe: the server closed it
            self.closed_by_server = True
        finally:
            sock.close()


def _slow_clients(port: int, credential: str) -> list[SlowClient]:
    push_head = (
        "POST /api/v1/sync/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {credential}\r\nContent-Length: 100000\r\n\r\n"
    ).encode()
    enroll_head = (
        b"POST /api/v1/devices/enroll HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1500\r\n\r\n"
    )
    clients: list[SlowClient] = []
    for _ in range(4):  # headers byte by byte, faster than the read timeout: the deadline
        clients.append(SlowClient(port, push_head))
    for _ in range(3):  # a push's head at once, then its body byte by byte
        clients.append(SlowClient(port, b"", b"[" * 5000))
        clients[-1].data = push_head + clients[-1].data
        clients[-1].head_at_once = len(push_head)
    for _ in range(3):  # the same for enrollment (no credential needed)
        clients.append(SlowClient(port, b"", b" " * 1400))
        clients[-1].data = enroll_head + clients[-1].data
        clients[-1].head_at_once = len(enroll_head)
    return clients


class HalfThenSilent(SlowClient):
    def __init__(self, port: int) -> None:
        super().__init__(port, b"")
        self.start_bytes = b"POST /api/v1/sync/push HTTP/1.1\r\nHost: x\r\n"

    def run(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        sock.sendall(self.start_bytes)
        self.connected.set()
        sock.settimeout(TRICKLE_FOR)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    self.closed_by_server = True
                    return
                self.answer += chunk
        except TimeoutError:
            return
        except OSError:
            self.closed_by_server = True
        finally:
            sock.close()


def test_slow_connections_do_not_take_the_server_offline(live: LiveServer) -> None:
    client, enrolled = _device(live)
    assert enrolled.credential
    slow = _slow_clients(live.port, enrolled.credential)
    slow += [HalfThenSilent(live.port) for _ in range(3)]
    assert len(slow) >= 2 * 2 * 2  # twice the threads of the server (2 workers x 2 threads)
    for c in slow:
        c.start()
    for c in slow:
        assert c.connected.wait(10)
    time.sleep(1.0)  # every slow client has begun its request
    try:
        answer = client.push(_batch(enrolled, 5))
        assert [r.outcome.value for r in answer.results] == ["accepted"] * 5
    finally:
        for c in slow:
            c.join(TRICKLE_FOR + 15)
    assert all(c.closed_by_server for c in slow), [
        (type(c).__name__, c.answer[:80]) for c in slow if not c.closed_by_server
    ]
    # and the server still serves: a second push after all of them
    answer = client.push(_batch(enrolled, 2, start=100))
    assert [r.outcome.value for r in answer.results] == ["accepted"] * 2
    log = live.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "unhandled error" not in log


def _chunked(server: LiveServer, path: str, data: bytes, headers: dict[str, str]) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        pieces = (data[i : i + 8192] for i in range(0, len(data), 8192))
        try:
            conn.request(
                "POST",
                path,
                body=pieces,
                encode_chunked=True,
                headers={
                    "Content-Type": "application/json",
                    "Transfer-Encoding": "chunked",
                    **headers,
                },
            )
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server answered and closed before the whole body was sent
        try:
            r = conn.getresponse()
        except (ConnectionResetError, http.client.RemoteDisconnected):
            return None, b""  # ... and the reset discarded its answer
        return r.status, r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_transport_refusals_through_the_real_server(
    tmp_path: Path, wsgi: str, backend: str, request: pytest.FixtureRequest
) -> None:
    database = str(request.getfixturevalue("pg_database")) if backend == "postgres" else None
    server = _server(tmp_path, wsgi, database).start()
    try:
        client, enrolled = _device(server)
        auth = {"Authorization": f"Bearer {enrolled.credential}"}
        url = server.url + "/api/v1/sync/push"
        body = wire.dumps(_batch(enrolled, 3))
        padded = body + b" " * (LIMIT + 1 - len(body))  # its first LIMIT bytes are the batch
        status, data = _chunked(server, "/api/v1/sync/push", padded, auth)
        assert status == 413 and json.loads(data)["code"] == E.BODY_TOO_LARGE, data[:200]
        status, _ = _chunked(server, "/api/v1/sync/push", padded * 4, auth)
        assert status in (413, None)  # waitress stops reading past the limit and closes
        z = wire.compress(body, "zstd")
        r = requests.post(
            url,
            data=z + b"tail",
            timeout=30,
            headers={**auth, "Content-Type": "application/json", "Content-Encoding": "zstd"},
        )
        assert r.status_code == 400 and r.json()["code"] == E.MALFORMED_BODY
        r = requests.post(
            url,
            data=z,
            timeout=30,
            headers={**auth, "Content-Type": "text/plain", "Content-Encoding": "zstd"},
        )
        assert r.status_code == 415 and r.json()["code"] == E.UNSUPPORTED_MEDIA_TYPE
        enroll = wire.dumps({"code": "X" * 30, "device_name": "x" * 3000})
        status, data = _chunked(server, "/api/v1/devices/enroll", enroll, {})
        assert status == 413 and json.loads(data)["code"] == E.BODY_TOO_LARGE
        # nothing of that landed; the same batch at exactly the limit, chunked, does
        status, data = _chunked(server, "/api/v1/sync/push", padded[:LIMIT], auth)
        assert status == 200, data[:300]
        outcomes = [r["outcome"] for r in json.loads(wire.decompress(data, None))["results"]]
        assert outcomes == ["accepted"] * 3  # first time: the refused ones stored nothing
    finally:
        server.stop()


def _send_whole_then_read(server: LiveServer, path: str, body: bytes, headers: str) -> Any:
    """Sends the request and all of its body, as a client does before it reads an answer,
    then reads the answer: (status, JSON body), or the error that broke the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{headers}"
        try:
            sock.sendall(head.encode() + b"\r\n" + body)
            answer = http.client.HTTPResponse(sock)
            answer.begin()
            return answer.status, json.loads(answer.read())
        except OSError as e:
            return type(e).__name__, None


def test_an_answer_before_the_body_reaches_a_client_still_sending(
    tmp_path: Path, wsgi: str
) -> None:
    """A refusal the server makes before it reads a body (no credential, a declared length
    over the limit) reaches a client that sends its whole body first. The server used to
    close the connection with megabytes unread, and the reset broke the client's sending
    (nginx made it a 502 page); on waitress a bundle above the push limit got waitress's own
    413 page."""
    server = _server(tmp_path, wsgi).start()
    try:
        _, enrolled = _device(server)
        auth = f"Authorization: Bearer {enrolled.credential}\r\n"
        json_body = "Content-Type: application/json\r\nContent-Encoding: identity\r\n"
        octets = "Content-Type: application/octet-stream\r\n"
        body = b"\0" * (12 * 1024 * 1024)  # more than the sockets' buffers hold
        cases = [
            ("/api/v1/sync/push", json_body, 401, E.AUTH_REQUIRED),
            ("/api/v1/sync/push", auth + json_body, 413, E.BODY_TOO_LARGE),
            ("/api/v1/bundles/relay", octets, 401, E.AUTH_REQUIRED),
        ]
        for path, headers, status, code in cases * 2:
            got, answer = _send_whole_then_read(server, path, body, headers)
            assert (got, answer and answer["code"]) == (status, code), (path, headers)
        # and the server still serves on
        assert server.office_and_code()
    finally:
        server.stop()


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_enrollment_worst_body_costs_the_worker_little_memory(tmp_path: Path, wsgi: str) -> None:
    server = _server(tmp_path, wsgi, LOKET_MAX_BODY_BYTES=str(8 * 1024 * 1024))
    server.workers = 1
    server.start()
    try:
        assert server.proc is not None
        pids = _children(server.proc.pid) if wsgi == "gunicorn" else [server.proc.pid]
        assert len(pids) == 1, pids
        worker = pids[0]
        url = server.url + "/api/v1/devices/enroll"
        for _ in range(3):  # warm: a failed and a good enrollment
            requests.post(url, json={"code": "AAAA-BBBB-CCCC-DDDD"}, timeout=30)
        SyncClient(server.url).enroll(server.office_and_code(), "PC")
        idle = _peak_kib(worker)
        # the worst: 8 MiB of tiny JSON objects, each a Python dict once parsed
        bomb = b'{"code": "A", "device_name": [' + b"{}," * (8 * 1024 * 1024 // 3 - 20) + b"{}]}"
        json_type = {"Content-Type": "application/json"}
        statuses = []
        for encoding in ("zstd", "gzip"):
            r = requests.post(
                url,
                data=wire.compress(bomb, encoding),
                timeout=60,
                headers={**json_type, "Content-Encoding": encoding},
            )
            statuses.append(r.status_code)
        statuses.append(requests.post(url, data=bomb, headers=json_type, timeout=60).status_code)
        statuses.append(_chunked(server, "/api/v1/devices/enroll", bomb, {})[0])
        grown_mib = (_peak_kib(worker) - idle) / 1024
        assert grown_mib < 100, f"the worker's peak memory grew by {grown_mib:.0f} MiB"
        assert (
            statuses[0] in (413, 415) and statuses[1] in (413, 415) and statuses[2:] == [413, 413]
        )
    finally:
        server.stop()
