"""Ingest: one push batch, in one transaction, exactly once.

The steps (see docs/PROTOCOL.md for the outcomes a device sees):

1. :func:`prepare` (no database): check each record's shape and validate its applicant with
   :func:`common.validation.check` as of the server's date. Done before the transaction opens,
   so on SQLite the CPU work runs in parallel in several processes outside the write lock.
2. Claim the batch: ``INSERT INTO batches ... ON CONFLICT (device_id, batch_id) DO NOTHING``.
   If the row exists, the stored response is returned and nothing changes. On PostgreSQL a
   second copy of a batch still being ingested waits on the unique key until the first
   commits, then returns the first one's answer.
3. For each record (set-based): look up the registration and its revisions. A known
   (id, revision) is ``already_received`` (same content hash) or ``conflict`` (different).
   An unknown id is inserted (``ON CONFLICT (id) DO NOTHING``: a concurrent insert of the same
   id makes this one re-classify against it). A known id with a new revision is applied with
   compare-and-set (``UPDATE ... WHERE id=:id AND revision=:base``); a stale base is a conflict.
4. Identity rules for every record stored by this batch: claim the NIK in ``nik_primaries``
   (``ON CONFLICT DO NOTHING``; the first claim is the primary, others are flagged
   ``duplicate_nik``), then a family-card slot 1 or 2 in ``kk_slots`` (none free: ``kk_limit``).
   Flagged records are kept with status ``potential_duplicate`` in a duplicate group.
5. Store the revision, each record's outcome (``batch_records``), the batch's counts, bytes and
   the response, and the device's last push time.

A record whose id appears more than once in one batch is handled in order: each later copy is
processed in a further pass, after the earlier ones are in the database.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from common import errors as E
from common import wire
from common.enums import Channel, Status
from common.protocol import (
    MAX_APPLICANT_KEYS,
    MAX_BATCH_ERRORS,
    MAX_BATCH_RECORDS,
    MAX_INT4,
    MAX_RECORD_ERRORS,
    Outcome,
    PushRecord,
    PushRequest,
    PushResponse,
    RecordResult,
    decode,
)
from common.record import content_hash, parse_datetime
from common.regcode import is_valid_code, normalise_code
from common.validation import check
from syncserver.db import _json_dumps as json_dumps
from syncserver.queries import ingest as q

_ID_OK = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]{0,63}$")
_HASH_OK = re.compile(r"^[0-9a-f]{16,64}$")
_CHANNELS = frozenset(c.value for c in Channel)
_JSON_NULL = json_dumps(None)  # what SQLAlchemy's JSON type stores for None


@dataclass(frozen=True, slots=True)
class DeviceRef:
    id: str
    office_code: str
    device_no: int = 0  # the DDD part of the registration codes it makes


@dataclass(slots=True)
class Item:
    """One record of the batch on its way through ingest."""

    pos: int
    rec: PushRecord
    errors: list[str] = field(default_factory=list)
    row: dict[str, Any] | None = None  # the registrations row, when valid
    result: RecordResult | None = None
    flag: tuple[str, str, str, str, str] | None = None  # reason, primary id, code, kind, key


@dataclass(slots=True)
class Prepared:
    request: PushRequest
    items: list[Item]


_PUSH_KEYS = frozenset(("device_id", "office_code", "batch_id", "records"))
_RECORD_KEYS = frozenset(
    ("id", "code", "revision", "base_revision", "content_hash", "applicant", "operator",
     "channel", "device_time")
)  # fmt: skip
assert _PUSH_KEYS == set(PushRequest.__slots__) and _RECORD_KEYS == set(PushRecord.__slots__)


def decode_push(data: Any) -> PushRequest:
    """``decode(PushRequest, data)``, fast for a well-formed body: a body whose every object
    has exactly the expected keys with values of exactly the expected JSON types becomes the
    same PushRequest without the generic decoder's per-field reflection; anything else goes
    through ``decode``, which gives the error (or, for unusual but valid input, the result)."""
    if type(data) is dict and data.keys() == _PUSH_KEYS:
        records = data["records"]
        if (
            type(records) is list
            and len(records) <= MAX_BATCH_RECORDS  # before any per-record work
            and type(data["device_id"]) is str
            and type(data["office_code"]) is str
            and type(data["batch_id"]) is str
            and len(data["device_id"]) <= 36
            and len(data["office_code"]) <= 6
            and len(data["batch_id"]) <= 64
        ):
            out = []
            append = out.append
            for r in records:
                if type(r) is not dict or r.keys() != _RECORD_KEYS:
                    break
                rid, code, rev, base = r["id"], r["code"], r["revision"], r["base_revision"]
                h, a, op, ch, t = (
                    r["content_hash"], r["applicant"], r["operator"], r["channel"],
                    r["device_time"],
                )  # fmt: skip
                if not (
                    type(rid) is str and type(code) is str and type(rev) is int
                    and type(base) is int and type(h) is str and type(a) is dict
                    and type(op) is str and type(ch) is str and type(t) is str
                    # the bounds of common.protocol.PushRecord (decode() names the one broken)
                    and len(rid) <= 36 and len(code) <= 32 and 1 <= rev <= MAX_INT4
                    and 0 <= base < MAX_INT4 and len(h) <= 64 and len(a) <= MAX_APPLICANT_KEYS
                    and len(op) <= 100 and len(ch) <= 16 and len(t) <= 40
                ):  # fmt: skip
                    break
                append(PushRecord(rid, code, rev, base, h, a, op, ch, t))
            else:
                return PushRequest(data["device_id"], data["office_code"], data["batch_id"], out)
    return decode(PushRequest, data)


def _shape_errors(rec: PushRecord, code_prefixes: tuple[str, ...]) -> list[str]:
    """Checks of a record's envelope. Lengths and integer ranges were checked by decoding
    (:class:`common.protocol.PushRecord`'s bounds: what both databases' columns hold)."""
    # fullmatch: with match, "$" also matches before a trailing newline
    if not _ID_OK.fullmatch(rec.id):
        return [E.SCHEMA_VIOLATION]
    if rec.base_revision >= rec.revision:
        return [E.SCHEMA_VIOLATION]
    if not _HASH_OK.fullmatch(rec.content_hash):
        return [E.SCHEMA_VIOLATION]
    if rec.channel not in _CHANNELS:
        return [E.SCHEMA_VIOLATION]
    # stored as text: control characters (NUL: PostgreSQL refuses it, a 500) are not allowed
    if not rec.operator.isprintable():
        return [E.TEXT_CONTROL_CHARS]
    if not _code_ok(rec.code, code_prefixes):
        return [E.REGISTRATION_CODE_INVALID]
    return []


#: The office and device parts of a code made before the device was enrolled: a desktop
#: saves records from its first start (office ``000000`` until one is set up, device 000).
_UNENROLLED_OFFICE = "000000"
_UNENROLLED_DEVICE = "000"


def _code_prefixes(device: DeviceRef) -> tuple[str, ...]:
    """The ``OOOOOO-DDD-`` starts a code of ``device`` may have: its office and number, or
    its office (or none yet) with the number 000 of a device not enrolled yet."""
    return (
        f"{device.office_code}-{device.device_no:03d}-",
        f"{device.office_code}-{_UNENROLLED_DEVICE}-",
        f"{_UNENROLLED_OFFICE}-{_UNENROLLED_DEVICE}-",
    )


def _code_ok(code: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``code`` is a well-formed registration code (common.regcode) in its canonical
    form, with a correct check character, of the pushing device: its office part is the
    device's office and its device part the device's number within the office, or the parts
    of a code made before enrollment (see :func:`_code_prefixes`). The sequence part is the
    device's own and is not checked."""
    return (
        code.startswith(prefixes)
        and code.isascii()  # regex \d would take other scripts' digits
        and code == normalise_code(code)
        and is_valid_code(code)
    )


def _device_time(text: str) -> datetime | None:
    """The device's clock reading, or None when not given; ValueError outside 2000-2999
    (PostgreSQL and Python disagree about the far edges of time, e.g. year 1 at UTC+14)."""
    if not text:
        return None
    value = parse_datetime(text)
    if value is None or not 2000 <= value.year <= 2999:
        raise ValueError(text)
    return value


def prepare(request: PushRequest, today: date, device: DeviceRef) -> Prepared:
    """Shape checks and validation of every record (pure CPU, no database)."""
    items: list[Item] = []
    code_prefixes = _code_prefixes(device)
    budget = MAX_BATCH_ERRORS  # error codes the batch's answer may still carry
    for pos, rec in enumerate(request.records):
        item = Item(pos, rec, _shape_errors(rec, code_prefixes))
        device_time: datetime | None = None
        if not item.errors:
            try:
                device_time = _device_time(rec.device_time)
            except (ValueError, TypeError):
                item.errors = [E.DATE_INVALID]
        if not item.errors:
            result = check(rec.applicant, today, strict_types=True)
            if result.ok and content_hash(rec.applicant) != rec.content_hash:
                item.errors = [E.CONTENT_HASH_MISMATCH]  # the hash stored is the server's own
            elif result.ok:
                a = result.applicant
                item.row = {
                    "id": rec.id,
                    "code": rec.code,
                    "nik": a.nik,
                    "kk_number": a.kk_number,
                    "full_name": a.full_name,
                    "phone": a.phone,
                    "province_code": a.village_code[:2],
                    "regency_code": a.village_code[:5],
                    "village_code": a.village_code,
                    "revision": rec.revision,
                    "applicant": rec.applicant,  # as sent: what content_hash covers
                    # serialised once, here (outside the transaction), for both tables
                    "applicant_json": json_dumps(rec.applicant),
                    "content_hash": rec.content_hash,
                    "operator": rec.operator,
                    "channel": rec.channel,
                    "device_time": device_time,
                }
            else:
                codes = list(dict.fromkeys(result.error_codes))
                item.errors = codes[: max(1, min(MAX_RECORD_ERRORS, budget))]
        budget -= len(item.errors)
        items.append(item)
    return Prepared(request, items)


def ingest(
    session: Session,
    device: DeviceRef,
    prepared: Prepared,
    *,
    now: datetime,
    bytes_wire: int = 0,
    bytes_raw: int = 0,
    source: str = "network",
) -> tuple[PushResponse, bool, bytes]:
    """Ingest a prepared batch inside ``session``'s transaction (the caller commits).

    Returns the response, whether it is the stored answer of a batch seen before, and the
    response as the JSON body to send (the same text is stored with the batch)."""
    request = prepared.request
    batch_pk = q.claim_batch(
        session,
        {
            "device_id": device.id,
            "office_code": device.office_code,
            "batch_id": request.batch_id,
            "source": source,
            "received_at": now,
            "record_count": len(request.records),
            "bytes_wire": bytes_wire,
            "bytes_raw": bytes_raw,
        },
    )
    if batch_pk is None:
        stored = q.stored_response(session, device.id, request.batch_id)
        if stored is None:  # cannot happen: the answer is stored in the batch's transaction
            raise E.ApiError(E.UNAVAILABLE)
        return decode(PushResponse, stored), True, wire.dumps(stored)

    items = prepared.items
    for item in items:
        if item.errors:
            item.result = RecordResult(
                item.rec.id, item.rec.revision, Outcome.INVALID, errors=item.errors
            )
    # layers: the n-th occurrence of an id in the batch goes in pass n
    seen: Counter[str] = Counter()
    layers: list[list[Item]] = []
    for item in items:
        if item.result is None:
            n = seen[item.rec.id]
            seen[item.rec.id] += 1
            if n == len(layers):
                layers.append([])
            layers[n].append(item)
    for layer in layers:
        _pass(session, device, layer, batch_pk, now)

    results = [item.result for item in items]
    assert all(r is not None for r in results)
    response = PushResponse(request.batch_id, results, now.isoformat().replace("+00:00", "Z"))  # type: ignore[arg-type]
    body = wire.dumps(response_dict(response))
    counts = Counter(r.outcome.value for r in response.results)
    q.insert_batch_records(
        session,
        [
            (
                batch_pk,
                item.pos,
                item.rec.id[:64],
                item.rec.revision,
                item.result.outcome.value,  # type: ignore[union-attr]
                json_dumps(item.result.errors) if item.result.errors else _JSON_NULL,  # type: ignore[union-attr]
            )
            for item in items
        ],
    )
    q.finish_batch(
        session, batch_pk, {o.value: counts.get(o.value, 0) for o in Outcome}, body.decode()
    )
    q.touch_device_push(session, device.id, now)
    return response, False, body


def response_dict(response: PushResponse) -> dict[str, Any]:
    """``common.protocol.encode(response)``, written out for speed (500 results per batch)."""
    return {
        "batch_id": response.batch_id,
        "results": [
            {
                "id": r.id,
                "revision": r.revision,
                "outcome": r.outcome.value,
                "status": r.status.value if r.status is not None else None,
                "errors": list(r.errors),
                "duplicate_of": r.duplicate_of,
                "server_revision": r.server_revision,
            }
            for r in response.results
        ],
        "server_time": response.server_time,
    }


def _classify_existing(
    item: Item, state: q.RegState, revs: dict[tuple[str, int], str], office: str
) -> bool:
    """Set the result of a record whose id the server holds; True if it is a new revision
    to apply (compare-and-set), False if the result is final."""
    rec = item.rec
    if state.office_code != office:
        # another office's record: refuse without revealing anything about it (least access)
        item.result = RecordResult(rec.id, rec.revision, Outcome.CONFLICT)
        return False
    known = revs.get((rec.id, rec.revision))
    if known is not None:
        outcome = Outcome.ALREADY_RECEIVED if known == rec.content_hash else Outcome.CONFLICT
        item.result = RecordResult(
            rec.id,
            rec.revision,
            outcome,
            status=Status(state.status),
            duplicate_of=state.duplicate_of_code,
            server_revision=state.revision,
        )
        return False
    if state.status in q.DECIDED_STATUSES:
        # verified or rejected: a reviewer has closed this record; a revision made without
        # knowing it (e.g. after a lost response) must not silently undo the decision
        # (DESIGN promise 4). The device learns the decision on its next pull.
        item.result = RecordResult(
            rec.id,
            rec.revision,
            Outcome.CONFLICT,
            status=Status(state.status),
            server_revision=state.revision,
        )
        return False
    if rec.revision > state.revision and rec.base_revision == state.revision:
        if item.row is None:
            item.result = RecordResult(rec.id, rec.revision, Outcome.INVALID, errors=item.errors)
            return False
        if rec.revision == state.revision + 1:
            return True
    item.result = RecordResult(
        rec.id,
        rec.revision,
        Outcome.CONFLICT,
        status=Status(state.status),
        # on the server's revision but skipping numbers: say why, it is no stale base
        errors=[E.REVISION_NOT_CONTIGUOUS] if rec.base_revision == state.revision else [],
        server_revision=state.revision,
    )
    return False


def _pass(
    session: Session, device: DeviceRef, items: list[Item], batch_pk: int, now: datetime
) -> None:
    ids = [item.rec.id for item in items]
    states = q.registration_states(session, ids)
    revs = q.revision_hashes(session, states.keys()) if states else {}
    new: list[Item] = []
    updates: list[Item] = []
    for item in items:
        state = states.get(item.rec.id)
        if state is None:
            if item.row is not None and item.rec.revision != 1:
                item.errors = [E.REVISION_NOT_CONTIGUOUS]  # the server holds no revision 1
                item.row = None
            if item.row is None:
                item.result = RecordResult(
                    item.rec.id, item.rec.revision, Outcome.INVALID, errors=item.errors
                )
            else:
                new.append(item)
        elif _classify_existing(item, state, revs, device.office_code):
            updates.append(item)

    common_cols = {
        "office_code": device.office_code,
        "device_id": device.id,
        "status": Status.RECEIVED.value,
        "updated_at": now,
        "batch_pk": batch_pk,
        "flag_reason": None,
        "duplicate_of_id": None,
        "duplicate_group_id": None,
    }
    winners: list[Item] = []
    if new:
        inserted = q.insert_registrations(
            session,
            [{**item.row, **common_cols, "received_at": now} for item in new],  # type: ignore[dict-item]
        )
        losers = [item for item in new if item.rec.id not in inserted]
        winners.extend(item for item in new if item.rec.id in inserted)
        if losers:  # inserted meanwhile by a concurrent batch: classify against it
            now_there = q.registration_states(session, [i.rec.id for i in losers])
            revs = q.revision_hashes(session, now_there.keys())
            for i in losers:
                if _classify_existing(i, now_there[i.rec.id], revs, device.office_code):
                    states[i.rec.id] = now_there[i.rec.id]
                    updates.append(i)
    released: list[tuple[Item, q.RegState]] = []
    for item in sorted(updates, key=lambda i: i.rec.id):
        before = (
            states.get(item.rec.id) or q.registration_states(session, [item.rec.id])[item.rec.id]
        )
        row = {**item.row, **common_cols}  # type: ignore[dict-item]
        if q.update_registration(session, row, item.rec.base_revision):
            winners.append(item)
            released.append((item, before))
        else:  # changed meanwhile: classify against what is there now
            state = q.registration_states(session, [item.rec.id])[item.rec.id]
            revs = q.revision_hashes(session, [item.rec.id])
            if _classify_existing(item, state, revs, device.office_code):
                item.result = RecordResult(
                    item.rec.id, item.rec.revision, Outcome.CONFLICT,
                    status=Status(state.status), server_revision=state.revision,
                )  # fmt: skip
    for item, before in released:  # a new revision with another NIK / KK gives up the old claim
        assert item.row is not None
        if before.nik != item.row["nik"]:
            q.release_nik(session, before.nik, item.rec.id)
        if before.kk_number != item.row["kk_number"]:
            q.release_kk_slots(session, item.rec.id, keep_kk=item.row["kk_number"])
    if not winners:
        return
    _identity_rules(session, winners, now)
    q.insert_revisions(
        session,
        [
            (  # q.REV_COLS
                item.rec.id,
                item.rec.revision,
                item.rec.base_revision,
                item.rec.content_hash,
                item.row["applicant_json"],  # type: ignore[index]
                item.rec.operator,
                device.id,
                item.row["device_time"],  # type: ignore[index]
                batch_pk,
                now,
            )
            for item in winners
        ],
    )
    for item in winners:
        if item.flag is None:
            item.result = RecordResult(
                item.rec.id, item.rec.revision, Outcome.ACCEPTED, status=Status.RECEIVED
            )
        else:
            reason, _pid, code, _kind, _key = item.flag
            item.result = RecordResult(
                item.rec.id,
                item.rec.revision,
                Outcome(reason),
                status=Status.POTENTIAL_DUPLICATE,
                duplicate_of=code,
            )


def _identity_rules(session: Session, winners: list[Item], now: datetime) -> None:
    """NIK primaries and family-card slots, enforced by the database's unique keys."""
    rows = [item.row for item in winners]
    assert all(r is not None for r in rows)
    won = q.claim_niks(session, [{"nik": r["nik"], "registration_id": r["id"]} for r in rows])  # type: ignore[index]
    primaries = q.nik_primaries(session, {r["nik"] for r in rows if won.get(r["nik"]) != r["id"]})  # type: ignore[index]
    kk_candidates: list[Item] = []
    for item in winners:
        nik = item.row["nik"]  # type: ignore[index]
        if won.get(nik) == item.rec.id:
            kk_candidates.append(item)
            continue
        pid, pcode = primaries[nik]
        if pid == item.rec.id:  # a new revision of the primary itself
            kk_candidates.append(item)
        else:
            item.flag = (Outcome.DUPLICATE_NIK.value, pid, pcode, "nik", nik)
            if item.rec.revision > 1:  # a flagged record holds no family-card slot
                q.release_kk_slots(session, item.rec.id)
    if not kk_candidates:
        need: list[Item] = []
    else:
        revised = [item for item in kk_candidates if item.rec.revision > 1]
        holders: set[str] = set()
        if revised:  # only a registration seen before can hold a slot already
            taken = q.kk_slots(session, {i.row["kk_number"] for i in revised})  # type: ignore[index]
            holders = {rid for slots in taken.values() for rid, _ in slots.values()}
        need = [item for item in kk_candidates if item.rec.id not in holders]
    for slot in (1, 2):
        if not need:
            break
        got = q.claim_kk_slots(
            session,
            [
                {"kk_number": i.row["kk_number"], "slot": slot, "registration_id": i.rec.id}
                for i in need
            ],  # type: ignore[index]
        )
        need = [item for item in need if item.rec.id not in got]
    if need:
        slots = q.kk_slots(session, {i.row["kk_number"] for i in need})  # type: ignore[index]
        for item in need:
            kk = item.row["kk_number"]  # type: ignore[index]
            first = slots[kk].get(1) or slots[kk][2]
            item.flag = (Outcome.KK_LIMIT.value, first[0], first[1], "kk", kk)

    flagged = [item for item in winners if item.flag is not None]
    if not flagged:
        return
    groups = q.ensure_groups(
        session,
        [
            {"kind": f[3], "key": f[4], "primary_registration_id": f[1], "created_at": now}
            for f in {item.flag[3:]: item.flag for item in flagged}.values()  # type: ignore[index]
        ],
    )
    q.set_flags(
        session,
        [
            {
                "rid": item.rec.id,
                "b_status": Status.POTENTIAL_DUPLICATE.value,
                "b_flag": item.flag[0],  # type: ignore[index]
                "b_dup": item.flag[1],  # type: ignore[index]
                "b_group": groups[(item.flag[3], item.flag[4])],  # type: ignore[index]
            }
            for item in flagged
        ],
    )
