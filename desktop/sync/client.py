"""HTTP client for the sync API v1 (requests), with explicit timeouts and TLS verification.

Every failure becomes a :class:`common.errors.ApiError` with a catalog code, so the engine and
the views speak one language: transport failures are ``SERVER_UNREACHABLE`` (or ``TLS_ERROR``),
the server's own errors keep the code of its JSON body.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from common import errors as E
from common import wire
from common.errors import ApiError
from common.protocol import (
    API_PREFIX,
    EnrollRequest,
    EnrollResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    decode,
    encode,
)

T = TypeVar("T")

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
USER_AGENT = "loket-desk/0.1"
#: Largest decompressed response the client accepts (a pull page of 1,000 changes is far less).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Exchange:
    """What one request cost on the wire."""

    bytes_sent: int
    bytes_received: int
    seconds: float


class SyncClient:
    """One server, one device credential (``None`` before enrollment)."""

    def __init__(
        self,
        server_url: str,
        credential: str | None = None,
        *,
        ca_bundle: str | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        lang: str = "id",
    ) -> None:
        self.base = require_tls(server_url).rstrip("/")
        self.credential = credential
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        # TLS verification is always on; an office behind its own CA names its bundle.
        self.session.verify = ca_bundle or True
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept-Language"] = lang
        self.last: Exchange | None = None

    def close(self) -> None:
        self.session.close()

    # --- endpoints -----------------------------------------------------------------------
    def health(self) -> bool:
        """True when the server answers its readiness check (a real request, short timeout)."""
        try:
            r = self.session.get(self.base + "/readyz", timeout=(3.0, 5.0))
        except requests.RequestException:
            return False
        return r.status_code == 200

    def enroll(self, code: str, device_name: str = "", app_version: str = "") -> EnrollResponse:
        body = wire.dumps(
            encode(
                EnrollRequest(code=code.strip(), device_name=device_name, app_version=app_version)
            )
        )
        data = self._request("POST", "/devices/enroll", body, auth=False)
        return decode(EnrollResponse, data)

    def push(self, request: PushRequest, encoding: str = "zstd") -> PushResponse:
        raw = wire.dumps(encode(request))
        body = wire.compress(raw, encoding)
        data = self._request("POST", "/sync/push", body, headers={"Content-Encoding": encoding})
        return decode(PushResponse, data)

    def pull(self, cursor: str, limit: int = 500) -> PullResponse:
        data = self._request(
            "GET", "/sync/pull", None, params={"cursor": cursor, "limit": str(limit)}
        )
        return decode(PullResponse, data)

    # --- plumbing ------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        body: bytes | None,
        *,
        auth: bool = True,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        hdrs = {"Accept-Encoding": "zstd, gzip"}
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        if auth:
            if not self.credential:
                raise ApiError(E.NOT_ENROLLED)
            hdrs["Authorization"] = f"Bearer {self.credential}"
        started = time.perf_counter()
        try:
            r = self.session.request(
                method,
                self.base + API_PREFIX + path,
                data=body,
                headers=hdrs,
                params=params,
                timeout=self.timeout,
            )
            content = r.content
            received = len(content)
            encoding = r.headers.get("Content-Encoding", "").strip().lower()
            if encoding == "zstd":  # urllib3 decodes gzip itself, zstd only on newer Pythons
                content = wire.decompress(content, "zstd", MAX_RESPONSE_BYTES)
        except requests.exceptions.SSLError as exc:
            raise ApiError(E.TLS_ERROR, details={"reason": str(exc)[:200]}) from None
        except requests.RequestException as exc:  # refused, reset, timeout, truncated body
            raise ApiError(E.SERVER_UNREACHABLE, details={"reason": type(exc).__name__}) from None
        self.last = Exchange(len(body or b""), received, time.perf_counter() - started)
        if r.status_code >= 400:
            raise _error_from(r.status_code, content)
        try:
            return wire.loads(content)
        except ApiError:
            # a proxy's HTML page or a cut-off body: the request's fate is unknown
            raise ApiError(
                E.SERVER_UNREACHABLE, details={"reason": "unreadable response"}
            ) from None


def _error_from(status: int, content: bytes) -> ApiError:
    try:
        data = wire.loads(content)
    except ApiError:
        data = None
    if isinstance(data, dict) and data.get("code") in E.CATALOG:
        details = data.get("details") if isinstance(data.get("details"), dict) else {}
        return ApiError(str(data["code"]), details=details or {})
    if status >= 500 or status in (408, 429):
        return ApiError(E.UNAVAILABLE, details={"status": status})
    return ApiError(E.SCHEMA_VIOLATION, {"detail": f"HTTP {status}"}, {"status": status})


def require_tls(server_url: str) -> str:
    """The URL, if it is https, or http to this computer (a local demo or test server).

    Personal data leaves the device only over TLS (DESIGN promise 7); the loopback exception
    never crosses a network."""
    parts = urlsplit(server_url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return server_url.strip()
    if parts.scheme == "http" and (host == "localhost" or _is_loopback(host)):
        return server_url.strip()
    raise ApiError(E.TLS_REQUIRED, details={"url": server_url[:200]})


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: Codes after which trying again later can succeed (the engine backs off and retries).
TRANSIENT = frozenset({E.SERVER_UNREACHABLE, E.UNAVAILABLE, E.RATE_LIMITED, E.INTERNAL_ERROR})
#: Codes that mean this device may not sync until a person acts.
REFUSED = frozenset(
    {
        E.AUTH_REQUIRED,
        E.AUTH_INVALID,
        E.DEVICE_REVOKED,
        E.DEVICE_MISMATCH,
        E.NOT_ENROLLED,
        E.TLS_ERROR,
        E.TLS_REQUIRED,
    }
)
