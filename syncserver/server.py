"""Production WSGI serving for `loket-server run`: gunicorn (Linux, N worker processes),
waitress where gunicorn is not available (Windows: one process, threads). Never the Flask
development server."""

from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
from typing import Any

log = logging.getLogger("syncserver")


def gunicorn_available() -> bool:
    try:
        import fcntl  # noqa: F401  (gunicorn needs a POSIX system)

        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def make_app(settings: dict[str, Any]) -> Any:
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
    return app


def serve(settings: dict[str, Any]) -> None:
    host, port = settings["host"], int(settings["port"])
    if gunicorn_available():
        _serve_gunicorn(settings, host, port)
    else:
        _serve_waitress(settings, host, port)


def _bind(host: str, port: int) -> str:
    return f"{'[' + host + ']' if ':' in host else host}:{port}"


def _binds(settings: dict[str, Any], host: str, port: int) -> list[str]:
    """The main address, and the separate metrics address where one is configured."""
    from syncserver.config import ConfigError, parse_listen

    binds = [_bind(host, port)]
    if settings.get("metrics_listen"):
        m_host, m_port = parse_listen(str(settings["metrics_listen"]))
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


def _serve_gunicorn(settings: dict[str, Any], host: str, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    binds = _binds(settings, host, port)
    folder, master = _metrics_folder(), os.getpid()

    class LoketGunicorn(BaseApplication):  # type: ignore[misc]
        def __init__(self) -> None:
            self.options = {
                "bind": binds,
                "workers": int(settings["workers"]),
                "threads": int(settings["threads"]),
                "worker_class": "gthread" if int(settings["threads"]) > 1 else "sync",
                "timeout": 120,
                "graceful_timeout": 30,
                "keepalive": 5,
                "preload_app": False,  # each worker opens its own database connections
                "loglevel": str(settings["log_level"]).lower(),
                "errorlog": "-",
                "proc_name": "loket-server",
                "child_exit": _child_exit,
            }
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return make_app(settings)

    try:
        LoketGunicorn().run()
    finally:
        # A worker's exit unwinds through here too (gunicorn forks inside run()): only the
        # master, once every worker is gone, removes the folder.
        if os.getpid() == master:
            shutil.rmtree(folder, ignore_errors=True)


def _serve_waitress(settings: dict[str, Any], host: str, port: int) -> None:
    import waitress

    if int(settings["workers"]) > 1:
        log.warning("gunicorn is not available here: serving with waitress in one process")
    listen = " ".join(_binds(settings, host, port))
    waitress.serve(
        make_app(settings),
        listen=listen,
        threads=int(settings["threads"]) * 2,
    )
