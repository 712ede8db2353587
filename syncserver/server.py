"""Production WSGI serving for `loket-server run`: gunicorn (Linux, N worker processes),
waitress where gunicorn is not available (Windows: one process, threads; or chosen with
``wsgi_server``). Never the Flask development server.

Both read a request under two limits, so a slow client cannot hold the server (ten
connections sending a header byte by byte used to take every gunicorn thread, forever):
``request_read_timeout``, the longest silence while a request's headers or body arrive, and
``request_deadline``, the longest a whole request may take to arrive, however it trickles.
gunicorn's threaded worker reads a request in a pool thread with a blocking socket and no
timeout once the first byte is there; :class:`LoketThreadWorker` gives every client socket
both limits. waitress reads requests in its event loop (no thread waits for a client), but
keeps a connection open as long as bytes trickle in: :class:`_LoketWaitress` closes one whose
request is not in by the deadline, and ``channel_timeout`` one that falls silent.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
import shutil
import socket
import tempfile
import time
from typing import Any

from syncserver.config import ConfigError, Settings, parse_listen

log = logging.getLogger("syncserver")


def gunicorn_available() -> bool:
    try:
        import fcntl  # noqa: F401  (gunicorn needs a POSIX system)

        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def make_app(settings: Settings) -> Any:
    """The app of one serving process, warmed up: the region table loaded (validation needs
    it), then every object alive so far moved out of the garbage collector's sight
    (``gc.freeze``). The region table is some hundred thousand objects that live as long as
    the process; without the freeze each full collection walks all of them again, which cost
    about a fifth of the server's CPU per ingested record (docs/benchmarks.md). The youngest
    generation is collected after 20,000 allocations instead of 700: a batch of 500 records
    allocates tens of thousands of objects that are all alive until its answer is sent, and
    each early collection only walked them to find nothing (~4 us per record)."""
    from common.regions import regions
    from syncserver.app import create_app

    app = create_app(settings)
    regions()
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(20_000, older, oldest)
    return DrainUnreadBody(app)


#: The longest a serving thread reads and drops what is left of a body after its answer.
DRAIN_SECONDS = 10.0


class DrainUnreadBody:
    """Reads the rest of a request's body, and drops it, once the answer is sent.

    The app refuses some requests before it reads their bodies: no credential (401), a
    declared length over the limit (413). gunicorn then reads at most 64 KiB of the rest and
    closes the connection with the remainder unread, and a socket closed with unread data
    sends a reset: a client still sending (the desktop with a large batch, nginx passing on a
    buffered 9 MiB bundle) got a broken connection instead of the answer, and nginx made it
    a 502 page. The reading stops after :data:`DRAIN_SECONDS` (each read is also bounded by
    the request's read timeout and deadline), so a client that never stops sending is cut."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.wsgi import ClosingIterator

        answer = self.app(environ, start_response)
        return ClosingIterator(answer, lambda: _drain(environ.get("wsgi.input")))


def _drain(stream: Any) -> None:
    if stream is None:
        return
    until = time.monotonic() + DRAIN_SECONDS
    try:
        while time.monotonic() < until and stream.read(64 * 1024):
            pass
    except (OSError, ValueError):
        pass  # the client went away, or its request ran out of time: the connection closes


def serve(settings: Settings) -> None:
    host, port = settings.host, settings.port
    choice = settings.wsgi_server
    if choice == "gunicorn" and not gunicorn_available():
        raise RuntimeError("wsgi_server = gunicorn, but gunicorn is not available here")
    if choice == "gunicorn" or (choice == "auto" and gunicorn_available()):
        _serve_gunicorn(settings, host, port)
    else:
        _serve_waitress(settings, host, port)


def _bind(host: str, port: int) -> str:
    return f"{'[' + host + ']' if ':' in host else host}:{port}"


def _binds(settings: Settings, host: str, port: int) -> list[str]:
    """The main address, and the separate metrics address where one is configured."""
    binds = [_bind(host, port)]
    if settings.metrics_listen:
        m_host, m_port = parse_listen(settings.metrics_listen)
        if m_port == port:
            # The app tells the two apart by the listener's port (metrics.on_metrics_listener).
            raise ConfigError(
                f"option 'metrics_listen': port {m_port} is the server's own port; use another"
            )
        binds.append(_bind(m_host, m_port))
    return binds


def _metrics_folder() -> str:
    """A fresh, private folder for this server start's per-worker metric files
    (prometheus_client's multiprocess mode): a folder kept from an earlier start would add
    its counts to this one's. Set in the environment before the workers fork."""
    from syncserver.metrics import MULTIPROC_ENV

    path = tempfile.mkdtemp(prefix="loket-metrics-")  # mode 0700
    os.environ[MULTIPROC_ENV] = path
    return path


def _child_exit(_server: Any, worker: Any) -> None:
    """gunicorn hook: a worker ended. Its live-gauge files go; its counters stay, so a
    total never goes backwards when gunicorn replaces a worker."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


#: How long sending one response may take (a large pull page to a slow link).
SEND_TIMEOUT = 120.0


class _GuardedSocket(socket.socket):
    """A client socket whose reads wait at most ``read_timeout`` seconds each and stop
    ``deadline`` seconds after the first read of a request (:meth:`new_request` starts the
    next one). A read past either limit raises ECONNRESET, which gunicorn treats as a client
    that went away (it closes the connection) and the app as an incomplete body. A timeout
    the caller set itself (gunicorn's graceful close) is kept when it is shorter."""

    read_timeout: float
    deadline: float
    _wanted: float | None
    _read_by: float | None

    @classmethod
    def adopt(cls, sock: socket.socket, read_timeout: float, deadline: float) -> _GuardedSocket:
        guarded = cls(sock.family, sock.type, sock.proto, fileno=sock.detach())
        guarded.read_timeout, guarded.deadline = read_timeout, deadline
        guarded._wanted, guarded._read_by = None, None
        guarded.settimeout(None)
        return guarded

    def new_request(self) -> None:
        self._read_by = None

    def settimeout(self, value: float | None) -> None:
        self._wanted = value
        super().settimeout(value)

    def setblocking(self, flag: bool) -> None:
        self._wanted = None if flag else 0.0
        super().setblocking(flag)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        if self._wanted == 0.0:  # a non-blocking caller polls; it never waits
            return super().recv(bufsize, flags)
        now = time.monotonic()
        if self._read_by is None:
            self._read_by = now + self.deadline
        limit = min(self.read_timeout, self._read_by - now)
        if limit <= 0:
            raise self._cut(f"the request did not arrive within {self.deadline:g} s")
        own = self._wanted is not None and self._wanted < limit
        super().settimeout(self._wanted if own else limit)
        try:
            return super().recv(bufsize, flags)
        except TimeoutError:
            if own:
                raise
            raise self._cut(f"no data for {limit:g} s while reading a request") from None
        finally:
            super().settimeout(self._wanted)

    def sendall(self, data: Any, flags: int = 0) -> None:
        super().settimeout(SEND_TIMEOUT if self._wanted is None else self._wanted)
        try:
            super().sendall(data, flags)
        finally:
            super().settimeout(self._wanted)

    def _cut(self, why: str) -> OSError:
        try:
            peer = self.getpeername()[0]
        except OSError:
            peer = "?"
        log.info("closing a connection from %s: %s", peer, why)
        return ConnectionResetError(errno.ECONNRESET, why)


def _thread_worker() -> Any:
    from gunicorn.workers.gthread import ThreadWorker

    class LoketThreadWorker(ThreadWorker):  # type: ignore[misc]
        """gunicorn's threaded worker with :class:`_GuardedSocket` client sockets. Every
        connection job (a new connection, or a kept-alive one with a next request) reads one
        request, so each job starts a new request deadline."""

        read_timeout = 30.0
        deadline = 60.0

        def enqueue_req(self, conn: Any) -> None:
            if not isinstance(conn.sock, _GuardedSocket):
                conn.sock = _GuardedSocket.adopt(conn.sock, self.read_timeout, self.deadline)
            conn.sock.new_request()
            super().enqueue_req(conn)

    return LoketThreadWorker


#: gunicorn's access log: method, path without its query string (a console search carries a
#: NIK or a name there), status, bytes and milliseconds; no client address (behind nginx it is
#: the proxy's; nginx's own log has the client's), no user agent, no referrer.
ACCESS_LOG_FORMAT = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'

#: How long gunicorn keeps an idle client connection open for its next request. A proxy that
#: keeps connections to the server (nginx's ``keepalive`` upstream) must give them up sooner
#: (``keepalive_timeout`` in nginx-loket.conf's upstream, a test holds them apart): a request
#: sent on a connection the server is closing is lost, and nginx does not retry a POST.
KEEPALIVE_SECONDS = 5

#: How long a worker may be silent (one request's work) before the master replaces it, and
#: how long a stopping worker may finish its requests. nginx's ``proxy_read_timeout`` is the
#: first, ``SEND_TIMEOUT`` bounds sending an answer.
WORKER_TIMEOUT = 120
GRACEFUL_TIMEOUT = 30


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """gunicorn's configuration for Loket, from Loket's settings: what `loket-server run`
    sets and what ``installers/server/gunicorn.conf.py`` exports, the one place both read.

    Forwarding headers are the app's business alone (``trusted_proxies``: ProxyFix believes
    that many proxies' ``X-Forwarded-For``/``-Proto``); gunicorn believes none of them
    (``forwarded_allow_ips`` empty, no secure-scheme headers), so a direct client never gets
    its claimed scheme taken and there is one count of proxies, not two."""
    worker = _thread_worker()
    worker.read_timeout = settings.request_read_timeout
    worker.deadline = settings.request_deadline
    options: dict[str, Any] = {
        "bind": _binds(settings, settings.host, settings.port),
        "workers": settings.workers,
        "threads": settings.threads,
        # the threaded worker (also for one thread): the sync worker has no read timeouts
        # either, and only ours guards its sockets
        "worker_class": worker,
        "timeout": WORKER_TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": KEEPALIVE_SECONDS,
        "preload_app": False,  # each worker opens its own database connections
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "loglevel": settings.log_level.lower(),
        "errorlog": "-",
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "proc_name": "loket-server",
        "on_starting": _on_starting,
        "on_exit": _on_exit,
        "child_exit": _child_exit,
    }
    if _gunicorn_has("control_socket_disable"):
        # gunicorn 25.1+ opens a management socket in $HOME or $XDG_RUNTIME_DIR (resize,
        # reload, stop): not wanted beside systemd, and no home to put it in there
        options["control_socket_disable"] = True
    return options


def _gunicorn_has(setting: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(s.name == setting for s in KNOWN_SETTINGS)


def _on_starting(_arbiter: Any) -> None:
    """gunicorn hook, in the master before any worker forks: this start's metrics folder."""
    _metrics_folder()


def _on_exit(_arbiter: Any) -> None:
    """gunicorn hook, in the master once every worker is gone: the metrics folder goes."""
    from syncserver.metrics import MULTIPROC_ENV

    folder = os.environ.pop(MULTIPROC_ENV, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def check_database(settings: Settings) -> None:
    """Before serving: the embedded SQLite database is migrated when ``auto_migrate`` says
    so; any other (PostgreSQL) must be at the code's revision already (``loket-server
    migrate``, run by the database owner), else ``DATABASE_NOT_MIGRATED``."""
    from common import errors as E
    from common.errors import ApiError
    from syncserver import db

    engine = db.make_engine(
        settings.database, busy_timeout_ms=settings.sqlite_busy_timeout_ms, pool_size=2
    )
    try:
        if db.is_sqlite(settings.database) and settings.auto_migrate:
            db.migrate(engine)
        elif db.current_revision(engine) != db.head_revision():
            raise ApiError(E.DATABASE_NOT_MIGRATED)
    finally:
        engine.dispose()


def settings_from_environment() -> Settings:
    """The settings a server started by gunicorn itself (``gunicorn -c gunicorn.conf.py``)
    runs with: the data folder ``$LOKET_SERVER_DATA``, its ``loket-server.toml`` and the
    ``LOKET_*`` variables, as ``loket-server run`` without flags reads them."""
    from syncserver.config import default_data_dir, load

    return load(default_data_dir())


def production_app() -> Any:
    """The WSGI app for ``gunicorn -c installers/server/gunicorn.conf.py`` (its ``wsgi_app``,
    or given as ``"syncserver.server:production_app()"``): each worker builds its own."""
    return make_app(settings_from_environment())


def _serve_gunicorn(settings: Settings, host: str, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    options = gunicorn_options(settings)
    if (host, port) != (settings.host, settings.port):
        options["bind"] = _binds(settings, host, port)

    class LoketGunicorn(BaseApplication):  # type: ignore[misc]
        def __init__(self) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return make_app(settings)

    master = os.getpid()
    try:
        LoketGunicorn().run()
    finally:
        # A worker's exit unwinds through here too (gunicorn forks inside run()): only the
        # master removes the folder (on_exit did, unless the master failed before it).
        if os.getpid() == master:
            _on_exit(None)


def _serve_waitress(settings: Settings, host: str, port: int) -> None:
    from waitress.adjustments import Adjustments
    from waitress.task import ThreadedTaskDispatcher

    if settings.workers > 1:
        log.warning("gunicorn is not available here: serving with waitress in one process")
    from common.bundle import MAX_BUNDLE_BYTES
    from syncserver.console.bundles import FORM_SLACK

    limit = settings.max_body_bytes
    adj = Adjustments(
        listen=" ".join(_binds(settings, host, port)),
        threads=settings.threads * 2,
        # silence while a request arrives (waitress counts seconds, whole ones)
        channel_timeout=max(1, round(settings.request_read_timeout)),
        cleanup_interval=1,  # how often the limits are checked
        # waitress stops reading (its own 413) a little past the largest body any endpoint
        # takes (a records bundle, relayed or uploaded in the console); the app answers with
        # a catalog 413 for anything over an endpoint's own limit that it sees
        max_request_body_size=max(limit, MAX_BUNDLE_BYTES + FORM_SLACK) + 64 * 1024,
        max_request_header_size=64 * 1024,
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    server_class = _waitress_server()
    server_class.deadline = settings.request_deadline
    app = make_app(settings)
    sockets: dict[int, Any] = {}  # the socket map every server of the loop shares
    servers = [
        server_class(app, sockets, dispatcher=dispatcher, adj=adj, sockinfo=info)
        for info in adj.listen
    ]
    servers[-1].run()  # one event loop serves every socket of the map


def _waitress_server() -> Any:
    from waitress.channel import HTTPChannel
    from waitress.server import TcpWSGIServer

    class LoketChannel(HTTPChannel):  # type: ignore[misc]
        """Remembers when the request being read began (its first bytes)."""

        request_began: float | None = None

        def received(self, data: bytes) -> bool:
            if self.request is None and data:
                self.request_began = time.time()
            done: bool = super().received(data)
            if self.request is None:
                self.request_began = None
            return done

    class LoketWaitress(TcpWSGIServer):  # type: ignore[misc]
        channel_class = LoketChannel
        deadline = 60.0

        def maintenance(self, now: float) -> None:
            super().maintenance(now)
            for channel in list(self.active_channels.values()):
                began = getattr(channel, "request_began", None)
                if began is not None and now - began > self.deadline and not channel.will_close:
                    log.info(
                        "closing a connection from %s: the request did not arrive within %g s",
                        channel.addr[0] if channel.addr else "?",
                        self.deadline,
                    )
                    channel.will_close = True

    return LoketWaitress
