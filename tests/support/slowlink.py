"""A slow link on loopback: a TCP relay that delays and paces what passes through it.

``SlowLink(upstream_port, rate_bps=64_000, rtt_s=0.6).start()`` listens on a free loopback
port and relays every connection to ``127.0.0.1:upstream_port``; each direction carries at
most ``rate_bps`` bits per second and delivers each piece ``rtt_s / 2`` after it was read,
so a round trip costs ``rtt_s``. Its own sockets have small buffers, so a sender feels the
link's pace (its ``sendall`` of a large body takes as long as the link needs), as on a real
2G link. It counts connections and bytes each way; :meth:`down` makes it drop what arrives
(for an outage) while connections stay open.

It relays bytes, not packets: no loss, no slow start, no retransmission. Tests of the
client's timeouts and batch sizes use it; the benchmark (``bench/slow_link.py``) measures
real kernel TCP between network namespaces instead. Nothing here imports the project.
"""

from __future__ import annotations

import heapq
import socket
import threading
import time
from collections.abc import Callable

from tests.support.netutil import free_port

_PIECE = 1024  # bytes read at a time: the pace's granularity
_BUFFER = 8 * 1024  # the relay's socket buffers (the kernel doubles them)


class SlowLink:
    def __init__(self, upstream_port: int, rate_bps: float = 64_000, rtt_s: float = 0.6) -> None:
        self.upstream_port = upstream_port
        self.rate_bps = rate_bps
        self.rtt_s = rtt_s
        self.port = free_port()
        self.connections = 0
        self.bytes_up = 0  # client to server
        self.bytes_down = 0
        self._down = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SlowLink:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _BUFFER)  # accepted ones too
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.2)
        self._listener = listener
        self._spawn(self._accept_loop)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> SlowLink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def down(self, is_down: bool = True) -> None:
        """While down, everything that arrives in either direction is lost."""
        if is_down:
            self._down.set()
        else:
            self._down.clear()

    def _spawn(self, target: Callable[..., object], *args: object) -> None:
        t = threading.Thread(target=target, args=args, daemon=True)
        t.start()
        self._threads.append(t)

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            for sock in (client, server):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _BUFFER)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.connections += 1
            pair = _Pair(client, server)
            self._spawn(self._pump, client, server, pair, True)
            self._spawn(self._pump, server, client, pair, False)

    def _pump(self, src: socket.socket, dst: socket.socket, pair: _Pair, up: bool) -> None:
        """Reads at the link's rate; a writer delivers each piece half a round trip later."""
        queue: list[tuple[float, int, bytes]] = []
        ready = threading.Condition()
        seq = 0
        done = threading.Event()

        def writer() -> None:
            while True:
                with ready:
                    while not queue and not done.is_set():
                        ready.wait(0.2)
                    if not queue:
                        break
                    due, _, data = queue[0]
                    wait = due - time.monotonic()
                    if wait > 0:
                        ready.wait(wait)
                        continue
                    heapq.heappop(queue)
                if data:
                    try:
                        dst.sendall(data)
                    except OSError:
                        break
            pair.close()

        self._spawn(writer)
        next_free = time.monotonic()
        try:
            while not self._stop.is_set():
                try:
                    data = src.recv(_PIECE)
                except OSError:
                    break
                if not data:
                    break
                # the link is busy until this piece has been serialised onto it
                now = time.monotonic()
                next_free = max(next_free, now) + len(data) * 8 / self.rate_bps
                if next_free > now:
                    time.sleep(next_free - now)
                if self._down.is_set():
                    continue
                with self._lock:
                    if up:
                        self.bytes_up += len(data)
                    else:
                        self.bytes_down += len(data)
                with ready:
                    seq += 1
                    heapq.heappush(queue, (time.monotonic() + self.rtt_s / 2, seq, data))
                    ready.notify()
        finally:
            done.set()
            with ready:
                ready.notify()


class _Pair:
    """Both sockets of one relayed connection, closed together once."""

    def __init__(self, a: socket.socket, b: socket.socket) -> None:
        self.socks = (a, b)
        self._closed = False
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass
