"""The Flask application factory: ``create_app(config)``."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from common import errors as E
from common.errors import ApiError
from common.i18n import Lang
from common.private_files import private_dir, touch_private, write_private_bytes
from syncserver import config as config_mod
from syncserver import db
from syncserver import metrics as metrics_mod
from syncserver.metrics import Metrics

log = logging.getLogger("syncserver")

_HTTP_CODES = {
    400: E.MALFORMED_JSON,
    401: E.AUTH_REQUIRED,
    403: E.FORBIDDEN,
    404: E.NOT_FOUND,
    405: E.METHOD_NOT_ALLOWED,
    413: E.BODY_TOO_LARGE,
    415: E.UNSUPPORTED_ENCODING,
    429: E.RATE_LIMITED,
    503: E.UNAVAILABLE,
}


#: The server's calendar (validation's "today": age limits): Western Indonesia Time.
SERVER_TZ = timezone(timedelta(hours=7), "WIB")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Loket:
    """What the app holds besides Flask's config: the database and the clock (a seam for tests)."""

    settings: dict[str, Any]
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = utcnow
    metrics: Metrics = field(default_factory=metrics_mod.for_app)


def loket() -> Loket:
    ext: Loket = current_app.extensions["loket"]
    return ext


def session() -> Session:
    """The request's session: one transaction, committed when the response is a success,
    rolled back otherwise (see :func:`_end_transaction`)."""
    if "db_session" not in g:
        g.db_session = loket().sessions()
    s: Session = g.db_session
    return s


def lang() -> Lang:
    best = request.accept_languages.best_match(["id", "en"], default="id") if request else "id"
    return Lang.EN if best == "en" else Lang.ID


def error_response(exc: ApiError) -> Response:
    body = exc.to_body(lang())
    return json_response(body, exc.http_status)


def json_response(data: Any, status: int = 200) -> Response:
    from common.wire import dumps

    return Response(dumps(data), status=status, mimetype="application/json")


def _secret_key(settings: dict[str, Any]) -> str:
    if settings.get("secret_key"):
        return str(settings["secret_key"])
    data_dir = settings.get("data_dir")
    if not data_dir:
        return secrets.token_hex(32)
    folder = private_dir(Path(data_dir))
    path = folder / "secret_key"
    if not path.exists():
        _create_secret_file(path, secrets.token_hex(32))
    touch_private(path)  # a key an earlier version left readable is tightened
    return path.read_text().strip()


def _create_secret_file(path: Path, value: str) -> None:
    """Write ``value`` to ``path`` 0600 from creation, complete or not at all.

    The value goes to a private temporary file first, which is then hard-linked to the name
    (``link`` fails when the name exists): two workers starting together never read a
    half-written key, and the loser keeps the winner's.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    write_private_bytes(tmp, value.encode("ascii"), exclusive=True)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: create the name itself, O_EXCL
        with contextlib.suppress(FileExistsError):
            write_private_bytes(path, value.encode("ascii"), exclusive=True)
    finally:
        tmp.unlink(missing_ok=True)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` None: defaults, then ``<data-dir>/loket-server.toml``, then
    ``LOKET_*`` variables (data dir from ``LOKET_SERVER_DATA`` or platformdirs). A dict: the
    defaults plus the dict only (tests, and the CLI after it resolved the configuration).
    Optional non-option keys: ``clock`` (a callable returning an aware datetime) and upper-case
    Flask settings.
    """
    if config is None:
        from syncserver.cli import default_data_dir

        settings = config_mod.load(default_data_dir())
    else:
        extra = {k: v for k, v in config.items() if k == "clock"}
        settings = config_mod.from_mapping({k: v for k, v in config.items() if k != "clock"})
        settings.update(extra)
    app = Flask(__name__)
    app.config.update({k: v for k, v in settings.items() if k.isupper()})
    app.config["MAX_CONTENT_LENGTH"] = settings["max_body_bytes"]
    app.config["SECRET_KEY"] = _secret_key(settings)
    app.config["JSON_SORT_KEYS"] = False
    if settings["trusted_proxies"]:
        # the client address and scheme as the configured number of proxies saw them; with 0
        # a client's own X-Forwarded-* headers are ignored (it could claim any address)
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(settings["trusted_proxies"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    logging.getLogger("syncserver").setLevel(settings["log_level"])

    engine = db.make_engine(
        settings["database"],
        busy_timeout_ms=settings["sqlite_busy_timeout_ms"],
        pool_size=settings["pool_size"],
    )
    app.extensions["loket"] = Loket(
        settings=settings,
        engine=engine,
        sessions=db.session_factory(engine),
        clock=settings.get("clock") or utcnow,
    )

    from syncserver.api import devices, health, registrations, sync

    app.register_blueprint(health.bp)
    app.register_blueprint(devices.bp)
    app.register_blueprint(sync.bp)
    app.register_blueprint(registrations.bp)

    from syncserver.console import register_console

    register_console(app)

    app.after_request(_end_transaction)
    app.teardown_request(_close_session)
    app.register_error_handler(ApiError, _on_api_error)
    app.register_error_handler(HTTPException, _on_http_error)
    app.register_error_handler(Exception, _on_exception)
    app.before_request(_start_timer)
    app.before_request(_metrics_listener_only)
    app.after_request(_count_request)
    return app


def _end_transaction(response: Response) -> Response:
    s: Session | None = g.pop("db_session", None)
    if s is not None:
        try:
            if response.status_code < 400:
                s.commit()
            else:
                s.rollback()
        finally:
            s.close()
    return response


def _close_session(_exc: BaseException | None) -> None:
    s: Session | None = g.pop("db_session", None)
    if s is not None:
        s.rollback()
        s.close()


def _is_api() -> bool:
    return request.path.startswith(("/api/", "/healthz", "/readyz", "/metrics"))


def _on_api_error(exc: ApiError) -> Response:
    return error_response(exc)


def _on_http_error(exc: HTTPException) -> Any:
    if not _is_api():
        return exc
    code = _HTTP_CODES.get(exc.code or 500, E.INTERNAL_ERROR)
    params: dict[str, Any] = {}
    if code == E.BODY_TOO_LARGE:
        params = {"max": loket().settings["max_body_bytes"]}
    return error_response(ApiError(code, params))


def _on_exception(exc: Exception) -> Any:
    if isinstance(exc, SQLAlchemyError):  # its message and traceback may quote personal data
        log.error("unhandled error on %s %s: %s", request.method, request.path,
                  db.describe_db_error(exc))  # fmt: skip
    else:
        log.exception("unhandled error on %s %s", request.method, request.path)
    if not _is_api():
        return Response("Internal Server Error", status=500, mimetype="text/plain")
    return error_response(ApiError(E.INTERNAL_ERROR))


def _start_timer() -> None:
    import time

    g.t0 = time.perf_counter()


def _count_request(response: Response) -> Response:
    import time

    loket().metrics.observe_request(
        request.method,
        request.url_rule.rule if request.url_rule else None,
        response.status_code,
        time.perf_counter() - g.get("t0", time.perf_counter()),
    )
    return response


def _metrics_listener_only() -> None:
    """The separate metrics address (``metrics_listen``) serves /metrics and nothing else: it
    may be reachable from a network that must not reach the API or the console."""
    if request.path != "/metrics" and metrics_mod.on_metrics_listener(
        request.environ, loket().settings
    ):
        raise ApiError(E.NOT_FOUND)
