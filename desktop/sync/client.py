"""HTTP client for the sync API v1 (requests), with explicit timeouts and TLS verification.

Every failure becomes a :class:`common.errors.ApiError` with a catalog code, so the engine and
the views speak one language: transport failures are ``SERVER_UNREACHABLE`` (or ``TLS_ERROR``),
the server's own errors keep the code of its JSON body.

Every answer is read within bounds (issue 12): at most ``MAX_WIRE_BYTES`` from the socket and
``MAX_RESPONSE_BYTES`` after undoing ``Content-Encoding`` (zstd, gzip, deflate, decoded here,
never by urllib3, which inflates without a limit); more is ``RESPONSE_TOO_LARGE``. Redirects
are never followed: a 3xx would make requests re-send a push (personal data) or the enrollment
code to whatever address the answer names, so it is ``SERVER_REDIRECT`` and nothing more is
sent.
"""

from __future__ import annotations

import ipaddress
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3
import zstandard

from common import errors as E
from common import wire
from common.columns import FORMAT as COLUMNS
from common.columns import FORMATS_HEADER, answer_to_rows, is_answer_columns, to_columns
from common.digits import is_digits
from common.errors import ApiError
from common.protocol import (
    API_PREFIX,
    Backlog,
    BundleKey,
    DeviceKeyRequest,
    DeviceKeyResponse,
    EnrollRequest,
    EnrollResponse,
    NikCheckRequest,
    NikCheckResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    decode,
)
from desktop.sync.link import LinkEstimate
from desktop.sync.versions import APP_VERSION

T = TypeVar("T")

#: The floors of each request's time limits; a slow link's measured pace raises them
#: (desktop/sync/link.py): connecting, the TLS handshake and each send; each wait for the answer.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
#: zstd works harder (level 15: a sixth fewer bytes, some tens of ms of CPU per batch) when
#: the body would take longer than this to cross the link as measured (or not measured yet).
SLOW_BODY_S = 1.0
#: What a body compresses to at the default level, for that estimate (bytes out per byte in).
_ZSTD_RATIO = 0.12
#: The readiness check's floors (it is small and only asks whether the server is there).
HEALTH_TIMEOUT = (3.0, 5.0)
USER_AGENT = "loket-desk/0.1"
#: Largest decompressed response the client accepts (a pull page of 1,000 changes is far less).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: Largest response read from the socket, before decompression.
MAX_WIRE_BYTES = 16 * 1024 * 1024
_CHUNK = 256 * 1024
#: Largest acknowledgement bundle a relay accepts back (the bundle format's own bound).
MAX_BUNDLE_ANSWER_BYTES = 64 * 1024 * 1024
#: The response header in which the server sums up a relayed import (JSON).
IMPORT_HEADER = "X-Loket-Import"


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
        link: LinkEstimate | None = None,
        push_columns: bool = False,
    ) -> None:
        """``link``: what is known of the link (the app keeps one across syncs); the
        timeouts are floors that a slow link's measured pace raises."""
        self.base = require_tls(server_url).rstrip("/")
        self.credential = credential
        self.timeout = (connect_timeout, read_timeout)
        self.link = link if link is not None else LinkEstimate()
        self.session = requests.Session()
        # TLS verification is always on; an office behind its own CA names its bundle. Given
        # with every request: requests lets $REQUESTS_CA_BUNDLE / $CURL_CA_BUNDLE win over a
        # session's own bundle (set on many managed PCs), which refused the office's server.
        self.verify: str | bool = ca_bundle or True
        self.session.verify = self.verify
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept-Language"] = lang
        for prefix in ("https://", "http://"):
            self.session.mount(prefix, _NoRedirectAdapter())
        self.last: Exchange | None = None
        self.last_import: dict[str, Any] | None = None
        #: send ``client_version`` with pulls (a server before issue 18 refuses the name)
        self.send_version = True
        #: the server's answers listed the columns push format (common/columns.py); the
        #: store remembers it from the last sync (settings.SERVER_PUSH_COLUMNS)
        self.push_columns = push_columns

    def close(self) -> None:
        self.session.close()

    # --- endpoints -----------------------------------------------------------------------
    def health(self) -> bool:
        """True when the server answers its readiness check (a real request; its limits are
        short on a fast link and as long as a slow one needs). Its connection stays open for
        the sync that follows."""
        started = time.perf_counter()
        try:
            r = self.session.get(
                self.base + "/readyz",
                timeout=self.link.timeouts(HEALTH_TIMEOUT).pair(),
                allow_redirects=False,
                stream=True,
                verify=self.verify,
            )
            try:
                # a few bytes, read to the end: urllib3 then gives the connection back to the
                # pool (closing an unread answer closes its connection)
                raw = _read_bounded(r, _CHUNK)
            finally:
                r.close()
        except (requests.RequestException, ApiError):
            return False
        self._note_formats(r.headers)
        self.link.observe(0, len(raw), time.perf_counter() - started)
        return r.status_code == 200

    def enroll(
        self,
        code: str,
        device_name: str = "",
        app_version: str = "",
        device_key: BundleKey | None = None,
        credential_secret: str | None = None,
    ) -> EnrollResponse:
        """``credential_secret``: the device's own choice (sent again with the same request
        when an answer was lost, it gets the same answer); a server before it refuses the
        field, and is asked again without it."""
        request = EnrollRequest(
            code=code.strip(),
            device_name=device_name,
            app_version=app_version,
            device_key=device_key,
            credential_secret=credential_secret,
        )
        body = wire.dumps_leaving_out(request, "device_key", "credential_secret")
        try:
            data = self._request("POST", "/devices/enroll", body, auth=False)
        except ApiError as exc:
            older = exc.code == E.UNKNOWN_FIELD and exc.details.get("field") == "credential_secret"
            if not older:
                raise
            request.credential_secret = None
            body = wire.dumps_leaving_out(request, "device_key", "credential_secret")
            data = self._request("POST", "/devices/enroll", body, auth=False)
        return decode(EnrollResponse, data)

    def register_key(self, device_key: BundleKey) -> DeviceKeyResponse:
        """Register this device's public bundle keys (a device enrolled before bundles)."""
        body = wire.dumps(DeviceKeyRequest(device_key=device_key))
        return decode(DeviceKeyResponse, self._request("POST", "/devices/keys", body))

    def push(self, request: PushRequest, encoding: str = "zstd") -> PushResponse:
        """By columns (common/columns.py: about 30 % fewer bytes, and an answer of a
        byte or two per record) once the server said it takes them; by rows to a server that
        did not, or before it said anything. On a slow link (or one not measured yet) zstd
        works harder: tens of milliseconds of CPU against seconds on the air."""
        by_columns = self.push_columns
        raw = wire.dumps(to_columns(request)) if by_columns else wire.push_body(request)
        level = zstd_level(len(raw), self.link)
        body = (
            wire.compress(raw, encoding, level)
            if encoding == "zstd"
            else wire.compress(raw, encoding)
        )
        data = self._request("POST", "/sync/push", body, headers={"Content-Encoding": encoding})
        if is_answer_columns(data):
            try:
                data = answer_to_rows(data, request)
            except ValueError:  # not this request's answer: its fate is unknown, send it again
                raise _unreadable("an answer that does not fit the batch") from None
        return decode(PushResponse, data)

    def pull(
        self,
        cursor: str,
        limit: int = 500,
        backlog: Backlog | None = None,
        *,
        bundle_keys: bool = False,
    ) -> PullResponse:
        """One page of the office's changes; with ``bundle_keys``, the server's accepted
        bundle keys come with it."""
        params = {"cursor": cursor, "limit": str(limit)}
        if self.send_version:  # the server states its client versions (docs/PROTOCOL.md)
            params["client_version"] = APP_VERSION
        if bundle_keys:
            params["bundle_keys"] = "1"
        if backlog is not None:  # what is left unsent after the push (docs/PROTOCOL.md)
            params["backlog_unsent"] = str(backlog.unsent)
            params["backlog_oldest_age_s"] = str(backlog.oldest_age_s)
        try:
            data = self._request("GET", "/sync/pull", None, params=params)
        except ApiError as exc:
            older = exc.code == E.UNKNOWN_FIELD and exc.details.get("field") == "client_version"
            if not older or not self.send_version:
                raise
            self.send_version = False  # a server before the version handshake: ask without
            return self.pull(cursor, limit, backlog, bundle_keys=bundle_keys)
        return decode(PullResponse, data)

    def nik_check(self, nik: str) -> NikCheckResponse:
        """The registrations of this device's office with ``nik`` (issue 13 #4)."""
        body = wire.dumps(NikCheckRequest(nik=nik))
        return decode(NikCheckResponse, self._request("POST", "/registrations/nik-check", body))

    def relay_bundle(self, raw: bytes) -> bytes:
        """Send another device's records bundle to the server (``POST /bundles/relay``) and
        return the acknowledgement bundle it answers with (for that device, not this one).
        The server's summary of the import (header ``X-Loket-Import``, JSON with
        ``bundle_id``, ``device_id``, ``records``, ``already_imported``, ``counts``) is kept in
        :attr:`last_import` when it sends one."""
        self.last_import = None
        status, headers, content = self._exchange(
            "POST",
            "/bundles/relay",
            raw,
            headers={"Content-Type": "application/octet-stream"},
            limit=MAX_BUNDLE_ANSWER_BYTES,
        )
        if status >= 400:
            raise _error_from(status, content)
        summary = headers.get(IMPORT_HEADER)
        if summary:
            try:
                parsed = wire.loads(summary.encode("utf-8", "replace"))
            except ApiError:
                parsed = None
            self.last_import = parsed if isinstance(parsed, dict) else None
        return content

    # --- plumbing ------------------------------------------------------------------------
    def _note_formats(self, headers: Mapping[str, str]) -> None:
        formats = headers.get(FORMATS_HEADER)
        if formats is not None:
            self.push_columns = COLUMNS in (f.strip() for f in formats.split(","))

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
        status, _headers, content = self._exchange(
            method, path, body, auth=auth, headers=headers, params=params
        )
        if status >= 400:
            raise _error_from(status, content)
        try:
            return wire.loads(content)
        except ApiError:
            # a proxy's HTML page or a cut-off body: the request's fate is unknown
            raise ApiError(
                E.SERVER_UNREACHABLE, details={"reason": "unreadable response"}
            ) from None

    def _exchange(
        self,
        method: str,
        path: str,
        body: bytes | None,
        *,
        auth: bool = True,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        limit: int | None = None,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One request: the status, the headers and the body (decoded, at most ``limit``
        bytes, default ``MAX_RESPONSE_BYTES``), every transport failure as an ApiError."""
        hdrs = {"Accept-Encoding": "zstd, gzip"}
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        if auth:
            if not self.credential:
                raise ApiError(E.NOT_ENROLLED)
            hdrs["Authorization"] = f"Bearer {self.credential}"
        sent = len(body or b"")
        started = time.perf_counter()
        try:
            r = self.session.request(
                method,
                self.base + API_PREFIX + path,
                data=body,
                headers=hdrs,
                params=params,
                timeout=self.link.timeouts(self.timeout, sent).pair(),
                allow_redirects=False,
                stream=True,  # the body is read here, within bounds
                verify=self.verify,
            )
            try:
                if 300 <= r.status_code < 400:
                    raise ApiError(E.SERVER_REDIRECT, details={"status": r.status_code})
                raw = _read_bounded(r, MAX_WIRE_BYTES if limit is None else limit)
            finally:
                r.close()  # read to its end, the connection is already back in the pool
            received = len(raw)
            content = _decode(raw, r.headers.get("Content-Encoding", ""), limit)
        except requests.exceptions.SSLError as exc:
            raise ApiError(E.TLS_ERROR, details={"reason": str(exc)[:200]}) from None
        except requests.RequestException as exc:  # refused, reset, timeout, truncated body
            raise ApiError(E.SERVER_UNREACHABLE, details={"reason": type(exc).__name__}) from None
        seconds = time.perf_counter() - started
        self._note_formats(r.headers)
        self.link.observe(sent, received, seconds)
        self.last = Exchange(sent, received, seconds)
        return r.status_code, r.headers, content


class _NoRedirectAdapter(requests.adapters.HTTPAdapter):
    """Hides a 3xx answer's ``Location`` from requests.

    Even with ``allow_redirects=False`` requests works out the next request of a redirect,
    and first reads the whole 3xx body (``resp.content``: decoded, without any bound) to
    free the connection. With no target there is nothing to work out; the client turns the
    3xx into ``SERVER_REDIRECT`` without reading its body.
    """

    def build_response(self, req: Any, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        if 300 <= response.status_code < 400:
            response.headers.pop("Location", None)
        return response


def zstd_level(raw_bytes: int, link: LinkEstimate) -> int | None:
    """The zstd level for a body of ``raw_bytes``: the slow-link level when it would take
    over SLOW_BODY_S on the link as measured (or nothing is measured yet), else the default
    (None): on an office's LAN the extra CPU would cost more time than the bytes it saves."""
    rate = link.bytes_per_s
    if rate is None or raw_bytes * _ZSTD_RATIO / rate > SLOW_BODY_S:
        return wire.ZSTD_LEVEL_SLOW_LINK
    return None


def _read_bounded(r: requests.Response, limit: int = MAX_WIRE_BYTES) -> bytes:
    """The body as sent (still compressed), refused past ``limit`` (``MAX_WIRE_BYTES``).

    Read from urllib3 with ``decode_content=False``: urllib3 would otherwise inflate gzip and
    deflate itself, with no limit on what comes out.
    """
    declared = r.headers.get("Content-Length", "").strip()
    if is_digits(declared) and int(declared) > limit:
        raise ApiError(E.RESPONSE_TOO_LARGE, details={"max": limit})
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in r.raw.stream(_CHUNK, decode_content=False):
            size += len(chunk)
            if size > limit:
                raise ApiError(E.RESPONSE_TOO_LARGE, details={"max": limit})
            parts.append(chunk)
    except urllib3.exceptions.HTTPError as exc:  # reset, timeout, cut short mid-body
        raise ApiError(E.SERVER_UNREACHABLE, details={"reason": type(exc).__name__}) from None
    return b"".join(parts)


def _decode(raw: bytes, content_encoding: str, limit: int | None = None) -> bytes:
    """Undo the response's ``Content-Encoding`` with at most ``limit`` bytes out.

    One coding only (the client asks for zstd or gzip; deflate is accepted as servers send
    it, zlib-wrapped or raw). Anything after the end of the compressed data, a cut-off stream
    or an unknown coding makes the answer unreadable (``SERVER_UNREACHABLE``); more than
    ``limit`` bytes is ``RESPONSE_TOO_LARGE``.
    """
    limit = MAX_RESPONSE_BYTES if limit is None else limit
    enc = content_encoding.strip().lower()
    if enc in ("", "identity"):
        out = raw
    elif enc in ("gzip", "x-gzip"):
        out = _inflate(raw, 16 + zlib.MAX_WBITS, limit)
    elif enc == "deflate":
        try:
            out = _inflate(raw, zlib.MAX_WBITS, limit)
        except ApiError as exc:
            if exc.code != E.SERVER_UNREACHABLE:
                raise
            out = _inflate(raw, -zlib.MAX_WBITS, limit)  # raw deflate, as some servers send
    elif enc == "zstd":
        out = _unzstd(raw, limit)
    else:
        raise _unreadable(f"content-encoding {enc[:40]}")
    if len(out) > limit:
        raise ApiError(E.RESPONSE_TOO_LARGE, details={"max": limit})
    return out


def _inflate(raw: bytes, wbits: int, limit: int) -> bytes:
    d = zlib.decompressobj(wbits)
    parts: list[bytes] = []
    size = 0
    pending = raw
    try:
        while pending and not d.eof:
            # at most one chunk out per call: a bomb stops at the limit, never past it
            chunk = d.decompress(pending, _CHUNK)
            pending = d.unconsumed_tail
            size += len(chunk)
            if size > limit:
                raise ApiError(E.RESPONSE_TOO_LARGE, details={"max": limit})
            parts.append(chunk)
            if not chunk and pending:
                break  # no progress: corrupt input
    except zlib.error:
        raise _unreadable("corrupt compressed body") from None
    if not d.eof or d.unused_data or pending:
        raise _unreadable("compressed body cut short or followed by other data")
    return b"".join(parts)


def _unzstd(raw: bytes, limit: int) -> bytes:
    try:
        # first a bounded read of the first frame, a chunk at a time: a frame that yields
        # more than the limit stops here, having held at most the limit
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=False)
        size = 0
        while chunk := reader.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise ApiError(E.RESPONSE_TOO_LARGE, details={"max": limit})
        # then the same frame, now known to be small, for its bytes and what follows it
        obj = zstandard.ZstdDecompressor().decompressobj()
        out = obj.decompress(raw)
    except zstandard.ZstdError:
        raise _unreadable("corrupt compressed body") from None
    if not obj.eof or obj.unused_data:
        raise _unreadable("compressed body cut short or followed by other data")
    return out


def _unreadable(reason: str) -> ApiError:
    # a proxy's page or a damaged body: the request's fate is unknown, as with a cut connection
    return ApiError(E.SERVER_UNREACHABLE, details={"reason": reason})


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

    Personal data leaves the device only over TLS (docs/ARCHITECTURE.md, promise 7); the loopback exception
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
