"""Health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response
from sqlalchemy import text

from common.protocol import API_PREFIX
from syncserver import app as app_mod
from syncserver.openapi import document

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return app_mod.json_response({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    try:
        app_mod.session().execute(text("SELECT 1 FROM registrations LIMIT 1"))
    except Exception:  # noqa: BLE001 - any failure means not ready
        app_mod.log.warning("readyz: database not ready", exc_info=True)
        return app_mod.json_response({"status": "unavailable", "database": "error"}, 503)
    return app_mod.json_response({"status": "ok", "database": "ok"})


@bp.get("/metrics")
def metrics() -> Response:
    return Response(
        app_mod.loket().metrics.render(),
        mimetype="text/plain",
        content_type="text/plain; version=0.0.4",
    )


@bp.get(f"{API_PREFIX}/openapi.json")
def openapi() -> Response:
    return app_mod.json_response(document())
