"""What the sync client has measured of its link, and the time limits that follow from it.

A field officer's link may be a congested 2G cell (64 kbit/s, 600 ms round trip) or worse
(16 kbit/s, 1.5 s, one packet in ten lost). Constant time limits that suit an office's cable
cannot be met there: a TLS handshake alone needs about 4 s on the worst links, and a 128 KB
batch about a minute. So the client measures every exchange (bytes each way, seconds) and
keeps two figures: the round trip (the quickest small exchange lately) and the throughput
(bytes per second over the larger ones). Each request's limits are the configured floors plus
what the link needs for that request, with room to spare; before anything is measured the
link is assumed to be as slow as the worst one Loket is meant to work on.

No Qt, no I/O: the client calls :meth:`LinkEstimate.observe` and asks for
:meth:`LinkEstimate.timeouts`. The app keeps one estimate for the whole session (the link
outlives one sync), ``loket-desk sync`` starts from the assumption.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

#: Assumed before anything is measured: the worst link Loket is meant to work on.
ASSUMED_RTT_S = 1.5
ASSUMED_BYTES_PER_S = 1_500.0  # 16 kbit/s with losses
#: What a TLS handshake carries (certificate chain, key exchange), and one TLS record: the
#: socket's "connect" limit also bounds each record's send (urllib3 keeps it while sending).
HANDSHAKE_BYTES = 6 * 1024
RECORD_BYTES = 16 * 1024
#: Per exchange, around the bodies: request line, headers, the answer's headers.
HEADER_BYTES = 600
#: An exchange this small in both directions measures the round trip, not the throughput.
SMALL_BYTES = 2_048
#: The margin on what the link is expected to need (losses, a cell's bad seconds).
MARGIN = 2.5


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect_s: float  # connecting, the TLS handshake, and each send of the request
    read_s: float  # each wait for the answer, once the request is sent

    def pair(self) -> tuple[float, float]:
        return (self.connect_s, self.read_s)


class LinkEstimate:
    """The round trip and throughput measured so far (thread-safe: the app's worker threads
    share one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rtt_s: float | None = None
        self.bytes_per_s: float | None = None

    @property
    def measured(self) -> bool:
        return self.rtt_s is not None

    def observe(self, sent: int, received: int, seconds: float) -> None:
        """One exchange that completed: ``sent`` and ``received`` body bytes in
        ``seconds`` (from sending the request to the end of the answer)."""
        if seconds <= 0:
            return
        total = sent + received + HEADER_BYTES
        with self._lock:
            if sent + received <= SMALL_BYTES:
                # the round trip (plus the server's moment): follow a faster one at once, a
                # slower one halfway, so one slow answer does not make every limit long
                if self.rtt_s is None or seconds < self.rtt_s:
                    self.rtt_s = seconds
                else:
                    self.rtt_s = (self.rtt_s + seconds) / 2
                return
            rtt = self.rtt_s if self.rtt_s is not None else 0.0
            rate = total / max(seconds - rtt, seconds / 4)
            self.bytes_per_s = rate if self.bytes_per_s is None else (self.bytes_per_s + rate) / 2
            if self.rtt_s is None:
                self.rtt_s = seconds  # an upper bound until a small exchange says better

    def needs_s(self, sent: int, received: int = 0, new_connection: bool = True) -> float:
        """What the link is expected to need for one exchange, without the margin."""
        with self._lock:
            rtt = ASSUMED_RTT_S if self.rtt_s is None else self.rtt_s
            rate = ASSUMED_BYTES_PER_S if self.bytes_per_s is None else self.bytes_per_s
        trips = 4 if new_connection else 1  # TCP, TLS (1.2: two), the request
        extra = HANDSHAKE_BYTES if new_connection else 0
        return trips * rtt + (sent + received + HEADER_BYTES + extra) / rate

    def timeouts(self, floor: tuple[float, float], sent: int = 0) -> Timeouts:
        """The limits for a request with a ``sent``-byte body: the configured floors, or
        what the link needs with the margin when that is longer. The read limit covers the
        part of the body the operating system took but the link had not carried yet (the
        answer cannot come before it has), and an answer as large as the body."""
        connect_floor, read_floor = floor
        connect = max(connect_floor, MARGIN * self.needs_s(RECORD_BYTES))
        read = read_floor + MARGIN * self.needs_s(sent, sent, new_connection=False)
        return Timeouts(connect, read)
