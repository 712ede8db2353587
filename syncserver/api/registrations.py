"""POST /api/v1/registrations/nik-check: is this NIK registered in the device's office?

The counter asks right after the 16th digit of a NIK is typed, to warn before the clerk types
the rest of the form. The answer reveals nothing outside the device's office: only that
office's registrations are looked at, so a NIK registered elsewhere answers exactly like an
unknown one (no matches, the same status and shape). The NIK comes in the body (never in a
URL, so never in an access log) and is not logged. A read-only lookup: on SQLite it runs on
the device-authentication engine, outside the write lock, so a push in progress does not
hold the counter up.
"""

from __future__ import annotations

from flask import Blueprint, Response
from sqlalchemy import select

from common import errors as E
from common.enums import Status
from common.errors import ApiError
from common.protocol import (
    API_PREFIX,
    MAX_NIK_MATCHES,
    NikCheckRequest,
    NikCheckResponse,
    NikMatch,
)
from syncserver.api._io import _auth_sessions, device, message_response, read_message
from syncserver.models import RegistrationRecord

bp = Blueprint("registrations", __name__, url_prefix=API_PREFIX)

#: ``{"nik": "<16 digits>"}`` is 27 bytes; room for whitespace, nothing like a batch.
NIK_CHECK_MAX_BODY_BYTES = 1024


@bp.post("/registrations/nik-check")
def nik_check() -> Response:
    dev = device()
    req, _, _ = read_message(NikCheckRequest, limit=NIK_CHECK_MAX_BODY_BYTES, compressed=False)
    nik = req.nik
    if len(nik) != 16 or not (nik.isascii() and nik.isdigit()):
        raise ApiError(E.NIK_FORMAT)  # no params: the NIK is not echoed
    with _auth_sessions()() as s, s.begin():
        rows = s.execute(
            select(RegistrationRecord.id, RegistrationRecord.code, RegistrationRecord.status)
            .where(RegistrationRecord.nik == nik, RegistrationRecord.office_code == dev.office_code)
            .order_by(RegistrationRecord.received_at, RegistrationRecord.id)
            .limit(MAX_NIK_MATCHES)
        ).all()
    matches = [NikMatch(r.id, r.code, Status(r.status)) for r in rows]
    return message_response(NikCheckResponse(matches))
