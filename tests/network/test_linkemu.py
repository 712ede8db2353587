"""The link emulator (tests/support/linkemu.py) gives real kernel TCP the link it promises.

Real sockets in two network namespaces, through the emulator: round trip time, bulk
throughput, random loss over many UDP datagrams, an outage that drops, and no namespace left
behind afterwards (after an error too, and after a crashed earlier run). About 30 s.
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.support import unavailable
from tests.support.linkemu import (
    PREFIX_CLIENT,
    PROFILES,
    Link,
    Profile,
    check_available,
    cleanup_leftovers,
    in_netns,
)


@pytest.fixture(autouse=True)
def _can_emulate() -> Iterator[None]:
    why = check_available()
    if why:
        unavailable(why)
    yield


def _namespaces() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    return {line.split()[0] for line in out.stdout.splitlines() if line.strip()}


def _tcp_server(link: Link, port: int) -> socket.socket:
    return in_netns(link.server_ns, lambda: socket.create_server((link.server_ip, port)))


def _connect_seconds(link: Link, port: int) -> float:
    def connect() -> float:
        started = time.monotonic()
        with socket.create_connection((link.server_ip, port), timeout=10):
            return time.monotonic() - started

    return in_netns(link.client_ns, connect, timeout=15)


def _accept_all(server: socket.socket, stop: threading.Event) -> None:
    server.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        conn.close()


def test_round_trip_time_is_the_profiles() -> None:
    """A TCP connect takes one round trip (SYN, SYN-ACK): the median of 9 is within 20 %."""
    for prof in (PROFILES["2g"], PROFILES["3g"]):
        with Link(prof) as link:
            server = _tcp_server(link, 9000)
            stop = threading.Event()
            threading.Thread(target=_accept_all, args=(server, stop), daemon=True).start()
            try:
                rtt = statistics.median(_connect_seconds(link, 9000) for _ in range(9))
            finally:
                stop.set()
            assert prof.rtt_s * 0.8 <= rtt <= prof.rtt_s * 1.2, (prof.name, rtt)


def _bulk_upload_bits_per_s(link: Link, n: int) -> float:
    """Seconds from the connection's start to the server holding all ``n`` bytes."""
    server = _tcp_server(link, 9001)
    done = threading.Event()
    received: list[float] = []

    def serve() -> None:
        conn, _ = server.accept()
        got = 0
        while got < n:
            chunk = conn.recv(65536)
            if not chunk:
                break
            got += len(chunk)
        received.append(time.monotonic())
        conn.sendall(b"k")
        conn.close()
        done.set()

    threading.Thread(target=serve, daemon=True).start()

    def upload() -> float:
        s = socket.create_connection((link.server_ip, 9001), timeout=30)
        started = time.monotonic()
        s.sendall(b"x" * n)
        s.recv(1)
        s.close()
        return started

    started = in_netns(link.client_ns, upload, timeout=60)
    assert done.wait(5)
    return n * 8 / (received[0] - started)


def test_bulk_throughput_is_the_profiles_rate() -> None:
    """A bulk upload's goodput over real TCP (slow start, 2 % and 1 % loss and their
    recovery included) is within 25 % of the link's rate, and the IP bytes the link carried
    (headers and retransmissions included) never went faster than the rate."""
    for prof, n in ((PROFILES["2g"], 48_000), (PROFILES["3g"], 192_000)):
        with Link(prof) as link:
            rate = _bulk_upload_bits_per_s(link, n)
            up, _down = link.snapshot()
        assert prof.rate_bps * 0.75 <= rate <= prof.rate_bps * 1.25, (prof.name, rate)
        payload_share = n / up.delivered_bytes  # the rest: IP/TCP headers, retransmissions
        assert 0.85 <= payload_share < 1.0, payload_share
        assert rate <= prof.rate_bps * payload_share * 1.02, (prof.name, rate)
        assert up.connections == 1


def _udp_through(link: Link, count: int, gap_s: float = 0.0) -> tuple[int, list[float]]:
    """Send ``count`` numbered datagrams client to server: how many arrived, and when each
    was sent (relative to the link's start) for those lost."""
    rx = in_netns(link.server_ns, lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    rx.bind((link.server_ip, 9002))
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    rx.settimeout(0.5)
    sent_at: dict[int, float] = {}

    def send() -> None:
        tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(count):
            sent_at[i] = time.monotonic()
            tx.sendto(i.to_bytes(4, "big") + b"." * 60, (link.server_ip, 9002))
            if gap_s:
                time.sleep(gap_s)
            elif i % 50 == 49:
                time.sleep(0.002)  # stay under the emulated rate: no queue drops
        tx.close()

    got: set[int] = set()
    sender = threading.Thread(target=lambda: in_netns(link.client_ns, send), daemon=True)
    sender.start()
    quiet_until = None  # after the last send: one way's delay and a margin
    while quiet_until is None or time.monotonic() < quiet_until:
        if quiet_until is None and not sender.is_alive():
            quiet_until = time.monotonic() + link.profile.rtt_s / 2 + 1.0
        try:
            data, _ = rx.recvfrom(2048)
        except TimeoutError:
            continue
        got.add(int.from_bytes(data[:4], "big"))
    rx.close()
    lost = [sent_at[i] for i in range(count) if i not in got]
    return len(got), lost


def test_random_loss_is_the_profiles() -> None:
    """Over 3,000 datagrams the fraction lost is the profile's (2 %, 10 %) within a third of
    it, and the emulator's counters say the same (the rate is raised here so the queue never
    drops: only the random loss is measured)."""
    for base in (PROFILES["2g"], PROFILES["awful"]):
        prof = replace(base, rate_bps=20_000_000, queue_packets=10_000)
        with Link(prof) as link:
            arrived, _ = _udp_through(link, 3000)
            up, _ = link.snapshot()
        lost = 1 - arrived / 3000
        assert abs(lost - prof.loss) <= prof.loss / 3, (prof.name, lost)
        assert up.dropped_loss == 3000 - arrived and up.dropped_queue == 0


def test_outage_drops_everything_then_recovers() -> None:
    """Down 1 s every 2 s: datagrams sent in the down second are lost, those in the up second
    arrive; a forced outage (set_down) makes a TCP connect fail, and it works again after."""
    prof = Profile(
        "outage", 10_000_000, 0.02, 0.0, queue_packets=10_000, outage_every=2, outage_for=1
    )
    with Link(prof) as link:
        arrived, lost_at = _udp_through(link, 200, gap_s=0.02)
        up, _ = link.snapshot()
        assert 0.3 <= 1 - arrived / 200 <= 0.7, arrived
        assert up.dropped_outage == 200 - arrived
        # every lost datagram was sent in (or just before: 10 ms one way) a down second
        for t in lost_at:
            phase = (t - link.started_at) % 2
            assert phase >= 1 - 0.05, phase
        # a measurement moves the schedule: the first outage 0.5 s from now, for 1 s, every 2 s
        link.restart_schedule(0.5)
        now = time.monotonic()
        assert [link.is_down(now + t) for t in (0.2, 0.7, 1.4, 1.7, 2.7)] == [
            False,
            True,
            True,
            False,
            True,
        ]

    with Link(replace(PROFILES["3g"], loss=0.0)) as link:
        server = _tcp_server(link, 9003)
        stop = threading.Event()
        threading.Thread(target=_accept_all, args=(server, stop), daemon=True).start()
        try:
            link.set_down(True)

            def attempt() -> None:
                socket.create_connection((link.server_ip, 9003), timeout=1.5).close()

            with pytest.raises(OSError):
                in_netns(link.client_ns, attempt, timeout=10)
            link.set_down(False)
            assert _connect_seconds(link, 9003) < 1.0
        finally:
            stop.set()


def test_namespaces_are_removed_after_an_error_and_after_a_crashed_run() -> None:
    before = _namespaces()
    with pytest.raises(RuntimeError, match="boom"), Link(PROFILES["3g"]) as link:
        names = {link.client_ns, link.server_ns}
        assert names <= _namespaces()
        # a process left running in the server namespace is ended too
        subprocess.Popen(link.server_cmd("sleep", "300"))
        raise RuntimeError("boom")
    assert not names & _namespaces()
    assert _namespaces() <= before

    # what a crashed run leaves: a namespace of a process that is gone
    gone = subprocess.run(["true"], check=True)
    assert gone.returncode == 0
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = f"{PREFIX_CLIENT}{dead.pid}-1"
    subprocess.run(["ip", "netns", "add", leftover], check=True)
    assert leftover in cleanup_leftovers()
    assert leftover not in _namespaces()
