"""Sync bundles on the device (issue 16; docs/PROTOCOL.md, "Bundles"): the outbox on a file
for the server, the server's acknowledgement applied from a file, and another device's file
sent on over this device's network connection (relay).

No Qt: the CLI (``loket-desk export-bundle``, ``import-ack``, ``relay-bundle``) and the app's
dialogs call these functions. Every refusal is an :class:`ApiError` with a catalog code, and
nothing changes then. Files are written atomically: a temporary file in the same folder,
fsynced, then renamed over the final name, so a crash never leaves half a bundle under it.

* :func:`export_bundle` puts every pending revision into push batches exactly as the network
  path would make them (at most one revision of a registration per batch, revision n in an
  earlier batch than n+1), seals them to the server's current key and signs them with the
  device's. The records stay pending: only an answer (an acknowledgement, or a network sync)
  takes them out of the outbox.
* :func:`import_ack` applies an acknowledgement exactly as a network push answer and pull
  would: the results (only those whose revision still waits: an answer the network gave
  since is never overwritten), the office's changes, then the cursor, in one transaction.
* :func:`relay_bundle` sends another device's records bundle (same office) to the server with
  this device's credential and keeps the acknowledgement for that device's next visit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson
from sqlalchemy.orm import Session

from common import bundle as B
from common import errors as E
from common import wire
from common.errors import ApiError
from common.protocol import (
    MAX_BUNDLE_BATCHES,
    MAX_BUNDLE_RECORDS,
    AckPayload,
    Outcome,
    PushRequest,
    RecordResult,
    RecordsManifest,
    RecordsPayload,
    decode,
)
from common.wiretime import utc_text
from desktop.services.retention import purge_after_sync
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.keys import KeySlots
from desktop.store.queries import audit, outbox
from desktop.store.queries import bundles as Q
from desktop.store.queries.outbox import Outgoing
from desktop.sync import bundle_keys
from desktop.sync.engine import apply_change, apply_results, push_record

log = logging.getLogger(__name__)

#: Records per batch in a bundle (the network path's largest batch).
BUNDLE_BATCH_RECORDS = 500
#: The acknowledgement file a relay writes beside the bundle: FILE + this.
ACK_SUFFIX = ".ack"
#: Under the data folder: acknowledgements relayed for other devices, by device and bundle.
RELAYED_ACKS = "relayed-acks"
#: Acknowledgement ids applied, kept for the "already applied" answer (newest last).
_ACKS_KEPT = 200

_KIND_NAME = {B.Kind.RECORDS: "records bundle", B.Kind.ACK: "acknowledgement"}
_export_lock = threading.Lock()  # one export at a time: each takes the next counter value


@dataclass(frozen=True)
class ExportSummary:
    bundle_id: str
    path: Path
    records: int
    batches: int
    bytes: int
    seq: int


@dataclass(frozen=True)
class AckSummary:
    bundle_id: str
    already_applied: bool
    outcomes: Counter[str]
    changes_applied: int
    pending_after: int
    needs_attention: int


@dataclass(frozen=True)
class RelaySummary:
    bundle_id: str
    device_id: str
    records: int
    already_imported: bool
    ack_path: Path
    counts: dict[str, int]


@dataclass(frozen=True)
class InTransit:
    records: int
    bundles: int
    since: datetime | None  # the oldest unacknowledged export still carrying a pending record


# --- export --------------------------------------------------------------------------------
def plan_batches(rows: list[Outgoing], limit: int = BUNDLE_BATCH_RECORDS) -> list[list[Outgoing]]:
    """Every pending revision in batches of at most ``limit``, each holding at most one
    revision of a registration: first every registration's oldest pending revision, then
    the second ones, and so on (so revision n is in an earlier batch than n+1), each round in
    the order the outbox queued them."""
    revisions: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        revisions[row.registration_id].append(row.revision)
    rank: dict[tuple[str, int], int] = {}
    for rid, revs in revisions.items():
        for i, rev in enumerate(sorted(revs)):
            rank[(rid, rev)] = i
    rounds: dict[int, list[Outgoing]] = defaultdict(list)
    for row in rows:
        rounds[rank[(row.registration_id, row.revision)]].append(row)
    return [
        rounds[r][start : start + limit]
        for r in sorted(rounds)
        for start in range(0, len(rounds[r]), limit)
    ]


def _identity(store: Store) -> tuple[str, str]:
    with store.read() as s:
        enrolled, device_id, office = S.ENROLLED.get(s), S.DEVICE_ID.get(s), S.OFFICE_CODE.get(s)
    if not enrolled or not device_id:
        raise ApiError(E.NOT_ENROLLED)
    return device_id, office


def _device_pair(store: Store) -> B.KeyPair:
    """This device's bundle keys, once the server has their public halves (BUNDLE_NO_KEYS
    otherwise: a network sync registers them)."""
    with store.read() as s:
        pair = bundle_keys.stored_device_keys(s)
        registered = S.BUNDLE_KEY_REGISTERED.get(s)
    if pair is None or not registered:
        raise ApiError(E.BUNDLE_NO_KEYS)
    return pair


def export_bundle(store: Store, out: Path, *, operator: str) -> ExportSummary:
    """Write every pending revision into one records bundle at ``out``.

    BUNDLE_NOTHING_TO_SEND (and no file) when the outbox is empty; NOT_ENROLLED;
    BUNDLE_NO_KEYS; FILE_WRITE_FAILED when the file cannot be written (nothing changed)."""
    out = Path(out)
    with _export_lock:
        device_id, office = _identity(store)
        pair = _device_pair(store)
        with store.read() as s:  # (an ApiError is raised outside a session, never in it)
            has_keys = bool(bundle_keys.server_keys(s))
            rows = outbox.all_outgoing(s)
            seq = S.BUNDLE_SEQ.get(s) + 1
            cursor = S.SYNC_CURSOR.get(s)
        if not has_keys:
            raise ApiError(E.BUNDLE_NO_KEYS)
        with store.read() as s:
            server_key = bundle_keys.current_server_key(s)
        if not rows:
            raise ApiError(E.BUNDLE_NOTHING_TO_SEND)
        planned = plan_batches(rows)
        batches: list[PushRequest] = []
        count = 0
        for chunk in planned:
            if count + len(chunk) > MAX_BUNDLE_RECORDS or len(batches) >= MAX_BUNDLE_BATCHES:
                break  # the rest waits for the next bundle (or the network)
            batches.append(
                PushRequest(
                    device_id=device_id,
                    office_code=office,
                    batch_id=str(uuid.uuid4()),
                    records=[push_record(row) for row in chunk],
                    backlog=None,
                )
            )
            count += len(chunk)
        now = datetime.now(UTC)
        bundle_id = str(uuid.uuid4())
        manifest = RecordsManifest(
            bundle_id=bundle_id,
            device_id=device_id,
            office_code=office,
            seq=seq,
            created_at=utc_text(now),
            cursor=cursor,
            record_count=count,
            batch_ids=[b.batch_id for b in batches],
            server_key=server_key.key_id,
        )
        raw = B.seal(
            B.Kind.RECORDS,
            wire.dumps(RecordsPayload(manifest=manifest, batches=batches)),
            bundle_id=bundle_id,
            sender_id=device_id,
            office_code=office,
            sender=pair,
            recipient=server_key,
            recipient_id="server",
        )
        write_atomic(out, raw)
        exported = [(r.id, r.revision) for b in batches for r in b.records]
        try:
            with store.write() as s:
                S.BUNDLE_SEQ.set(s, seq)
                Q.add_export(
                    s,
                    bundle_id=bundle_id,
                    seq=seq,
                    created_at=now,
                    path=str(out.resolve()),
                    records=count,
                    batches=len(batches),
                    size=len(raw),
                )
                Q.mark_exported(s, exported, now)
                audit.add(
                    s,
                    now,
                    operator,
                    "bundle_export",
                    None,
                    {
                        "bundle_id": bundle_id,
                        "seq": seq,
                        "records": count,
                        "batches": len(batches),
                        "bytes": len(raw),
                        "path": str(out),
                    },
                )
        except BaseException:
            # the file is not recorded (its counter not taken): it must not be carried off
            with contextlib.suppress(OSError):
                out.unlink()
            raise
    log.info("bundle %s exported: %d records in %d batches", bundle_id, count, len(batches))
    return ExportSummary(bundle_id, out, count, len(batches), len(raw), seq)


# --- acknowledgement -----------------------------------------------------------------------
def _result_groups(results: list[RecordResult], limit: int = 1000) -> Iterator[list[RecordResult]]:
    """The results in their order, cut where a registration comes again (each group holds
    one revision of a registration, as one push answer does) or at ``limit``."""
    group: list[RecordResult] = []
    ids: set[str] = set()
    for result in results:
        if result.id in ids or len(group) >= limit:
            yield group
            group, ids = [], set()
        group.append(result)
        ids.add(result.id)
    if group:
        yield group


def _ack_seen(s: Session, ack_id: str) -> bool:
    return ack_id in S.BUNDLE_ACKS_APPLIED.get(s) or Q.ack_applied(s, ack_id)


def import_ack(store: Store, path: Path, *, operator: str) -> AckSummary:
    """Apply the server's acknowledgement in the file ``path`` (see the module's docstring).

    Refusals: FILE_NOT_FOUND, BUNDLE_UNREADABLE / BUNDLE_TOO_LARGE / BUNDLE_VERSION_UNSUPPORTED
    (the frame), BUNDLE_WRONG_KIND (a records bundle), BUNDLE_TAMPERED (the signature, or a
    key this device was never given), BUNDLE_WRONG_RECIPIENT (another device's)."""
    device_id, office = _identity(store)
    raw = read_bundle_file(Path(path))
    sealed = B.read(raw)
    if sealed.kind is not B.Kind.ACK:
        raise _wrong_kind(sealed.kind, B.Kind.ACK)
    with store.read() as s:  # (an ApiError is raised outside a session, never in it)
        known = {k.key_id for k in bundle_keys.server_keys(s)}
        pair = bundle_keys.stored_device_keys(s)
    if sealed.header.sender_key not in known:
        raise ApiError(E.BUNDLE_TAMPERED, details={"detail": "signed by an unknown key"})
    with store.read() as s:
        signer = bundle_keys.server_signer(s, sealed.header.sender_key)
    B.verify(sealed, signer)
    if (
        sealed.header.recipient_id != device_id
        or pair is None
        or sealed.header.recipient_key != pair.public().key_id
    ):
        raise ApiError(
            E.BUNDLE_WRONG_RECIPIENT, details={"detail": "an acknowledgement for another device"}
        )
    payload = B.open_payload(sealed, pair)
    try:
        ack = decode(AckPayload, orjson.loads(payload))
    except orjson.JSONDecodeError:
        raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "payload"}) from None
    except ApiError as exc:
        raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": exc.code}) from None
    manifest = ack.manifest
    if manifest.device_id != device_id:
        raise ApiError(
            E.BUNDLE_WRONG_RECIPIENT, details={"detail": "an acknowledgement for another device"}
        )
    outcomes: Counter[str] = Counter(r.outcome.value for r in ack.results)
    with store.read() as s:
        seen = _ack_seen(s, manifest.ack_id)
    if seen:
        with store.read() as s:
            pending = outbox.pending_count(s)
        return AckSummary(manifest.bundle_id, True, outcomes, 0, pending, 0)

    slots = KeySlots(store.data_dir)
    now = datetime.now(UTC)
    with store.write() as s:  # results, changes, cursor, keys: one transaction
        if _ack_seen(s, manifest.ack_id):  # imported meanwhile (another window)
            return AckSummary(manifest.bundle_id, True, outcomes, 0, outbox.pending_count(s), 0)
        waiting = Q.still_queued(s, [(r.id, r.revision) for r in ack.results])
        # an answer the network gave since (or an older ack) is never overwritten
        fresh = [r for r in ack.results if (r.id, r.revision) in waiting]
        for group in _result_groups(fresh):
            apply_results(s, group)
        for change in ack.changes:
            apply_change(s, change, slots)
        if _cursor_value(manifest.cursor_to) > _cursor_value(S.SYNC_CURSOR.get(s)):
            S.SYNC_CURSOR.set(s, manifest.cursor_to)
        if ack.bundle_keys:
            bundle_keys.save_server_keys(s, ack.bundle_keys)
        Q.mark_acked(s, manifest.bundle_id, manifest.ack_id, now)
        kept = S.BUNDLE_ACKS_APPLIED.get(s)
        S.BUNDLE_ACKS_APPLIED.set(s, [*kept, manifest.ack_id][-_ACKS_KEPT:])
        needs_attention = sum(1 for r in fresh if r.outcome in (Outcome.INVALID, Outcome.CONFLICT))
        audit.add(
            s,
            now,
            operator,
            "bundle_ack_import",
            None,
            {
                "bundle_id": manifest.bundle_id,
                "ack_id": manifest.ack_id,
                "results": len(ack.results),
                "applied": len(fresh),
                "changes": len(ack.changes),
                "cursor_to": manifest.cursor_to,
                "path": str(path),
            },
        )
        pending = outbox.pending_count(s)
    purge_after_sync(store)  # as after a network pull: decided, answered records age out
    log.info(
        "acknowledgement %s of bundle %s applied: %d of %d results, %d changes%s",
        manifest.ack_id,
        manifest.bundle_id,
        len(fresh),
        len(ack.results),
        len(ack.changes),
        " (more changes wait at the server: the next sync or acknowledgement brings them)"
        if manifest.more
        else "",
    )
    return AckSummary(
        manifest.bundle_id, False, outcomes, len(ack.changes), pending, needs_attention
    )


def _cursor_value(cursor: str | None) -> int:
    try:
        return int(cursor or 0)
    except ValueError:
        return 0


# --- relay ---------------------------------------------------------------------------------
def relay_bundle(
    store: Store, path: Path, *, operator: str, ack_out: Path | None = None
) -> RelaySummary:
    """Send another device's records bundle to the server over this device's connection,
    write the acknowledgement to ``ack_out`` (default FILE + ".ack") and keep a copy under
    the data folder (``relayed-acks/<device>/<bundle>.ack``) for that device's next visit.

    Checked here first, from the frame alone (this device cannot open the bundle): a records
    bundle (BUNDLE_WRONG_KIND), of this device's office (BUNDLE_WRONG_OFFICE), not this
    device's own (BUNDLE_OWN_FILE: its records go by sync)."""
    from desktop.sync.commands import make_client

    path = Path(path)
    device_id, office = _identity(store)
    raw = read_bundle_file(path)
    sealed = B.read(raw)
    header = sealed.header
    if sealed.kind is not B.Kind.RECORDS:
        raise _wrong_kind(sealed.kind, B.Kind.RECORDS)
    if header.office_code != office:
        raise ApiError(E.BUNDLE_WRONG_OFFICE, {"office": header.office_code})
    if header.sender_id == device_id:
        raise ApiError(E.BUNDLE_OWN_FILE, details={"bundle_id": header.bundle_id})
    client = make_client(store)
    try:
        ack_raw = client.relay_bundle(raw)
        info = client.last_import or {}
    finally:
        client.close()
    ack = B.read(ack_raw)
    if ack.kind is not B.Kind.ACK or ack.header.recipient_id != header.sender_id:
        raise ApiError(E.BUNDLE_UNREADABLE, details={"detail": "the server's answer"})
    target = Path(ack_out) if ack_out is not None else path.with_name(path.name + ACK_SUFFIX)
    keep = store.data_dir / RELAYED_ACKS / header.sender_id / f"{header.bundle_id}{ACK_SUFFIX}"
    write_atomic(keep, ack_raw, private=True)
    write_atomic(target, ack_raw)
    counts = {str(k): int(v) for k, v in dict(info.get("counts") or {}).items()}
    records = int(info.get("records") or sum(counts.values()))
    already = bool(info.get("already_imported", False))
    with store.write() as s:
        audit.add(
            s,
            datetime.now(UTC),
            operator,
            "bundle_relay",
            None,
            {
                "bundle_id": header.bundle_id,
                "device_id": header.sender_id,
                "records": records,
                "already_imported": already,
                "ack_path": str(target),
            },
        )
    return RelaySummary(header.bundle_id, header.sender_id, records, already, target, counts)


def relayed_acks(store: Store) -> list[Path]:
    """The acknowledgements this device relayed and keeps for other devices."""
    folder = store.data_dir / RELAYED_ACKS
    return sorted(folder.glob(f"*/*{ACK_SUFFIX}")) if folder.is_dir() else []


# --- in transit ----------------------------------------------------------------------------
def in_transit(store: Store) -> InTransit:
    with store.read() as s:
        t = Q.in_transit(s)
    return InTransit(t.records, t.bundles, t.since)


def exports(store: Store, *, unacked_only: bool = False) -> list[Q.ExportRow]:
    """The bundles this device wrote, newest first (for the app's "in transit" list)."""
    with store.read() as s:
        return Q.exports(s, unacked_only=unacked_only)


# --- files ---------------------------------------------------------------------------------
def read_bundle_file(path: Path) -> bytes:
    """The bytes of a bundle file, refused past the format's size bound before reading it."""
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size > B.MAX_BUNDLE_BYTES:
                raise ApiError(E.BUNDLE_TOO_LARGE, {"max": B.MAX_BUNDLE_BYTES})
            raw = fh.read(B.MAX_BUNDLE_BYTES + 1)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ApiError(E.FILE_NOT_FOUND, {"path": str(path)}) from None
    if len(raw) > B.MAX_BUNDLE_BYTES:
        raise ApiError(E.BUNDLE_TOO_LARGE, {"max": B.MAX_BUNDLE_BYTES})
    return raw


def write_atomic(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder (fsynced, then
    renamed over ``path``): the final name holds the whole file or nothing new.
    FILE_WRITE_FAILED when it cannot be written; the temporary file is removed then."""
    from common.private_files import open_private, private_dir

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        if private:
            private_dir(path.parent)
        fd = open_private(tmp, exclusive=True)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        log.warning("could not write %s: %s", path, exc)
        raise ApiError(
            E.FILE_WRITE_FAILED, {"path": str(path), "reason": exc.strerror or type(exc).__name__}
        ) from None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # a folder cannot be opened on Windows
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (FAT on a USB stick) cannot fsync a folder
    finally:
        os.close(fd)


def _wrong_kind(found: B.Kind, expected: B.Kind) -> ApiError:
    return ApiError(
        E.BUNDLE_WRONG_KIND, details={"found": _KIND_NAME[found], "expected": _KIND_NAME[expected]}
    )
