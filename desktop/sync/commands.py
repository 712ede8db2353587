"""Enrollment and the headless sync, shared by the CLI (``loket-desk enroll`` / ``sync``) and
the app (first-run dialog, "Sinkronkan sekarang")."""

from __future__ import annotations

import platform
from collections.abc import Callable
from enum import IntEnum

from common import bundle as B
from common.errors import ApiError
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


def enroll_device(
    store: Store,
    server_url: str,
    code: str,
    *,
    ca_bundle: str | None = None,
    device_name: str | None = None,
) -> DeviceInfo:
    """Exchange a one-time enrollment code for this device's credential and identity."""
    pair = B.KeyPair.generate()  # stored only once enrollment succeeds
    client = SyncClient(server_url, ca_bundle=ca_bundle)
    try:
        response = client.enroll(
            code,
            device_name or platform.node(),
            app_version=APP_VERSION,
            device_key=bundle_keys.as_message(pair.public()),
        )
    finally:
        client.close()
    with store.write() as s:
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


def make_client(store: Store, lang: str = "id") -> SyncClient:
    with store.read() as s:
        url = S.SERVER_URL.get(s)
        credential = S.DEVICE_CREDENTIAL.get(s)
        ca_bundle = S.CA_BUNDLE.get(s)
    if not url or not credential:
        from common import errors as E

        raise ApiError(E.NOT_ENROLLED)
    return SyncClient(url, credential, ca_bundle=ca_bundle, lang=lang)


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
        if p.stage == "push":
            say(f"push: {p.records_sent}/{p.records_total} records, {p.bytes_sent} bytes")
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
