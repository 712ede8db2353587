"""A user-space link emulator between two network namespaces (issue 17 item 2).

This kernel has no ``netem`` qdisc, so rate, delay, loss, a small buffer and outages are done
here, in user space, on real IP packets: real kernel TCP (slow start, loss recovery, back-off)
runs on both ends and is what gets measured.

``with Link(PROFILES["2g"]) as link:`` creates two network namespaces, ``loket-c-<pid>-<n>``
(the client) and ``loket-s-<pid>-<n>`` (the server), each with a point-to-point TUN device
(client ``10.<a>.<b>.1``, server ``.2``, a /30 of 10.201.0.0/16 per link) and its loopback up;
one forwarding thread in this process holds both TUN file descriptors and copies packets
between them, per direction through:

1. an outage check (``Profile.outage_every``/``outage_for``, or :meth:`Link.set_down`): while
   the link is down every packet is dropped, queued ones included when they come out;
2. a drop-tail queue of ``queue_packets`` packets waiting to be serialised;
3. serialisation at ``rate_bps`` (the IP packet's bytes, headers included), one packet after
   the other, as a radio link sends them;
4. random loss (``loss``, seeded: the same seed drops the same packets) after serialisation
   (a lost packet still used the air time);
5. a fixed one-way delay of ``rtt_s / 2``.

Counters per direction (:class:`Counters`, ``link.up`` client to server, ``link.down`` server
to client) can be read while it runs; :meth:`Link.snapshot` copies them.

Run a program on one side with :meth:`Link.client_cmd` / :meth:`Link.server_cmd` (they prefix
``ip netns exec NS``) or, for a few sockets from this process, :func:`in_netns` (a thread that
``setns``-es into the namespace first; sockets it creates live there). On exit every process
still in the namespaces is killed, the namespaces are deleted and the TUN devices go with
their file descriptors; :func:`cleanup_leftovers` removes what a crashed earlier run left
(namespaces whose owning process is gone), and ``Link`` calls it on entry.

Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN for ``setns``) and ``/dev/net/tun``;
:func:`check_available` says why not, :class:`LinkUnavailable` is raised otherwise.
Nothing here imports the project.
"""

from __future__ import annotations

import collections
import ctypes
import fcntl
import os
import random
import re
import select
import signal
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

T = TypeVar("T")

PREFIX_CLIENT = "loket-c-"
PREFIX_SERVER = "loket-s-"
_TUNSETIFF = 0x400454CA
_IFF_TUN = 0x0001
_IFF_NO_PI = 0x1000
_CLONE_NEWNET = 0x40000000
MTU = 1500
_counter = 0
_counter_lock = threading.Lock()


class LinkUnavailable(RuntimeError):
    """The emulator cannot run here (not root, no /dev/net/tun, no ``ip``)."""


@dataclass(frozen=True)
class Profile:
    """One link, the same both ways. ``outage_every``/``outage_for``: the link is down for
    ``outage_for`` seconds at the end of every ``outage_every`` seconds (first outage at
    ``outage_every - outage_for`` after the link came up or :meth:`Link.restart_schedule`);
    0 for none."""

    name: str
    rate_bps: float
    rtt_s: float
    loss: float
    queue_packets: int = 30
    outage_every: float = 0.0
    outage_for: float = 0.0
    seed: int = 17

    def with_drops(self, every: float = 30.0, duration: float = 5.0) -> Profile:
        return replace(
            self, name=f"{self.name}+drop", outage_every=float(every), outage_for=float(duration)
        )

    def describe(self) -> str:
        text = (
            f"{self.name}: {self.rate_bps / 1000:g} kbit/s each way, {self.rtt_s * 1000:.0f} ms RTT, "
            f"{self.loss * 100:g} % loss, queue {self.queue_packets} packets"
        )
        if self.outage_every:
            text += f", down {self.outage_for:g} s every {self.outage_every:g} s"
        return text


PROFILES: dict[str, Profile] = {
    "2g": Profile("2g", 64_000, 0.600, 0.02),
    "3g": Profile("3g", 384_000, 0.200, 0.01, queue_packets=50),
    "awful": Profile("awful", 16_000, 1.500, 0.10, queue_packets=20),
}


def profile(name: str) -> Profile:
    """``2g``, ``3g``, ``awful``, each optionally with ``+drop`` (down 5 s every 30 s)."""
    base, _, extra = name.partition("+")
    found = PROFILES[base]
    if extra == "drop":
        return found.with_drops()
    if extra:
        raise KeyError(name)
    return found


@dataclass
class Counters:
    """One direction. ``sent_*`` is what the sending end put on the link (retransmissions
    included), ``delivered_*`` what came out at the other end."""

    sent_packets: int = 0
    sent_bytes: int = 0
    delivered_packets: int = 0
    delivered_bytes: int = 0
    dropped_queue: int = 0
    dropped_loss: int = 0
    dropped_outage: int = 0
    #: TCP connections opened this way: distinct source ports of SYN packets (no ACK) sent
    connections: int = 0

    def copy(self) -> Counters:
        return replace(self)

    def minus(self, other: Counters) -> Counters:
        return Counters(
            **{k: getattr(self, k) - getattr(other, k) for k in self.__dataclass_fields__}
        )


@dataclass
class _Direction:
    rate_bps: float
    delay_s: float
    loss: float
    queue_packets: int
    rng: random.Random
    counters: Counters = field(default_factory=Counters)
    # packets waiting for or in serialisation: (time serialisation ends, packet)
    serialising: collections.deque[tuple[float, bytes]] = field(default_factory=collections.deque)
    # serialised, on their way: (time it arrives, packet)
    flying: collections.deque[tuple[float, bytes]] = field(default_factory=collections.deque)
    line_free_at: float = 0.0
    syn_ports: set[int] = field(default_factory=set)


def check_available() -> str | None:
    """None if a Link can be made here, else why not."""
    if os.geteuid() != 0:
        return "the link emulator needs root (CAP_NET_ADMIN for namespaces and TUN devices)"
    if not os.path.exists("/dev/net/tun"):
        return "/dev/net/tun is missing (no TUN support)"
    try:
        subprocess.run(["ip", "-V"], capture_output=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "the ip command (iproute2) is missing"
    return None


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["ip", *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )
    if check and result.returncode != 0:
        raise LinkUnavailable(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result


def _netns_names() -> list[str]:
    out = _ip("netns", "list", check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _kill_netns_pids(ns: str) -> None:
    """SIGKILL every process in ``ns`` (the harness started them all) and wait a moment."""
    for _ in range(50):
        pids = [int(p) for p in _ip("netns", "pids", ns, check=False).stdout.split()]
        pids = [p for p in pids if p != os.getpid()]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cleanup_leftovers() -> list[str]:
    """Delete the namespaces of earlier links whose owning process is gone (a crashed run);
    the names removed."""
    removed = []
    pattern = re.compile(rf"^(?:{PREFIX_CLIENT}|{PREFIX_SERVER})(\d+)-\d+$")
    for ns in _netns_names():
        m = pattern.match(ns)
        if m and not _pid_alive(int(m.group(1))):
            _kill_netns_pids(ns)
            _ip("netns", "del", ns, check=False)
            removed.append(ns)
    return removed


def _open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    try:
        fcntl.ioctl(fd, _TUNSETIFF, struct.pack("16sH", name.encode(), _IFF_TUN | _IFF_NO_PI))
    except OSError:
        os.close(fd)
        raise
    return fd


_libc: Any = None


def _setns(fd: int) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def in_netns(ns: str, fn: Callable[[], T], timeout: float | None = None) -> T:
    """``fn()`` on a fresh thread that has entered network namespace ``ns`` first: sockets
    it opens live there (a thread's network namespace is its own; this thread's is left
    alone). Returns its result or raises its exception."""
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
            try:
                _setns(fd)
            finally:
                os.close(fd)
            result.append(fn())
        except BaseException as exc:  # handed to the caller
            error.append(exc)

    t = threading.Thread(target=run, name=f"in-netns-{ns}", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise TimeoutError(f"in_netns({ns}) still running after {timeout} s")
    if error:
        raise error[0]
    return result[0]


class Link:
    """Two namespaces joined by the emulated link; see the module docstring."""

    def __init__(self, prof: Profile, seed: int | None = None):
        global _counter
        self.profile = prof
        with _counter_lock:
            _counter += 1
            n = _counter
        pid = os.getpid()
        self.client_ns = f"{PREFIX_CLIENT}{pid}-{n}"
        self.server_ns = f"{PREFIX_SERVER}{pid}-{n}"
        # a /30 per link: 10.201.<a>.<b>, from pid and link number
        slot = (pid * 7 + n) % (256 * 64)
        a, b = slot // 64, (slot % 64) * 4
        self.client_ip = f"10.201.{a}.{b + 1}"
        self.server_ip = f"10.201.{a}.{b + 2}"
        tag = f"{pid:x}-{n % 10000}"  # unique while this process lives; at most 15 chars
        self._dev_client = f"lkc{tag}"
        self._dev_server = f"lks{tag}"
        seed = prof.seed if seed is None else seed
        self._dirs = [
            _Direction(
                prof.rate_bps,
                prof.rtt_s / 2,
                prof.loss,
                prof.queue_packets,
                random.Random(seed * 2 + i),
            )
            for i in (0, 1)
        ]
        self._fds: list[int] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._forced_down = False
        self._started_at = 0.0
        self.error: BaseException | None = None

    # --- counters and control -------------------------------------------------------------

    @property
    def up(self) -> Counters:
        """Client to server."""
        return self._dirs[0].counters

    @property
    def down(self) -> Counters:
        """Server to client."""
        return self._dirs[1].counters

    def snapshot(self) -> tuple[Counters, Counters]:
        """(client to server, server to client), copied under the forwarder's lock."""
        with self._lock:
            return self.up.copy(), self.down.copy()

    def set_down(self, down: bool) -> None:
        """Take the link down (everything dropped, both ways) or bring it back up."""
        with self._lock:
            self._forced_down = down

    @property
    def started_at(self) -> float:
        """``time.monotonic()`` when the link came up (the outage schedule counts from it)."""
        return self._started_at

    def restart_schedule(self, first_outage_in: float | None = None) -> None:
        """Count the outage schedule from now: the first outage comes ``first_outage_in``
        seconds from now (default ``outage_every - outage_for``), then every
        ``outage_every``."""
        p = self.profile
        lead = p.outage_every - p.outage_for
        first = lead if first_outage_in is None else first_outage_in
        with self._lock:
            self._started_at = time.monotonic() + first - lead

    def is_down(self, now: float | None = None) -> bool:
        if self._forced_down:
            return True
        p = self.profile
        if not p.outage_every or not p.outage_for:
            return False
        t = (time.monotonic() if now is None else now) - self._started_at
        return (t % p.outage_every) >= p.outage_every - p.outage_for

    def client_cmd(self, *cmd: str) -> list[str]:
        return ["ip", "netns", "exec", self.client_ns, *cmd]

    def server_cmd(self, *cmd: str) -> list[str]:
        return ["ip", "netns", "exec", self.server_ns, *cmd]

    # --- set-up and tear-down -------------------------------------------------------------

    def __enter__(self) -> Link:
        why = check_available()
        if why:
            raise LinkUnavailable(why)
        cleanup_leftovers()
        try:
            self._setup()
        except BaseException:
            self._teardown()
            raise
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._teardown()
        if self.error is not None and exc_type is None:
            raise RuntimeError(f"the link emulator's forwarder failed: {self.error!r}")

    def _setup(self) -> None:
        for ns in (self.client_ns, self.server_ns):
            _ip("netns", "add", ns)
            # IPv4 only: no IPv6 router solicitations or MLD reports on the link's counters
            for conf in ("all", "default"):
                _ip(
                    "netns",
                    "exec",
                    ns,
                    "sh",
                    "-c",
                    f"echo 1 > /proc/sys/net/ipv6/conf/{conf}/disable_ipv6",
                )
        sides = (
            (self.client_ns, self._dev_client, self.client_ip, self.server_ip),
            (self.server_ns, self._dev_server, self.server_ip, self.client_ip),
        )
        for ns, dev, me, peer in sides:
            self._fds.append(_open_tun(dev))
            _ip("link", "set", dev, "netns", ns)
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "addr", "add", me, "peer", f"{peer}/32", "dev", dev)
            _ip("-n", ns, "link", "set", dev, "mtu", str(MTU), "up")
            # the link is each side's way out, as a modem's is: without a default route the
            # OS (GLib's network monitor, Qt's QNetworkInformation) calls the machine offline
            _ip("-n", ns, "route", "add", "default", "dev", dev)
        self._started_at = time.monotonic()
        self._thread = threading.Thread(target=self._forward, name="linkemu", daemon=True)
        self._thread.start()

    def _teardown(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        for ns in (self.client_ns, self.server_ns):
            if ns in _netns_names():
                _kill_netns_pids(ns)
                _ip("netns", "del", ns, check=False)
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []

    # --- the forwarder --------------------------------------------------------------------

    def _forward(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # kept for the owner; the link is then dead
            self.error = exc

    def _loop(self) -> None:
        fds = self._fds
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        while not self._stop.is_set():
            now = time.monotonic()
            wake = now + 0.05
            with self._lock:
                for i, d in enumerate(self._dirs):
                    out_fd = fds[1 - i]
                    # serialised packets: lost, dropped by an outage, or on their way
                    while d.serialising and d.serialising[0][0] <= now:
                        done_at, pkt = d.serialising.popleft()
                        if d.loss and d.rng.random() < d.loss:
                            d.counters.dropped_loss += 1
                        else:
                            d.flying.append((done_at + d.delay_s, pkt))
                    while d.flying and d.flying[0][0] <= now:
                        _, pkt = d.flying.popleft()
                        if self.is_down(now):
                            d.counters.dropped_outage += 1
                            continue
                        try:
                            os.write(out_fd, pkt)
                        except (BlockingIOError, OSError):
                            d.counters.dropped_queue += 1
                            continue
                        d.counters.delivered_packets += 1
                        d.counters.delivered_bytes += len(pkt)
                    for q in (d.serialising, d.flying):
                        if q:
                            wake = min(wake, q[0][0])
            timeout_ms = max(0, int((wake - time.monotonic()) * 1000 + 0.999))
            for fd, _ev in poller.poll(timeout_ms):
                i = fds.index(fd)
                d = self._dirs[i]
                for _ in range(64):
                    try:
                        pkt = os.read(fd, 65536)
                    except BlockingIOError:
                        break
                    self._offer(d, pkt, time.monotonic())

    def _offer(self, d: _Direction, pkt: bytes, now: float) -> None:
        with self._lock:
            d.counters.sent_packets += 1
            d.counters.sent_bytes += len(pkt)
            port = _syn_port(pkt)
            if port is not None and port not in d.syn_ports:
                d.syn_ports.add(port)
                d.counters.connections += 1
            if self.is_down(now):
                d.counters.dropped_outage += 1
                return
            # packets still waiting (or being serialised) hold the buffer
            if len(d.serialising) >= d.queue_packets:
                d.counters.dropped_queue += 1
                return
            start = max(now, d.line_free_at)
            d.line_free_at = start + len(pkt) * 8 / d.rate_bps
            d.serialising.append((d.line_free_at, pkt))


def _syn_port(pkt: bytes) -> int | None:
    """The source port of an IPv4 TCP SYN without ACK (a connection being opened), else None."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return None
    ihl = (pkt[0] & 0x0F) * 4
    if len(pkt) < ihl + 14:
        return None
    flags = pkt[ihl + 13]
    if flags & 0x02 and not flags & 0x10:
        return int.from_bytes(pkt[ihl : ihl + 2], "big")
    return None


@dataclass
class Transfer:
    """Counters of one measured stretch: bytes and packets each way."""

    up: Counters
    down: Counters
    seconds: float


class Meter:
    """``with Meter(link) as m: ...`` then ``m.result``: the counters' growth meanwhile."""

    def __init__(self, link: Link):
        self.link = link
        self.result: Transfer | None = None

    def __enter__(self) -> Meter:
        self._t0 = time.monotonic()
        self._up0, self._down0 = self.link.snapshot()
        return self

    def __exit__(self, *exc: object) -> None:
        up, down = self.link.snapshot()
        self.result = Transfer(
            up.minus(self._up0), down.minus(self._down0), time.monotonic() - self._t0
        )


def iter_profiles(names: str) -> Iterator[Profile]:
    """``"2g,3g,awful+drop"`` as profiles."""
    for name in names.split(","):
        if name.strip():
            yield profile(name.strip())
