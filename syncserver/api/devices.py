"""POST /api/v1/devices/enroll: a one-time code for a device credential."""

from __future__ import annotations

from flask import Blueprint, Response

from common import errors as E
from common.errors import ApiError
from common.protocol import API_PREFIX, EnrollRequest, encode
from syncserver import app as app_mod
from syncserver.api._io import ENROLL_MAX_BODY_BYTES, message_response, read_message
from syncserver.enrollment import enroll

bp = Blueprint("devices", __name__, url_prefix=API_PREFIX)

#: A code is 16 characters shown in groups of four (19 with dashes); room for spaces typed.
MAX_CODE_CHARS = 32
MAX_DEVICE_NAME_CHARS = 200  # the width of devices.name
MAX_APP_VERSION_CHARS = 50  # the width of devices.app_version


@bp.post("/devices/enroll")
def enroll_device() -> Response:
    # unauthenticated: a tiny body, read before anything is parsed, never decompressed
    req, _, _ = read_message(EnrollRequest, limit=ENROLL_MAX_BODY_BYTES, compressed=False)
    for name, value, most in (
        ("code", req.code, MAX_CODE_CHARS),
        ("device_name", req.device_name, MAX_DEVICE_NAME_CHARS),
        ("app_version", req.app_version, MAX_APP_VERSION_CHARS),
    ):
        if len(value) > most:
            detail = f"{name} must be at most {most} characters"
            raise ApiError(E.SCHEMA_VIOLATION, {"detail": detail})
    # stored as text: control characters (NUL would be a 500 on PostgreSQL) are refused
    if not (req.device_name.isprintable() and req.app_version.isprintable()):
        detail = "device_name and app_version must be printable text"
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": detail})
    now = app_mod.loket().clock()
    response = enroll(app_mod.session(), req.code, req.device_name, req.app_version, now)
    return message_response(encode(response))
