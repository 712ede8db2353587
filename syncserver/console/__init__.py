"""The review console: server-rendered pages for central staff (issue 6).

``register_console(app)`` adds it to the sync server's app: the blueprints (auth, dashboard,
batches, duplicates, records, decisions, export, bundles, admin), CSRF protection of every form
(Flask-WTF's CSRFProtect; the device API under ``/api`` uses bearer credentials and is
exempt), the session cookie (console/sessions.py), the translation function and the template filters.

Pages live under ``/console/``; ``/`` redirects there.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect  # type: ignore[import-untyped]

from syncserver.config import Settings
from syncserver.console import formatting, sessions
from syncserver.console.i18n import current_lang
from syncserver.console.i18n import gettext as _

csrf = CSRFProtect()

PREFIX = "/console"


def register_console(app: Flask) -> None:
    settings: Settings = app.extensions["loket"].settings
    # not setdefault: Flask's defaults ("session", 31 days) are always there already
    sessions.install(app, settings)
    # the token lives as long as the session (a reviewer's page may stay open for hours)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    # checked below for every non-API POST, whoever registered the route
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    from syncserver.console import (
        admin,
        auth,
        batches,
        bundles,
        claims,
        dashboard,
        decisions,
        duplicates,
        export,
        records,
    )

    @app.before_request
    def _csrf() -> None:
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not _is_device_api(
            request.path
        ):
            if request.endpoint == bundles.UPLOAD_ENDPOINT:
                bundles.bound_upload()  # before the form is read
            csrf.protect()

    for module in (
        auth,
        dashboard,
        batches,
        duplicates,
        records,
        decisions,
        export,
        bundles,
        admin,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(claims.bp)
    app.jinja_env.globals.update(
        claim_on_record=claims.claim_on_record, claim_on_group=claims.claim_on_group
    )

    from syncserver.console.web import page_args

    app.jinja_env.globals.update(_=_, current_lang=current_lang, page_args=page_args)
    formatting.install(app.jinja_env)
    app.jinja_env.autoescape = True

    if not any(r.rule == "/" for r in app.url_map.iter_rules()):
        app.add_url_rule("/", "console_root", lambda: redirect(url_for("console_dashboard.index")))

    app.register_error_handler(CSRFError, _on_csrf_error)
    app.after_request(_security_headers)


#: Pages carry personal data: not cached, not framed; only this site's scripts run (the bar
#: charts' widths are inline style attributes, hence 'unsafe-inline' for styles only).
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _security_headers(response: Any) -> Any:
    if request.path.startswith(PREFIX):
        for key, value in _HEADERS.items():
            response.headers.setdefault(key, value)
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _is_device_api(path: str) -> bool:
    return path.startswith("/api/") or path in ("/healthz", "/readyz", "/metrics")


def _on_csrf_error(exc: CSRFError) -> Any:
    if _is_device_api(request.path):  # pragma: no cover - the API is never checked
        return exc
    return (
        render_template(
            "console/error.html",
            code=400,
            title=_("The form expired or was not sent from this site"),
            message=_("Go back, reload the page and try again."),
        ),
        400,
    )
