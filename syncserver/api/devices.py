"""POST /api/v1/devices/enroll: a one-time code for a device credential."""

from __future__ import annotations

from flask import Blueprint, Response

from common import errors as E
from common.errors import ApiError
from common.protocol import API_PREFIX, EnrollRequest, encode
from syncserver import app as app_mod
from syncserver.api._io import message_response, read_message
from syncserver.enrollment import enroll

bp = Blueprint("devices", __name__, url_prefix=API_PREFIX)


@bp.post("/devices/enroll")
def enroll_device() -> Response:
    req, _, _ = read_message(EnrollRequest)
    # stored as text: control characters (NUL would be a 500 on PostgreSQL) are refused
    if not (req.device_name.isprintable() and req.app_version.isprintable()):
        detail = "device_name and app_version must be printable text"
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": detail})
    now = app_mod.loket().clock()
    response = enroll(app_mod.session(), req.code, req.device_name, req.app_version, now)
    return message_response(encode(response))
