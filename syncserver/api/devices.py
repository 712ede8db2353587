"""POST /api/v1/devices/enroll: a one-time code for a device credential."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Blueprint, Response, request

from common import errors as E
from common import wire
from common.errors import ApiError
from common.protocol import (
    API_PREFIX,
    DeviceKeyRequest,
    DeviceKeyResponse,
    EnrollRequest,
    EnrollResponse,
)
from syncserver import bundle_keys, db
from syncserver import context as app_mod
from syncserver.api._io import (
    ENROLL_MAX_BODY_BYTES,
    device,
    message_response,
    read_message,
)
from syncserver.api.sync import push_formats
from syncserver.enrollment import device_public_keys, enroll, register_bundle_key
from syncserver.queries import users as counters
from syncserver.queries.reviews import append_audit

bp = Blueprint("devices", __name__, url_prefix=API_PREFIX)
#: the push formats with the enrollment's answer too: a new device's first batch can go by
#: columns (common/columns.py)
bp.after_request(push_formats)

#: A code is 16 characters shown in groups of four (19 with dashes); room for spaces typed.
MAX_CODE_CHARS = 32
MAX_DEVICE_NAME_CHARS = 200  # the width of devices.name
MAX_APP_VERSION_CHARS = 50  # the width of devices.app_version


@bp.post("/devices/enroll")
def enroll_device() -> Response:
    """Unauthenticated, so every attempt is counted per client address before anything else
    (one atomic claim on the database's attempt counters, ``login_throttle``, shared by all
    server processes and with the console's sign-in throttle); more than
    ``enroll_max_failures`` failed ones within ``enroll_window_minutes`` are refused with 429
    before the body is read. A refused attempt is logged and audited without the code sent."""
    ext = app_mod.loket()
    now = ext.clock()
    address = (request.remote_addr or "unknown")[:64]
    key = f"e:{address}"
    minutes = ext.settings.enroll_window_minutes
    most = ext.settings.enroll_max_failures
    with db.transaction(ext.sessions) as s:
        attempt = counters.claim_counted(s, key, int(now.timestamp()), most, minutes * 60)
        refused = counters.note_refused(s, key) if attempt is None else 0
    if attempt is None:
        # once per window at warning level: a flood of refused attempts does not flood the log
        app_mod.log.log(
            logging.WARNING if refused == 1 else logging.DEBUG,
            "enrollment from %s refused: more than %d failed attempts within %d minutes",
            address,
            most,
            minutes,
        )
        raise ApiError(E.RATE_LIMITED)
    try:
        response = _enroll(now)
    except ApiError as exc:
        app_mod.session().rollback()  # ends its transaction (SQLite: frees the write lock)
        _refused(address, exc.code, attempt, most, now)
        raise
    counters.release(app_mod.session(), [key])  # only failures count; committed with the device
    # the bundle keys only to a device that sent its own: an older client's answer is as it was
    return message_response(body=wire.dumps_leaving_out(response, "bundle_keys"))


def _enroll(now: datetime) -> EnrollResponse:
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
    keys = None if req.device_key is None else device_public_keys(req.device_key)
    response = enroll(
        app_mod.session(),
        req.code,
        req.device_name,
        req.app_version,
        now,
        keys,
        req.credential_secret,
    )
    if keys is not None:
        response.bundle_keys = bundle_keys.for_settings(app_mod.loket().settings, now).public_list(
            now
        )
    return response


@bp.post("/devices/keys")
def register_keys() -> Response:
    """An enrolled device registers (or replaces) its public bundle keys; the answer lists
    the server's accepted keys. The credential proves the device, as for a push."""
    dev = device()
    req, _, _ = read_message(DeviceKeyRequest, limit=ENROLL_MAX_BODY_BYTES, compressed=False)
    keys = device_public_keys(req.device_key)
    now = app_mod.loket().clock()
    register_bundle_key(app_mod.session(), dev.id, dev.office_code, keys, now)
    server = bundle_keys.for_settings(app_mod.loket().settings, now).public_list(now)
    return message_response(DeviceKeyResponse(key_id=keys.key_id, bundle_keys=server))


def _refused(address: str, code: str, attempt: int, most: int, now: datetime) -> None:
    """Log and audit a failed enrollment: the address, the error code and the count, never
    the enrollment code that was sent. Its own transaction: the request's is rolled back."""
    app_mod.log.warning(
        "enrollment from %s refused: %s (failed attempt %d of %d allowed)",
        address,
        code,
        attempt,
        most,
    )
    with db.transaction(app_mod.loket().sessions) as s:
        append_audit(
            s,
            now=now,
            actor_kind="device",
            actor="",
            action="device.enroll_refused",
            target_kind="address",
            target_id=address,
            details={"error": code, "attempt": attempt},
        )
