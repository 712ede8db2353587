"""Health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response, request
from sqlalchemy import text

from common import errors as E
from common.errors import ApiError
from common.protocol import API_PREFIX
from syncserver import context as app_mod
from syncserver import metrics as metrics_mod
from syncserver.api.sync import push_formats
from syncserver.openapi import document

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return app_mod.json_response({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    try:
        app_mod.session().execute(text("SELECT 1 FROM registrations LIMIT 1"))
    except Exception:  # any failure means not ready
        app_mod.log.warning("readyz: database not ready", exc_info=True)
        return app_mod.json_response({"status": "unavailable", "database": "error"}, 503)
    # the push formats it takes, so the sync that follows the check can use the smallest
    return push_formats(app_mod.json_response({"status": "ok", "database": "ok"}))


@bp.get("/metrics")
def metrics() -> Response:
    """Only to an allowed scraper: on the ``metrics_listen`` address, or with the bearer token
    ``metrics_token``. With neither configured /metrics does not exist (404); a wrong or
    missing token is a 401."""
    ext = app_mod.loket()
    token = ext.settings.metrics_token
    if not metrics_mod.on_metrics_listener(request.environ, ext.settings):
        if not token:
            raise ApiError(E.NOT_FOUND)
        if not metrics_mod.bearer_ok(request.headers.get("Authorization"), token):
            response = app_mod.error_response(ApiError(E.AUTH_REQUIRED))
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    return Response(ext.metrics.render(), content_type=metrics_mod.CONTENT_TYPE)


@bp.get(f"{API_PREFIX}/openapi.json")
def openapi() -> Response:
    return app_mod.json_response(document())
