"""When to sync next: a regular interval while things work, exponential back-off with jitter
while the server cannot be reached, and nothing automatic while the device is refused."""

from __future__ import annotations

import random
from collections.abc import Callable

from desktop.sync.engine import SyncOutcome


class SyncSchedule:
    def __init__(
        self,
        interval_s: float = 120.0,
        base_backoff_s: float = 10.0,
        max_backoff_s: float = 900.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.interval_s = interval_s
        self.base_backoff_s = base_backoff_s
        self.max_backoff_s = max_backoff_s
        self.rand = rand
        self.failures = 0

    def next_delay(self, outcome: SyncOutcome) -> float | None:
        """Seconds until the next automatic attempt; None: wait for a person (refused)."""
        if outcome is SyncOutcome.REFUSED:
            self.failures = 0
            return None
        if outcome in (SyncOutcome.UNREACHABLE, SyncOutcome.PARTIAL):
            self.failures += 1
            ceiling = min(self.max_backoff_s, self.base_backoff_s * 2.0 ** (self.failures - 1))
            return ceiling * (0.5 + self.rand() / 2)  # "equal jitter": between half and all of it
        self.failures = 0
        return self.interval_s

    def connectivity_returned(self) -> float:
        """The OS says the network is back: try soon, whatever the back-off said."""
        self.failures = 0
        return 1.0
