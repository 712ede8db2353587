"""Device enrollment: one-time codes from the console, exchanged for a device credential.

Codes are 16 characters from an alphabet without look-alikes (80 bits), shown in groups of
four; only their SHA-256 is stored. A credential is ``<device_id>.<secret>`` with a 256-bit
secret; only the SHA-256 of the secret is stored (a high-entropy token needs no slow hash).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from common import errors as E
from common.bundle import PublicKeys
from common.errors import ApiError
from common.protocol import BundleKey, EnrollResponse, normalise_enroll_code
from common.wiretime import utc_text
from syncserver.models import Device
from syncserver.queries import devices as q
from syncserver.queries.reviews import append_audit

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 16


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


normalise_code = normalise_enroll_code


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def issue_code(
    session: Session, office_code: str, now: datetime, ttl: timedelta, by: str = "cli"
) -> str:
    """A new one-time enrollment code for ``office_code`` (stored hashed)."""
    if q.get_office(session, office_code) is None:
        raise ApiError(E.NOT_FOUND, details={"office_code": office_code})
    code = new_code()
    q.add_enrollment_code(
        session, sha256_hex(normalise_code(code)), office_code, now, now + ttl, by
    )
    append_audit(
        session,
        now=now,
        actor_kind="staff",
        actor=by,
        action="enrollment_code.issue",
        target_kind="office",
        target_id=office_code,
        office_code=office_code,
        details={"expires_at": (now + ttl).isoformat()},
    )
    return code


def device_public_keys(key: BundleKey) -> PublicKeys:
    """A device's public bundle keys as sent (SCHEMA_VIOLATION when they are not two 32-byte
    keys, or the key id does not name them)."""
    try:
        return PublicKeys.of(key)
    except ValueError as exc:
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": f"device_key: {exc}"}) from None


def register_bundle_key(
    session: Session, device_id: str, office_code: str, keys: PublicKeys, now: datetime
) -> None:
    """Store a device's public bundle keys (audited as ``device.bundle_key``)."""
    public = keys.to_dict()
    q.set_bundle_key(
        session, device_id, public["key_id"], public["encryption_key"], public["signing_key"]
    )
    append_audit(
        session,
        now=now,
        actor_kind="device",
        actor=device_id,
        action="device.bundle_key",
        target_kind="device",
        target_id=device_id,
        office_code=office_code,
        details={"key_id": public["key_id"]},
    )


#: A secret a device chooses for its credential (``EnrollRequest.credential_secret``): URL-safe
#: base64 of at least 24 random bytes (the server's own are 32).
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,128}")


def enroll(
    session: Session,
    code: str,
    device_name: str,
    app_version: str,
    now: datetime,
    device_key: PublicKeys | None = None,
    secret: str | None = None,
) -> EnrollResponse:
    """Enroll a device with a one-time code; with ``device_key``, its public bundle keys are
    stored with it (the caller adds the server's keys to the answer). With ``secret`` (the
    device's own choice of credential secret), the same request again, for a code this
    request already used, gets the same answer: the first answer may have been lost on a
    slow link, and only the device that sent the secret knows it."""
    if secret is not None and not SECRET_PATTERN.fullmatch(secret):
        detail = "credential_secret must be 32 to 128 URL-safe base64 characters"
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": detail})
    code_hash = sha256_hex(normalise_code(code))
    device_id = str(uuid.uuid4())
    office_code = q.consume_enrollment_code(session, code_hash, device_id, now)
    if office_code is None:
        known = q.enrollment_code(session, code_hash)
        if known is None:
            raise ApiError(E.ENROLL_CODE_INVALID)
        if known.used_at is not None:
            again = _answer_again(session, known.device_id, secret, now)
            if again is None:
                raise ApiError(E.ENROLL_CODE_USED)
            return again
        raise ApiError(E.ENROLL_CODE_EXPIRED)
    office = q.get_office(session, office_code)
    assert office is not None
    device_no = q.next_device_no(session, office_code)
    secret = secret or secrets.token_urlsafe(32)
    q.add_device(
        session,
        Device(
            id=device_id,
            office_code=office_code,
            device_no=device_no,
            name=device_name[:200],
            app_version=app_version[:50],
            credential_hash=sha256_hex(secret),
            enrolled_at=now,
            last_seen_at=now,
        ),
    )
    append_audit(
        session,
        now=now,
        actor_kind="device",
        actor=device_id,
        action="device.enroll",
        target_kind="device",
        target_id=device_id,
        office_code=office_code,
        details={"device_no": device_no, "name": device_name[:200]},
    )
    if device_key is not None:
        register_bundle_key(session, device_id, office_code, device_key, now)
    return EnrollResponse(
        device_id=device_id,
        credential=f"{device_id}.{secret}",
        office_code=office_code,
        office_name=office.name,
        device_no=device_no,
        server_time=utc_text(now),
    )


def _answer_again(
    session: Session, device_id: str | None, secret: str | None, now: datetime
) -> EnrollResponse | None:
    """The answer to an enrollment sent again: the device the code enrolled, if its
    credential is the one this request chose and it is not revoked; else None."""
    if secret is None or device_id is None:
        return None
    dev = session.get(Device, device_id)
    if dev is None or dev.revoked_at is not None:
        return None
    if not hmac.compare_digest(dev.credential_hash, sha256_hex(secret)):
        return None
    office = q.get_office(session, dev.office_code)
    assert office is not None
    return EnrollResponse(
        device_id=dev.id,
        credential=f"{dev.id}.{secret}",
        office_code=dev.office_code,
        office_name=office.name,
        device_no=dev.device_no,
        server_time=utc_text(now),
    )


@dataclass(frozen=True, slots=True)
class AuthenticatedDevice:
    id: str
    office_code: str
    device_no: int = 0  # the DDD part of the registration codes it makes


def authenticate(session: Session, header: str | None) -> AuthenticatedDevice:
    """The device behind ``Authorization: Bearer <device_id>.<secret>``, or an ApiError."""
    if not header or not header.startswith("Bearer "):
        raise ApiError(E.AUTH_REQUIRED)
    device_id, sep, secret = header[7:].strip().partition(".")
    if not sep or not device_id or not secret or len(device_id) > 64:
        raise ApiError(E.AUTH_INVALID)
    found = q.device_auth(session, device_id)
    if found is None or not hmac.compare_digest(found.credential_hash, sha256_hex(secret)):
        raise ApiError(E.AUTH_INVALID)
    if found.revoked:
        raise ApiError(E.DEVICE_REVOKED)
    return AuthenticatedDevice(found.id, found.office_code, found.device_no)
