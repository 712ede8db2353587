"""The Flask application factory: ``create_app(config)``."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from common import errors as E
from common.errors import ApiError
from common.private_files import private_dir, touch_private, write_private_bytes
from syncserver import config as config_mod
from syncserver import db
from syncserver import metrics as metrics_mod
from syncserver.config import Settings
from syncserver.context import Loket, error_response, log, loket, utcnow

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


def _secret_key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    data_dir = settings.data_dir
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


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` None: defaults, then ``<data-dir>/loket-server.toml``, then
    ``LOKET_*`` variables (data dir from ``LOKET_SERVER_DATA`` or platformdirs). A
    :class:`~syncserver.config.Settings`: those (the CLI, after it resolved the configuration).
    A mapping: the defaults plus its options and ``data_dir`` (tests); besides those it may hold
    ``clock`` (a callable returning an aware datetime) and upper-case Flask settings.
    """
    flask_config: dict[str, Any] = {}
    clock: Callable[[], datetime] = utcnow
    if config is None:
        settings = config_mod.load(config_mod.default_data_dir())
    elif isinstance(config, Settings):
        settings = config
    else:
        flask_config = {k: v for k, v in config.items() if k.isupper()}
        clock = config.get("clock") or utcnow
        settings = config_mod.from_mapping(
            {k: v for k, v in config.items() if not k.isupper() and k != "clock"}
        )
    app = Flask(__name__)
    app.config.update(flask_config)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["SECRET_KEY"] = _secret_key(settings)
    app.config["JSON_SORT_KEYS"] = False
    if settings.trusted_proxies:
        # the client address and scheme as the configured number of proxies saw them; with 0
        # a client's own X-Forwarded-* headers are ignored (it could claim any address)
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    logging.getLogger("syncserver").setLevel(settings.log_level)

    engine = db.make_engine(
        settings.database,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.pool_size,
    )
    standby = None
    if settings.console_database:
        from syncserver.standby import Standby

        standby = Standby(settings.console_database, pool_size=settings.pool_size)
    app.extensions["loket"] = Loket(
        settings=settings,
        engine=engine,
        sessions=db.session_factory(engine),
        clock=clock,
        standby=standby,
    )

    from syncserver.api import bundles, devices, health, registrations, sync

    app.register_blueprint(health.bp)
    app.register_blueprint(devices.bp)
    app.register_blueprint(sync.bp)
    app.register_blueprint(registrations.bp)
    app.register_blueprint(bundles.bp)

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
    _close_read_session()
    s: Session | None = g.pop("db_session", None)
    if s is not None:
        try:
            if response.status_code < 400:
                s.commit()
                _remember_write_position(s)
            else:
                s.rollback()
        finally:
            s.close()
    return response


def _remember_write_position(s: Session) -> None:
    """With a console standby: after a console POST committed, the primary's WAL position
    goes into the reviewer's session cookie, and their next read waits for the standby to
    replay it (or reads the primary): a reviewer sees their own decision at once."""
    if loket().standby is None or request.method != "POST" or _is_api():
        return
    from flask import session as cookie

    from syncserver.context import WROTE_LSN
    from syncserver.standby import wal_position

    lsn = wal_position(s)
    if lsn is not None:
        cookie[WROTE_LSN] = lsn


def _close_read_session() -> None:
    """The console's read session on the standby ends without writing anything; one that fell
    back to the primary is the request's own session and ends with it."""
    s: Session | None = g.pop("db_read_session", None)
    if s is not None and g.get("db_read_on_standby"):
        s.rollback()
        s.close()


def _close_session(_exc: BaseException | None) -> None:
    _close_read_session()
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
        params = {"max": loket().settings.max_body_bytes}
    return error_response(ApiError(code, params))


def _on_exception(exc: Exception) -> Any:
    if isinstance(exc, SQLAlchemyError):  # its message and traceback may quote personal data
        log.error(
            "unhandled error on %s %s: %s", request.method, request.path, db.describe_db_error(exc)
        )
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
