"""Per-process counters exposed at /metrics in the Prometheus text format.

Under gunicorn each worker process counts its own requests (Prometheus sums them across the
scrape targets; behind one port, a scrape sees one worker). Database-wide figures are in
``loket-server stats``.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.seconds: defaultdict[tuple[str, str], float] = defaultdict(float)
        self.records: Counter[str] = Counter()
        self.batches: Counter[str] = Counter()  # new | replayed
        self.bytes: Counter[str] = Counter()  # wire | raw

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            self.seconds[(method, route)] += seconds

    def observe_batch(self, outcomes: dict[str, int], replayed: bool, wire: int, raw: int) -> None:
        with self._lock:
            self.batches["replayed" if replayed else "new"] += 1
            if not replayed:
                self.records.update(outcomes)
            self.bytes["wire"] += wire
            self.bytes["raw"] += raw

    def render(self) -> str:
        lines: list[str] = []
        with self._lock:
            lines += [
                "# HELP loket_http_requests_total HTTP requests handled by this process.",
                "# TYPE loket_http_requests_total counter",
            ]
            for (method, route, status), n in sorted(self.requests.items()):
                lines.append(
                    f'loket_http_requests_total{{method="{method}",route="{route}",status="{status}"}} {n}'
                )
            lines += [
                "# HELP loket_http_request_seconds_total Time spent handling requests.",
                "# TYPE loket_http_request_seconds_total counter",
            ]
            for (method, route), s in sorted(self.seconds.items()):
                lines.append(
                    f'loket_http_request_seconds_total{{method="{method}",route="{route}"}} {s:.6f}'
                )
            lines += [
                "# HELP loket_ingest_records_total Records ingested, by outcome.",
                "# TYPE loket_ingest_records_total counter",
            ]
            for outcome, n in sorted(self.records.items()):
                lines.append(f'loket_ingest_records_total{{outcome="{outcome}"}} {n}')
            lines += [
                "# HELP loket_ingest_batches_total Push batches, new or replayed.",
                "# TYPE loket_ingest_batches_total counter",
            ]
            for kind, n in sorted(self.batches.items()):
                lines.append(f'loket_ingest_batches_total{{kind="{kind}"}} {n}')
            lines += [
                "# HELP loket_ingest_bytes_total Push body bytes, as received (wire) and decompressed (raw).",
                "# TYPE loket_ingest_bytes_total counter",
            ]
            for kind, n in sorted(self.bytes.items()):
                lines.append(f'loket_ingest_bytes_total{{kind="{kind}"}} {n}')
        lines += [
            "# HELP loket_up 1 when the process serves.",
            "# TYPE loket_up gauge",
            "loket_up 1",
        ]
        return "\n".join(lines) + "\n"
