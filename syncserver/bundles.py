"""Importing a device's records bundle, and its acknowledgement (issue 16; docs/PROTOCOL.md,
"Bundles").

A records bundle carries the same push batches the network path would send. Importing one
checks, in this order, before anything is written: the frame (common.bundle.read), that it
is a records bundle, that it is sealed to one of this server's accepted keys, that its
sender is an enrolled, non-revoked device with bundle keys, the signature against those
keys, the office (the sender's own; through a relay, the relaying device's too; in the
console, the uploader's provinces), then the payload opens and agrees with its header. A
bundle from the same device with a lower counter than one imported is an old bundle
replayed and is refused; the same bundle again changes nothing and gets a fresh
acknowledgement.

Each batch then goes through :func:`syncserver.ingest.ingest`, exactly as
``POST /api/v1/sync/push`` does, a few batches per transaction (``GROUP_RECORDS``): a batch (or record) already
received by network or in another bundle is answered as before (``already_received`` or the
stored answer). The import's log row, the device's bundle counter and the audit entry are
written after the last batch, so a server killed in the middle leaves committed batches that
the next import of the file answers from their stored answers, and nothing half-written.

The acknowledgement is sealed to the device: the answer to every record in the bundle's
order, the office's changes since the bundle's cursor as a pull would give them
(syncserver.device_feed), and the server's accepted bundle keys.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session, sessionmaker

from common import bundle as B
from common import errors as E
from common import wire
from common.digits import is_digits
from common.errors import ApiError
from common.protocol import (
    MAX_ACK_CHANGES,
    AckManifest,
    AckPayload,
    PushRequest,
    PushResponse,
    RecordResult,
    RecordsManifest,
    decode,
)
from common.wiretime import utc_text
from syncserver import bundle_keys, db
from syncserver import context as app_mod
from syncserver.config import Settings
from syncserver.device_feed import visible_changes
from syncserver.ingest import DeviceRef, decode_push, ingest_group, prepare
from syncserver.models import BundleImport as ImportRow
from syncserver.queries import bundles as bundles_q
from syncserver.queries import changes as changes_q
from syncserver.queries import devices as devices_q
from syncserver.queries import ingest as ingest_q
from syncserver.queries.reviews import append_audit

#: The ways a bundle reaches the server (``bundle_imports.via``).
VIAS = ("cli", "console", "relay")
#: Records ingested in one transaction at most (a few batches: fewer commits; a server killed
#: in the middle loses at most that much work, never half of it).
GROUP_RECORDS = 2000
_PAYLOAD_KEYS = frozenset(("manifest", "batches"))


@dataclass(frozen=True, slots=True)
class BundleImport:
    """What importing one records bundle did."""

    import_id: int
    bundle_id: str
    device_id: str
    office_code: str
    seq: int
    already_imported: bool  # imported before: nothing changed, a fresh ack made
    records: int
    batches: int
    counts: dict[str, int]  # Outcome value -> records
    ack: bytes  # the acknowledgement bundle, sealed to the device


@dataclass(frozen=True, slots=True)
class _Opened:
    sender: devices_q.BundleSender
    sender_keys: B.PublicKeys
    manifest: RecordsManifest
    batches: list[PushRequest]


def import_bundle(
    sessions: sessionmaker[Session],
    settings: Settings,
    raw: bytes,
    *,
    now: datetime,
    uploaded_by: str,
    via: str,
    relay_device_id: str | None = None,
    provinces: tuple[str, ...] = (),
) -> BundleImport:
    """Import the records bundle ``raw`` (its file's bytes); ApiError with a catalog code on
    every refusal, and then nothing has changed."""
    if via not in VIAS:
        raise ValueError(f"via must be one of {VIAS}")
    keys = bundle_keys.for_settings(settings, now)
    with db.transaction(sessions) as s:
        opened = _open(s, settings, keys, raw, now, relay_device_id, provinces)
        manifest = opened.manifest
        earlier = bundles_q.find(s, opened.sender.id, manifest.bundle_id)
        if earlier is None and manifest.seq <= (opened.sender.last_bundle_seq or 0):
            raise ApiError(E.BUNDLE_REPLAYED)
    sender = opened.sender
    ref = DeviceRef(sender.id, sender.office_code, sender.device_no)
    today = now.astimezone(app_mod.SERVER_TZ).date()
    results: list[RecordResult] = []
    session = sessions()
    try:
        for group in _groups(opened.batches):
            answers = ingest_group(
                session,
                ref,
                [prepare(batch, today, ref) for batch in group],
                now=now,
                attempts=settings.ingest_retries + 1,
                source="bundle",
            )
            results.extend(r for response, _, _ in answers for r in response.results)
    finally:
        session.close()
    counts = dict(Counter(r.outcome.value for r in results))
    with db.transaction(sessions) as s:
        import_id, already = _log_import(
            s, opened, raw, now, uploaded_by, via, relay_device_id, counts, earlier
        )
        ack = _seal_ack(s, keys, sender, opened.sender_keys, manifest, results, now)
    return BundleImport(
        import_id=import_id,
        bundle_id=manifest.bundle_id,
        device_id=sender.id,
        office_code=sender.office_code,
        seq=manifest.seq,
        already_imported=already,
        records=manifest.record_count,
        batches=len(opened.batches),
        counts=counts,
        ack=ack,
    )


def make_ack(
    sessions: sessionmaker[Session], settings: Settings, import_id: int, *, now: datetime
) -> bytes:
    """A fresh acknowledgement for an import already made (the console's download): the
    stored answers of its batches and the office's changes since the bundle's cursor."""
    keys = bundle_keys.for_settings(settings, now)
    with db.transaction(sessions) as s:
        row = bundles_q.get(s, import_id)
        if row is None:
            raise ApiError(E.NOT_FOUND)
        sender = devices_q.bundle_sender(s, row.device_id)
        if sender is None or sender.key_id is None:
            raise ApiError(E.BUNDLE_UNKNOWN_SENDER)
        results: list[RecordResult] = []
        for batch_id in row.batch_ids or []:
            stored = ingest_q.stored_response(s, row.device_id, batch_id)
            if stored is not None:
                results.extend(decode(PushResponse, stored).results)
        manifest = RecordsManifest(
            bundle_id=row.bundle_id,
            device_id=row.device_id,
            office_code=row.office_code,
            seq=row.seq,
            created_at=row.created_at,
            cursor=row.cursor,
            record_count=row.record_count,
            batch_ids=list(row.batch_ids or []),
            server_key="",
        )
        return _seal_ack(s, keys, sender, _sender_keys(sender), manifest, results, now)


def _groups(batches: list[PushRequest]) -> list[list[PushRequest]]:
    """Consecutive batches of about GROUP_RECORDS records: one transaction each."""
    groups: list[list[PushRequest]] = []
    size = GROUP_RECORDS
    for batch in batches:
        if size >= GROUP_RECORDS:
            groups.append([])
            size = 0
        groups[-1].append(batch)
        size += len(batch.records)
    return groups


# --- checks ------------------------------------------------------------------------------
def _open(
    s: Session,
    settings: Settings,
    keys: bundle_keys.ServerKeys,
    raw: bytes,
    now: datetime,
    relay_device_id: str | None,
    provinces: tuple[str, ...],
) -> _Opened:
    sealed = B.read(raw)
    header = sealed.header
    if sealed.kind is not B.Kind.RECORDS:
        raise ApiError(E.BUNDLE_WRONG_KIND)
    if header.recipient_id != "server":
        raise ApiError(E.BUNDLE_WRONG_RECIPIENT)
    opening = keys.opening(header.recipient_key, now)  # another server's, or expired
    sender = devices_q.bundle_sender(s, header.sender_id)
    if sender is None or sender.key_id is None:
        raise ApiError(E.BUNDLE_UNKNOWN_SENDER)
    if sender.revoked:
        raise ApiError(E.BUNDLE_SENDER_REVOKED)
    sender_keys = _sender_keys(sender)
    B.verify(sealed, sender_keys)  # from here on the header is the device's own words
    if header.office_code != sender.office_code:
        raise ApiError(E.BUNDLE_WRONG_OFFICE, {"office": header.office_code})
    if relay_device_id is not None:
        relay = devices_q.device_auth(s, relay_device_id)
        if relay is None or relay.office_code != sender.office_code:
            raise ApiError(E.BUNDLE_WRONG_OFFICE, {"office": sender.office_code})
    if provinces and sender.office_code[:2] not in provinces:
        raise ApiError(E.BUNDLE_OUT_OF_SCOPE, {"office": sender.office_code})
    manifest, batches = _payload(B.open_payload(sealed, opening))
    _agrees(manifest, batches, header, sender, settings.max_batch_records)
    return _Opened(sender, sender_keys, manifest, batches)


def _sender_keys(sender: devices_q.BundleSender) -> B.PublicKeys:
    return B.PublicKeys.of(sender)


def _unreadable(detail: str) -> ApiError:
    return ApiError(E.BUNDLE_UNREADABLE, details={"detail": detail})


def _payload(raw: bytes) -> tuple[RecordsManifest, list[PushRequest]]:
    """The payload's manifest and batches (each batch by the push's own decoder)."""
    try:
        data: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _unreadable("payload") from None
    if not isinstance(data, dict) or set(data) != _PAYLOAD_KEYS:
        raise _unreadable("payload")
    if not isinstance(data["batches"], list):
        raise _unreadable("payload")
    try:
        manifest = decode(RecordsManifest, data["manifest"], "manifest.")
        batches = [decode_push(b) for b in data["batches"]]
    except ApiError as exc:
        raise _unreadable(str(exc.details.get("detail") or exc.code)) from None
    return manifest, batches


def _agrees(
    manifest: RecordsManifest,
    batches: list[PushRequest],
    header: B.Header,
    sender: devices_q.BundleSender,
    max_batch_records: int,
) -> None:
    """The manifest says what the header and the batches say (a device's bug otherwise:
    signed, but not to be half-trusted)."""
    if (
        manifest.bundle_id != header.bundle_id
        or manifest.device_id != sender.id
        or manifest.office_code != sender.office_code
        or manifest.server_key != header.recipient_key
        or manifest.batch_ids != [b.batch_id for b in batches]
        or manifest.record_count != sum(len(b.records) for b in batches)
        or (manifest.cursor and not is_digits(manifest.cursor))
    ):
        raise _unreadable("manifest")
    for b in batches:
        if b.device_id != sender.id or b.office_code != sender.office_code:
            raise ApiError(E.DEVICE_MISMATCH)
        if not 0 < len(b.batch_id) <= 64 or not b.batch_id.isprintable():
            raise _unreadable("batch_id")
        if len(b.records) > max_batch_records or not all(r.id.isprintable() for r in b.records):
            raise _unreadable("batch")


# --- the log and the acknowledgement --------------------------------------------------------
def _log_import(
    s: Session,
    opened: _Opened,
    raw: bytes,
    now: datetime,
    uploaded_by: str,
    via: str,
    relay_device_id: str | None,
    counts: dict[str, int],
    earlier: ImportRow | None,
) -> tuple[int, bool]:
    """The import's row, the device's bundle counter and the audit entry; for a bundle
    imported before (now, or by another import at the same moment), only the audit entry."""
    manifest, sender = opened.manifest, opened.sender
    row = earlier
    if row is None:
        row = ImportRow(
            device_id=sender.id,
            office_code=sender.office_code,
            bundle_id=manifest.bundle_id,
            seq=manifest.seq,
            created_at=manifest.created_at,
            imported_at=now,
            via=via,
            uploaded_by=uploaded_by[:100],
            relay_device_id=relay_device_id,
            bytes=len(raw),
            record_count=manifest.record_count,
            batch_count=len(opened.batches),
            counts=counts,
            batch_ids=manifest.batch_ids,
            cursor=manifest.cursor,
        )
        if bundles_q.add(s, row):
            devices_q.note_bundle_seq(s, sender.id, manifest.seq)
        else:  # the same bundle, imported at the same moment elsewhere
            row = earlier = bundles_q.find(s, sender.id, manifest.bundle_id)
            assert row is not None
    append_audit(
        s,
        now=now,
        actor_kind="device" if via == "relay" else "staff",
        actor=relay_device_id if via == "relay" and relay_device_id else uploaded_by,
        action="bundle.import_again" if earlier is not None else "bundle.import",
        target_kind="device",
        target_id=sender.id,
        office_code=sender.office_code,
        details={
            "bundle_id": manifest.bundle_id,
            "seq": manifest.seq,
            "via": via,
            "uploaded_by": uploaded_by[:100],
            "records": manifest.record_count,
            "counts": counts,
        },
    )
    return int(row.id), earlier is not None


def _seal_ack(
    s: Session,
    keys: bundle_keys.ServerKeys,
    sender: devices_q.BundleSender,
    sender_keys: B.PublicKeys,
    manifest: RecordsManifest,
    results: list[RecordResult],
    now: datetime,
) -> bytes:
    after = int(manifest.cursor or 0)
    if after > changes_q.max_seq(s):  # a cursor of another (or a restored) database
        after = 0
    rows = changes_q.changes_since(s, sender.office_code, after, MAX_ACK_CHANGES)
    more = len(rows) > MAX_ACK_CHANGES
    rows = rows[:MAX_ACK_CHANGES]
    ack_id = str(uuid.uuid4())
    payload = AckPayload(
        manifest=AckManifest(
            ack_id=ack_id,
            bundle_id=manifest.bundle_id,
            device_id=sender.id,
            office_code=sender.office_code,
            created_at=utc_text(now),
            cursor_from=str(after),
            cursor_to=str(rows[-1].seq if rows else after),
            more=more,
        ),
        results=results,
        changes=visible_changes(s, sender.id, sender.office_code, rows),
        bundle_keys=keys.public_list(now),
    )
    return B.seal(
        B.Kind.ACK,
        wire.dumps(payload),
        bundle_id=ack_id,
        sender_id="server",
        office_code=sender.office_code,
        sender=keys.current.pair,
        recipient=sender_keys,
        recipient_id=sender.id,
    )
