"""Server-side console sessions and the session cookie.

Flask's signed cookie carries only a random token (``sid``), the language and the CSRF
token; who is signed in lives in ``console_sessions`` under the token's SHA-256. So signing
out, changing a password or disabling an account ends sessions at once (a copied cookie is
refused afterwards), and a session ends ``session_hours`` after sign-in and after
``session_idle_minutes`` without a request, whatever the cookie says.

The cookie is HttpOnly and SameSite=Lax; on HTTPS (directly, or as a trusted proxy's
X-Forwarded-Proto says: ``trusted_proxies``) or with ``cookie_secure = true`` it is also
Secure and named with the ``__Host-`` prefix (the browser then refuses it from plain HTTP,
from another path and from a sibling domain).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import UTC, datetime, timedelta

from flask import Flask, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.orm import Session

from syncserver.config import Settings
from syncserver.models import ConsoleSession
from syncserver.queries import users as users_q

COOKIE_NAME = "loket_console"
#: last_seen_at is written at most this often per session (one UPDATE a minute, not a request)
TOUCH_EVERY = timedelta(seconds=60)


def _secure_mode(app: Flask, settings: Settings) -> str:
    """``always``, ``never`` or ``https`` (Secure for the requests that arrived over HTTPS)."""
    value = settings.cookie_secure
    if value in ("true", "false"):
        return "always" if value == "true" else "never"
    if app.config.get("TESTING"):
        return "https"
    host = settings.host
    if host == "localhost":
        return "https"
    try:
        return "https" if ipaddress.ip_address(host).is_loopback else "always"
    except ValueError:
        return "always"


class CookieInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, named and flagged per request (``__Host-`` when Secure)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def _secure(self) -> bool:
        if self.mode == "https":
            return has_request_context() and request.is_secure
        return self.mode == "always"

    def get_cookie_secure(self, app: Flask) -> bool:
        return self._secure()

    def get_cookie_name(self, app: Flask) -> str:
        return f"__Host-{COOKIE_NAME}" if self._secure() else COOKIE_NAME

    def get_cookie_domain(self, app: Flask) -> str | None:
        return None  # __Host- forbids a Domain attribute

    def get_cookie_path(self, app: Flask) -> str:
        return "/"


def install(app: Flask, settings: Settings) -> None:
    app.session_interface = CookieInterface(_secure_mode(app, settings))
    app.config["SESSION_COOKIE_NAME"] = COOKIE_NAME
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = CookieInterface(_secure_mode(app, settings))._secure()
    # the cookie's own expiry: the absolute lifetime (the database enforces both lifetimes)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=settings.session_hours)


def _lifetimes(settings: Settings) -> tuple[timedelta, timedelta]:
    """The absolute and the idle lifetime of a session."""
    return (
        timedelta(hours=settings.session_hours),
        timedelta(minutes=settings.session_idle_minutes),
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def current_id_hash() -> str | None:
    token = session.get("sid")
    return _hash(token) if isinstance(token, str) and token else None


def begin(db: Session, settings: Settings, user_id: int, now: datetime) -> None:
    """A new session for ``user_id`` (sign-in): a fresh cookie, nothing kept from before but
    the language (no session fixation). Sessions that ended by a lifetime are purged."""
    absolute, idle = _lifetimes(settings)
    users_q.purge_sessions(db, now - absolute, now - idle)
    lang = session.get("lang")
    session.clear()
    token = secrets.token_urlsafe(32)
    users_q.add_session(db, _hash(token), user_id, now)
    session.permanent = True
    session["sid"] = token
    if lang:
        session["lang"] = lang


def end(db: Session) -> None:
    """Sign-out: the row goes, so this cookie (and any copy of it) is refused from now on."""
    id_hash = current_id_hash()
    if id_hash is not None:
        users_q.end_session(db, id_hash)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def live(db: Session, settings: Settings, now: datetime) -> ConsoleSession | None:
    """The request's session row if it exists and neither lifetime has passed (an expired
    one is deleted); ``last_seen_at`` moves on."""
    id_hash = current_id_hash()
    if id_hash is None:
        return None
    row = users_q.get_session(db, id_hash)
    if row is None:
        return None
    created, seen = _aware(row.created_at), _aware(row.last_seen_at)
    absolute, idle = _lifetimes(settings)
    if now >= created + absolute or now >= seen + idle:
        users_q.end_session(db, id_hash)
        return None
    if now - seen >= TOUCH_EVERY:
        users_q.touch_session(db, id_hash, now)
    return row
