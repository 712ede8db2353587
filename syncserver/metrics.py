"""Request and ingest counters exposed at /metrics, through ``prometheus_client``.

Two modes, chosen by the environment when the app is built:

- one process (tests, waitress, `loket-server` tools): each app counts in its own registry;
- gunicorn (``PROMETHEUS_MULTIPROC_DIR`` set by :mod:`syncserver.server` before the workers
  fork, one fresh folder per server start): every worker writes its counts to memory-mapped
  files in that folder, and a scrape, whichever worker answers it, sums the files of all
  workers, the dead ones included (so a counter never goes backwards when a worker restarts).

Every label value comes from a fixed set (the method from :data:`METHODS` else ``other``, the
route from the Flask url rule else ``unmatched``, the status from :data:`STATUSES` else its
class such as ``4xx``): a client cannot create a series by sending a made-up method or path.
Database-wide figures are in ``loket-server stats``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, generate_latest, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from common.protocol import Outcome
from syncserver.config import Settings, parse_listen

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST

#: The methods counted under their own name; any other is counted as ``other``.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: The statuses counted under their own code; any other is counted by its class (``4xx``).
STATUSES = frozenset(
    {200, 201, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 409, 410, 413, 415}
    | {422, 429, 500, 502, 503}
)
_OUTCOMES = frozenset(o.value for o in Outcome)
_BATCH_KINDS = ("new", "replayed")
_BYTE_KINDS = ("wire", "raw")

# Counters are exported without the ``_created`` series: one more series per label set that
# nothing here reads.
prometheus_client.disable_created_metrics()

_shared_lock = threading.Lock()
_shared: Metrics | None = None


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


def status_label(status: int) -> str:
    if status in STATUSES:
        return str(status)
    return f"{status // 100}xx" if 100 <= status <= 599 else "other"


def route_label(rule: str | None) -> str:
    """The url rule (``/api/v1/sync/push``, ``/console/registrations/<rid>``): a fixed set, the
    app's routes; a path that matched none is ``unmatched``."""
    return rule or "unmatched"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class _Up(Collector):
    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily("loket_up", "1 when the process serves.", value=1)


class Metrics:
    """The app's counters. Build one with :func:`for_app`."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        # registry None: multiprocess mode, where the values live in the shared folder and a
        # scrape reads them from there (a registry would only hold this worker's view).
        self._registry = registry
        self.requests = Counter(
            "loket_http_requests",
            "HTTP requests handled.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.seconds = Counter(
            "loket_http_request_seconds",
            "Time spent handling requests.",
            ["method", "route"],
            registry=registry,
        )
        self.records = Counter(
            "loket_ingest_records", "Records ingested, by outcome.", ["outcome"], registry=registry
        )
        self.batches = Counter(
            "loket_ingest_batches", "Push batches, new or replayed.", ["kind"], registry=registry
        )
        self.bytes = Counter(
            "loket_ingest_bytes",
            "Push body bytes, as received (wire) and decompressed (raw).",
            ["kind"],
            registry=registry,
        )
        for kind in _BATCH_KINDS:
            self.batches.labels(kind)
        for kind in _BYTE_KINDS:
            self.bytes.labels(kind)

    def observe_request(self, method: str, route: str | None, status: int, seconds: float) -> None:
        m, r = method_label(method), route_label(route)
        self.requests.labels(m, r, status_label(status)).inc()
        self.seconds.labels(m, r).inc(max(seconds, 0.0))

    def observe_batch(self, outcomes: dict[str, int], replayed: bool, wire: int, raw: int) -> None:
        self.batches.labels("replayed" if replayed else "new").inc()
        if not replayed:
            for outcome, n in outcomes.items():
                self.records.labels(outcome if outcome in _OUTCOMES else "other").inc(n)
        self.bytes.labels("wire").inc(wire)
        self.bytes.labels("raw").inc(raw)

    def render(self) -> bytes:
        """The exposition: this app's registry, or in multiprocess mode the sum over every
        worker of this server start."""
        registry = CollectorRegistry(auto_describe=False)
        path = multiprocess_dir()
        if self._registry is None and path:
            MultiProcessCollector(registry, path=path)
        elif self._registry is not None:
            registry = self._registry
        registry_up = CollectorRegistry(auto_describe=False)
        registry_up.register(_Up())
        return generate_latest(registry) + generate_latest(registry_up)


def for_app() -> Metrics:
    """A registry of its own per app in one process; in multiprocess mode one set of counters
    per process (two objects for the same series would overwrite each other's file entry)."""
    global _shared
    if not multiprocess_dir():
        return Metrics(CollectorRegistry(auto_describe=False))
    with _shared_lock:
        if _shared is None:
            # The value class is chosen when prometheus_client is imported, which may be before
            # the server set the folder (the CLI imports the app first): choose it again.
            values.ValueClass = values.get_value_class()
            _shared = Metrics(None)
        return _shared


def local_port(environ: dict[str, object]) -> int | None:
    """The port of the socket the request arrived on, as the WSGI server saw it (never the
    client's Host header): gunicorn hands over its socket; waitress sets SERVER_PORT from its
    listener. None under any other server (the Flask test client)."""
    sock = environ.get("gunicorn.socket")
    if sock is not None:
        try:
            return int(sock.getsockname()[1])  # type: ignore[attr-defined]
        except (OSError, IndexError, TypeError, ValueError):
            return None
    if "waitress.client_disconnected" in environ:
        try:
            return int(str(environ.get("SERVER_PORT")))
        except ValueError:
            return None
    return None


def on_metrics_listener(environ: dict[str, object], settings: Settings) -> bool:
    """Whether the request came in on the separate ``metrics_listen`` address."""
    listen = settings.metrics_listen
    if not listen:
        return False
    return local_port(environ) == parse_listen(listen)[1]


def bearer_ok(authorization: str | None, token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    import hmac

    if not token or not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
