"""Enrollment and the headless sync, shared by the CLI (``loket-desk enroll`` / ``sync``) and
the app (first-run dialog, "Sinkronkan sekarang")."""

from __future__ import annotations

import hashlib
import platform
import secrets
import time
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from common import bundle as B
from common import errors as E
from common.errors import ApiError, Kind
from common.protocol import normalise_enroll_code
from desktop.services.device import DeviceInfo, device_info
from desktop.services.retention import purge_after_sync
from desktop.store import Store
from desktop.store import settings as S
from desktop.sync import bundle_keys, versions
from desktop.sync.client import SyncClient
from desktop.sync.engine import SyncEngine, SyncOutcome, SyncProgress, SyncReport
from desktop.sync.versions import APP_VERSION


class SyncExit(IntEnum):
    """Exit codes of ``loket-desk sync`` (for Task Scheduler / cron)."""

    OK = 0  # everything was sent and answered, changes pulled
    ERROR = 1  # usage or local error (not enrolled, cannot open the store)
    UNREACHABLE = 2  # the server could not be reached; nothing lost, try again later
    REFUSED = 3  # the server refused this device (revoked, bad credential, TLS)
    PARTIAL = 4  # some records sent; others still waiting or need a clerk's attention


EXIT_OF = {
    SyncOutcome.OK: SyncExit.OK,
    SyncOutcome.UNREACHABLE: SyncExit.UNREACHABLE,
    SyncOutcome.REFUSED: SyncExit.REFUSED,
    SyncOutcome.PARTIAL: SyncExit.PARTIAL,
    SyncOutcome.CANCELLED: SyncExit.PARTIAL,
}


#: Attempts of one enrollment when the server cannot be reached (a slow link), and the pause
#: before the second; each later pause is twice the one before.
ENROLL_ATTEMPTS = 4
ENROLL_FIRST_PAUSE_S = 1.0


def enroll_device(
    store: Store,
    server_url: str,
    code: str,
    *,
    ca_bundle: str | None = None,
    device_name: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] | None = None,
) -> DeviceInfo:
    """Exchange a one-time enrollment code for this device's credential and identity.

    The request is the same every time for the same server and code (the credential secret
    and the bundle key pair wait in the encrypted store until an answer comes), so it is sent
    again when the server could not be reached, up to ``ENROLL_ATTEMPTS`` times, and a later
    try with the same code gets the answer the lost one would have had. Unreachable after
    all of them: ``ENROLL_UNREACHABLE`` (not the sync's "records will be sent later")."""
    pending = _pending_enrollment(store, server_url, code)
    pair = B.KeyPair.from_secret_dict(pending["keys"])
    client = SyncClient(server_url, ca_bundle=ca_bundle)
    pause = ENROLL_FIRST_PAUSE_S
    try:
        for attempt in range(1, ENROLL_ATTEMPTS + 1):
            try:
                response = client.enroll(
                    code,
                    device_name or platform.node(),
                    app_version=APP_VERSION,
                    device_key=bundle_keys.as_message(pair.public()),
                    credential_secret=pending["secret"],
                )
                break
            except ApiError as exc:
                if E.kind(exc.code) is not Kind.TRANSIENT:
                    raise
                if attempt == ENROLL_ATTEMPTS:
                    raise ApiError(E.ENROLL_UNREACHABLE, {"attempts": attempt}) from None
                if say is not None:
                    say(f"enroll: no answer ({exc.code}); trying again in {pause:.0f} s")
                sleep(pause)
                pause *= 2
    finally:
        client.close()
    with store.write() as s:
        S.ENROLL_PENDING.set(s, {})
        S.SERVER_PUSH_COLUMNS.set(s, client.push_columns)  # its answer said which formats
        S.SERVER_URL.set(s, server_url.rstrip("/"))
        S.CA_BUNDLE.set(s, ca_bundle)
        S.DEVICE_ID.set(s, response.device_id)
        # kept in the local database (encrypted at rest)
        S.DEVICE_CREDENTIAL.set(s, response.credential)
        S.OFFICE_CODE.set(s, response.office_code)
        S.OFFICE_NAME.set(s, response.office_name)
        S.DEVICE_NO.set(s, response.device_no)
        S.ENROLLED.set(s, True)
        S.SYNC_CURSOR.set(s, "")
        # the bundle keys (issue 16): the private halves in the encrypted store
        S.BUNDLE_DEVICE_KEYS.set(s, pair.to_secret_dict())
        S.BUNDLE_KEY_REGISTERED.set(s, bool(response.bundle_keys))
        bundle_keys.save_server_keys(s, response.bundle_keys)
        S.BUNDLE_SEQ.set(s, 0)
    return device_info(store)


def _pending_enrollment(store: Store, server_url: str, code: str) -> dict[str, Any]:
    """The enrollment waiting for this server and code, or a new one (kept before it is
    sent): ``secret`` and ``keys`` (the bundle key pair's secret form)."""
    server = server_url.rstrip("/")
    code_hash = hashlib.sha256(normalise_enroll_code(code).encode()).hexdigest()
    with store.write() as s:
        pending = S.ENROLL_PENDING.get(s)
        if pending.get("server") == server and pending.get("code") == code_hash:
            return pending
        pending = {
            "server": server,
            "code": code_hash,
            "secret": secrets.token_urlsafe(32),
            "keys": B.KeyPair.generate().to_secret_dict(),
        }
        S.ENROLL_PENDING.set(s, pending)
        return pending


def make_client(store: Store, lang: str = "id") -> SyncClient:
    with store.read() as s:
        url = S.SERVER_URL.get(s)
        credential = S.DEVICE_CREDENTIAL.get(s)
        ca_bundle = S.CA_BUNDLE.get(s)
        columns = S.SERVER_PUSH_COLUMNS.get(s)
    if not url or not credential:
        raise ApiError(E.NOT_ENROLLED)
    return SyncClient(url, credential, ca_bundle=ca_bundle, lang=lang, push_columns=columns)


def sync_once(
    store: Store, say: Callable[[str], None] = print, lang: str = "id"
) -> tuple[SyncExit, SyncReport | None]:
    """One sync for a scheduler: prints progress lines, returns the exit code and report."""
    try:
        client = make_client(store, lang)
    except ApiError as exc:
        say(f"{exc.code}: {exc.message(lang)}")
        return SyncExit.ERROR, None
    engine = SyncEngine(store, client, after_pull=lambda: purge_after_sync(store))

    def progress(p: SyncProgress) -> None:
        if p.stage == "push" and p.sending:
            say(f"push: sending {p.sending} records ({p.records_sent}/{p.records_total} done)")
        elif p.stage == "push":
            say(f"push: {p.records_sent}/{p.records_total} records, {p.bytes_sent} bytes")
        elif p.stage == "retry":
            when = p.retry_at.astimezone().strftime("%H:%M:%S") if p.retry_at else "soon"
            say(
                f"push: no answer ({p.error_code}); sending the {p.sending} records again at {when}"
            )
        else:
            say(f"pull: {p.changes_applied} changes")

    try:
        report = engine.run(progress)
    finally:
        client.close()
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())) or "none"
    say(
        f"sync {report.outcome.value}: sent {report.sent} ({outcomes}), pulled {report.changes_applied} changes, "
        f"{report.pending_after} still pending, {report.bytes_sent} bytes sent in {report.seconds:.1f} s"
    )
    if report.error_code:
        say(f"{report.error_code}: {report.message(lang)}")
    with store.read() as s:
        line = versions.english_line(
            versions.notice(S.CLIENT_MIN_VERSION.get(s), S.CLIENT_CURRENT_VERSION.get(s))
        )
    if line:
        say(line)
    return EXIT_OF[report.outcome], report
