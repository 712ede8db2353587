"""A fault-injecting HTTP proxy on 127.0.0.1, between the real sync client and the real server.

``FaultProxy(upstream_port, seed=7, fault_rate=0.5).start()`` listens on a free loopback port;
point a device at ``proxy.url``. For every API request it draws a :class:`Fault` from its own
``random.Random(seed)`` (one draw per request, in the order the requests arrive, so one device
talking through its own proxy gets the same faults on every run), or takes the next one from
:meth:`FaultProxy.script` when a test wants a particular fault now. ``counts`` tallies what was
injected; ``replay_mismatches`` counts replayed pushes whose two answers differed (must be 0).

The proxy speaks just enough HTTP/1.1 for ``requests`` and gunicorn: one request per client
connection (answers carry ``Connection: close``), bodies by ``Content-Length``, the server's
answer read to EOF. Nothing here imports the project.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from enum import StrEnum

from tests.support.netutil import free_port


class Fault(StrEnum):
    PASS = "pass"  # forwarded untouched (not a fault)
    DELAY = "delay"  # held for a while, then forwarded
    RESET = "reset"  # connection reset before anything reaches the server
    DROP_REQUEST = "drop_request"  # part of the body reaches the server, then both sides cut
    DROP_RESPONSE = "drop_response"  # the server answers (and commits); the client gets nothing
    TRUNCATE = "truncate"  # the server's answer cut off in the middle of the body
    HTTP_502 = "http_502"  # the server answered (and committed); the client gets a gateway 502
    HTTP_503 = "http_503"  # a 503 from the proxy; the server never sees the request
    REPLAY = "replay"  # the request sent to the server twice in a row; the second answer returned
    REPLAY_CONCURRENT = "replay_concurrent"  # two copies at the same moment; one answer returned


FAULTS = tuple(f for f in Fault if f is not Fault.PASS)
#: Faults after which the server has (probably) done the work but the client does not know.
SERVER_DID_IT = frozenset({Fault.DROP_RESPONSE, Fault.TRUNCATE, Fault.HTTP_502})

_GATEWAY = {
    502: b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    503: b"<html><body><h1>503 Service Unavailable</h1></body></html>",
}


class _Request:
    def __init__(self, head: bytes, body: bytes):
        self.head = head
        self.body = body
        first = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = first.split(" ")
        self.method = parts[0] if parts else ""
        self.path = parts[1] if len(parts) > 1 else ""

    def wire(self) -> bytes:
        """The request for the upstream, with ``Connection: close`` (we read its answer to EOF)."""
        lines = [
            line
            for line in self.head.split(b"\r\n")
            if line and not line.lower().startswith((b"connection:", b"keep-alive:"))
        ]
        return b"\r\n".join([*lines, b"Connection: close", b"", b""]) + self.body


def _read_request(sock: socket.socket) -> _Request | None:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
        if len(buf) > 1 << 20:
            return None
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    body = rest
    while len(body) < length:
        chunk = sock.recv(min(1 << 20, length - len(body)))
        if not chunk:
            return None
        body += chunk
    return _Request(head, body[:length] if length else b"")


def _set_close(response: bytes) -> bytes:
    """The answer with ``Connection: close`` (the client then opens a fresh connection)."""
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep:
        return response
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def _body_of(response: bytes) -> bytes:
    return response.partition(b"\r\n\r\n")[2]


def _abort(sock: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0): the peer sees 'connection reset'."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class FaultSchedule:
    """Seeded draws: with probability ``fault_rate`` a fault, chosen by ``weights``."""

    def __init__(self, seed: int, fault_rate: float, weights: dict[Fault, float] | None = None):
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        w = weights or {f: 1.0 for f in FAULTS}
        self.kinds = [f for f in w if w[f] > 0]
        self.weights = [w[f] for f in self.kinds]

    def draw(self) -> tuple[Fault, float]:
        """(the fault, a uniform number in [0, 1) the fault may use: a delay, a cut point)."""
        roll = self.rng.random()
        kind = (
            self.rng.choices(self.kinds, self.weights)[0] if roll < self.fault_rate else Fault.PASS
        )
        return kind, self.rng.random()


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        *,
        seed: int = 1,
        fault_rate: float = 0.0,
        weights: dict[Fault, float] | None = None,
        max_delay_s: float = 0.3,
        upstream_host: str = "127.0.0.1",
        paths: tuple[str, ...] = ("/api/",),
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.schedule = FaultSchedule(seed, fault_rate, weights)
        self.max_delay_s = max_delay_s
        self.paths = paths
        self.port = free_port()
        self.counts: Counter[str] = Counter()  # faults injected, by kind
        self.requests = 0
        self.replay_mismatches = 0
        self.upstream_lost = 0  # requests the server took but never answered (it was killed)
        #: called with the request once it has been sent to the server (before its answer)
        self.on_forwarded: Callable[[_Request], None] | None = None
        self._script: list[Fault] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def injected(self) -> int:
        return sum(self.counts.values())

    # -- control -----------------------------------------------------------------------
    def script(self, faults: Iterable[Fault]) -> None:
        """Use these faults for the next requests (then the seeded schedule again)."""
        with self._lock:
            self._script.extend(faults)

    def set_rate(self, fault_rate: float) -> None:
        with self._lock:
            self.schedule.fault_rate = fault_rate

    def start(self) -> FaultProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.2)
        self._listener = listener
        t = threading.Thread(target=self._accept_loop, name=f"faultproxy-{self.port}", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving -------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            listener = self._listener
            if listener is None:
                return
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _next_fault(self, req: _Request) -> tuple[Fault, float]:
        with self._lock:
            self.requests += 1
            if not req.path.startswith(self.paths):
                return Fault.PASS, 0.0
            if self._script:
                return self._script.pop(0), 0.5
            kind, u = self.schedule.draw()
            if kind is not Fault.PASS:
                self.counts[kind.value] += 1
            return kind, u

    def _exchange(self, req: _Request, notify: bool = True) -> bytes:
        """Send ``req`` upstream and read the whole answer (b"" if the server went away)."""
        try:
            up = socket.create_connection(self.upstream, timeout=120)
        except OSError:
            return b""
        try:
            up.sendall(req.wire())
            if notify and self.on_forwarded is not None:
                self.on_forwarded(req)
            chunks = []
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        except OSError:
            return b""
        finally:
            up.close()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(120)
        try:
            req = _read_request(conn)
            if req is None:
                conn.close()
                return
            kind, u = self._next_fault(req)
            if kind is Fault.RESET:
                _abort(conn)
                return
            if kind is Fault.HTTP_503:
                self._gateway(conn, 503)
                return
            if kind is Fault.DROP_REQUEST:
                self._drop_request(req, u)
                _abort(conn)
                return
            if kind is Fault.DELAY:
                time.sleep(u * self.max_delay_s)
            if kind is Fault.REPLAY:
                first = self._exchange(req)
                response = self._exchange(req, notify=False)
                self._compare(req, first, response)
            elif kind is Fault.REPLAY_CONCURRENT:
                answers: list[bytes] = [b"", b""]

                def twin(i: int) -> None:
                    answers[i] = self._exchange(req, notify=(i == 0))

                threads = [threading.Thread(target=twin, args=(i,)) for i in (0, 1)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self._compare(req, answers[0], answers[1])
                response = answers[0] or answers[1]
            else:
                response = self._exchange(req)
            if not response:
                with self._lock:
                    self.upstream_lost += 1
                _abort(conn)  # the server went away (killed): the client sees a reset
                return
            if kind is Fault.DROP_RESPONSE:
                conn.close()
                return
            if kind is Fault.HTTP_502:
                self._gateway(conn, 502)
                return
            if kind is Fault.TRUNCATE:
                head_len = len(response) - len(_body_of(response))
                body_len = len(response) - head_len
                cut = head_len + int(body_len * u) if body_len > 1 else head_len // 2
                conn.sendall(_set_close(response)[: max(1, cut)])
                _abort(conn)
                return
            conn.sendall(_set_close(response))
            conn.close()
        except OSError:
            conn.close()

    def _drop_request(self, req: _Request, u: float) -> None:
        """Send part of the request upstream (headers and some of the body), then reset."""
        data = req.wire()
        head_len = len(data) - len(req.body)
        cut = head_len + int(len(req.body) * u) if req.body else int(head_len * u)
        try:
            up = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            return
        try:
            up.sendall(data[: max(1, min(cut, len(data) - 1))])
            time.sleep(0.01)
        except OSError:
            pass
        finally:
            _abort(up)

    def _gateway(self, conn: socket.socket, status: int) -> None:
        body = _GATEWAY[status]
        reason = b"Bad Gateway" if status == 502 else b"Service Unavailable"
        head = (
            b"HTTP/1.1 %d %s\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n" % (status, reason, len(body))
        )
        try:
            conn.sendall(head + body)
        finally:
            conn.close()

    def _compare(self, req: _Request, a: bytes, b: bytes) -> None:
        """Two answers to one push must be the same answer (a replayed batch changes nothing)."""
        if req.method != "POST" or not a or not b:
            return
        status_a, status_b = a.split(b"\r\n", 1)[0], b.split(b"\r\n", 1)[0]
        if (
            status_a.endswith(b"200 OK")
            and status_b.endswith(b"200 OK")
            and _body_of(a) != _body_of(b)
        ):
            with self._lock:
                self.replay_mismatches += 1
