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
   Flagged records are kept with status ``potential_duplicate`` in a duplicate group. A new
   revision that leaves a NIK or card passes its claim on (:func:`_move_claims`). A flag
   against another office's registration is not told to the device (least access).
5. Store the revision; announce each new revision of a known record in the office's change
   feed (:func:`_announce_revisions`); store each record's outcome (``batch_records``), the
   batch's counts, bytes and the response, and the device's last push time.

A record whose id appears more than once in one batch is handled in order: each later copy is
processed in a further pass, after the earlier ones are in the database.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from common import errors as E
from common import wire
from common.enums import DECIDED_STATUSES, Channel, Status
from common.protocol import (
    MAX_APPLICANT_KEYS,
    MAX_BATCH_ERRORS,
    MAX_BATCH_RECORDS,
    MAX_INT4,
    MAX_RECORD_ERRORS,
    Backlog,
    Change,
    ChangeKind,
    Outcome,
    PushRecord,
    PushRequest,
    PushResponse,
    RecordResult,
    decode,
)
from common.record import canonical_hash, canonical_json, parse_datetime
from common.regcode import is_valid_code, normalise_code
from common.validation import check
from common.wiretime import utc_text
from syncserver.db import _json_dumps as json_dumps
from syncserver.db import describe_db_error
from syncserver.queries import changes as changes_q
from syncserver.queries import devices as devices_q
from syncserver.queries import ingest as q

log = logging.getLogger(__name__)

_ID_OK = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]{0,63}$")
_HASH_OK = re.compile(r"^[0-9a-f]{16,64}$")
_CHANNELS = frozenset(c.value for c in Channel)
_JSON_NULL = json_dumps(None)  # what SQLAlchemy's JSON type stores for None


@dataclass(frozen=True, slots=True)
class DeviceRef:
    id: str
    office_code: str
    device_no: int = 0  # the DDD part of the registration codes it makes


class Flag(NamedTuple):
    """Why a stored record is a potential duplicate, and of which registration."""

    reason: str  # Outcome.DUPLICATE_NIK or Outcome.KK_LIMIT, as stored in flag_reason
    primary_id: str
    primary_code: str
    kind: str  # the duplicate group's kind: "nik" or "kk"
    key: str  # the group's key: the NIK or the family-card number
    office: str  # the primary's office ("" when not to be told: see _identity_rules)


@dataclass(slots=True)
class Item:
    """One record of the batch on its way through ingest."""

    pos: int
    rec: PushRecord
    errors: list[str] = field(default_factory=list)
    row: q.PreparedRow | None = None  # the registrations row, when valid
    result: RecordResult | None = None
    flag: Flag | None = None
    #: the outcome central sees (batch_records, batch counts) when the device is told less
    central: Outcome | None = None


@dataclass(slots=True)
class Prepared:
    request: PushRequest
    items: list[Item]


_PUSH_KEYS = frozenset(("device_id", "office_code", "batch_id", "records"))
_PUSH_KEYS_BACKLOG = _PUSH_KEYS | {"backlog"}
_RECORD_KEYS = frozenset(
    (
        "id",
        "code",
        "revision",
        "base_revision",
        "content_hash",
        "applicant",
        "operator",
        "channel",
        "device_time",
    )
)
assert _PUSH_KEYS_BACKLOG == set(PushRequest.__slots__)
assert _RECORD_KEYS == set(PushRecord.__slots__)


def decode_push(data: Any) -> PushRequest:
    """``decode(PushRequest, data)``, fast for a well-formed body: a body whose every object
    has exactly the expected keys with values of exactly the expected JSON types becomes the
    same PushRequest without the generic decoder's per-field reflection; anything else goes
    through ``decode``, which gives the error (or, for unusual but valid input, the result)."""
    if type(data) is dict and (data.keys() == _PUSH_KEYS or data.keys() == _PUSH_KEYS_BACKLOG):
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
            out: list[PushRecord] = []
            append = out.append
            for r in records:
                if type(r) is not dict or r.keys() != _RECORD_KEYS:
                    break
                rid, code, rev, base = r["id"], r["code"], r["revision"], r["base_revision"]
                h, a, op, ch, t = (
                    r["content_hash"],
                    r["applicant"],
                    r["operator"],
                    r["channel"],
                    r["device_time"],
                )
                if not (
                    type(rid) is str
                    and type(code) is str
                    and type(rev) is int
                    and type(base) is int
                    and type(h) is str
                    and type(a) is dict
                    and type(op) is str
                    and type(ch) is str
                    and type(t) is str
                    # the bounds of common.protocol.PushRecord (decode() names the one broken)
                    and len(rid) <= 36
                    and len(code) <= 32
                    and 1 <= rev <= MAX_INT4
                    and 0 <= base < MAX_INT4
                    and len(h) <= 64
                    and len(a) <= MAX_APPLICANT_KEYS
                    and len(op) <= 100
                    and len(ch) <= 16
                    and len(t) <= 40
                ):
                    break
                append(PushRecord(rid, code, rev, base, h, a, op, ch, t))
            else:
                backlog = data.get("backlog")
                return PushRequest(
                    data["device_id"],
                    data["office_code"],
                    data["batch_id"],
                    out,
                    None if backlog is None else decode(Backlog, backlog, "backlog."),
                )
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


#: The office part of a code made before the device was enrolled (with device part 000):
#: office ``000000`` until one was set up. Desktops before issue 13 saved such records and two
#: devices gave the same code to two applicants, so a NEW registration may only carry the
#: pushing device's own office and number (:func:`new_code_errors`). A registration the server
#: already holds keeps its code: a revision must carry exactly the stored code, whatever it
#: is (the compare-and-set, ``queries.ingest.update_registration``), from any device of the
#: office.
_UNENROLLED_OFFICE = "000000"
_UNENROLLED_DEVICE = "000"


def _code_prefixes(device: DeviceRef) -> tuple[str, ...]:
    """The ``OOOOOO-`` starts a code sent by ``device`` may have: its office, or none yet
    (a registration received before issue 13)."""
    return (f"{device.office_code}-", f"{_UNENROLLED_OFFICE}-{_UNENROLLED_DEVICE}-")


def new_code_errors(code: str, device: DeviceRef) -> list[str]:
    """The code of a registration the server does not hold yet must be the pushing device's:
    its office and its number, which the server gave to this device alone (``UNIQUE
    (office_code, device_no)``), so with the device's own sequence the code is unique across
    all devices. A pre-enrollment code (device part 000) is ``REGISTRATION_CODE_UNENROLLED``
    from every device, even the first to send it: the other device holding the same code
    may not have synced yet."""
    if device.device_no > 0 and code.startswith(f"{device.office_code}-{device.device_no:03d}-"):
        return []
    if code[7:11] == f"{_UNENROLLED_DEVICE}-":
        return [E.REGISTRATION_CODE_UNENROLLED]
    return [E.REGISTRATION_CODE_INVALID]


def _code_ok(code: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``code`` is a well-formed registration code (common.regcode) in its canonical
    form, with a correct check character, of the pushing device's office (or of no office
    yet: see :func:`_code_prefixes`). Whose device part it may have depends on whether the
    server holds the registration (:func:`new_code_errors`, in the transaction). The
    sequence part is the device's own and is not checked."""
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
            # the canonical JSON, made once: hashed here, and the text registrations stores
            canonical = canonical_json(rec.applicant) if result.ok else b""
            if result.ok and canonical_hash(canonical) != rec.content_hash:
                item.errors = [E.CONTENT_HASH_MISMATCH]  # the hash stored is the server's own
            elif result.ok:
                a = result.applicant
                item.row = q.PreparedRow(
                    id=rec.id,
                    code=rec.code,
                    nik=a.nik,
                    kk_number=a.kk_number,
                    full_name=a.full_name,
                    phone=a.phone,
                    province_code=a.village_code[:2],
                    regency_code=a.village_code[:5],
                    village_code=a.village_code,
                    revision=rec.revision,
                    # serialised once, here (outside the transaction): keys sorted
                    applicant_json=canonical.decode(),
                    content_hash=rec.content_hash,
                    operator=rec.operator,
                    channel=rec.channel,
                    device_time=device_time,
                    applicant=rec.applicant,  # as sent: what content_hash covers
                )
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
    revised: list[Item] = []
    heirs: set[str] = set()
    for layer in layers:
        revised.extend(_pass(session, device, layer, batch_pk, now, heirs))
    _announce_revisions(session, device, revised, heirs, now)

    results = [_result(item) for item in items]
    response = PushResponse(request.batch_id, results, utc_text(now))
    body = wire.dumps(response)
    central = [(i.central or r.outcome).value for i, r in zip(items, results, strict=True)]
    counts = Counter(central)
    q.insert_batch_records(
        session,
        [
            (
                batch_pk,
                item.pos,
                item.rec.id[:64],
                item.rec.revision,
                outcome,
                json_dumps(result.errors) if result.errors else _JSON_NULL,
            )
            for item, result, outcome in zip(items, results, central, strict=True)
        ],
    )
    q.finish_batch(
        session, batch_pk, {o.value: counts.get(o.value, 0) for o in Outcome}, body.decode()
    )
    q.touch_device_push(session, device.id, now, devices_q.backlog_values(request.backlog, now))
    return response, False, body


#: PostgreSQL SQLSTATEs after which the whole batch is simply run again.
_RETRY_SQLSTATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure


def ingest_committed(
    session: Session,
    device: DeviceRef,
    prepared: Prepared,
    *,
    now: datetime,
    attempts: int,
    bytes_wire: int = 0,
    bytes_raw: int = 0,
    source: str = "network",
) -> tuple[PushResponse, bool, bytes]:
    """:func:`ingest` in a transaction of its own, committed; a deadlock or serialisation
    failure (PostgreSQL) rolls back and runs the whole batch again, up to ``attempts`` times
    (a push)."""
    sizes = (bytes_wire, bytes_raw)
    return ingest_group(
        session, device, [prepared], now=now, attempts=attempts, sizes=sizes, source=source
    )[0]


def ingest_group(
    session: Session,
    device: DeviceRef,
    group: list[Prepared],
    *,
    now: datetime,
    attempts: int,
    sizes: tuple[int, int] = (0, 0),
    source: str = "network",
) -> list[tuple[PushResponse, bool, bytes]]:
    """:func:`ingest` of several batches in one transaction, committed, with the same retry
    as :func:`ingest_committed` (the batches of a bundle: fewer commits, each batch still
    its own push with its own stored answer)."""
    for attempt in range(attempts):
        try:
            answers = [
                ingest(
                    session,
                    device,
                    prepared,
                    now=now,
                    bytes_wire=sizes[0],
                    bytes_raw=sizes[1],
                    source=source,
                )
                for prepared in group
            ]
            session.commit()
            return answers
        except DBAPIError as exc:
            session.rollback()
            if attempt + 1 < attempts and getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES:
                log.info(
                    "batch %s: retrying after %s",
                    group[0].request.batch_id,
                    describe_db_error(exc),
                )
                continue
            raise
    raise AssertionError("attempts must be at least 1")


def _result(item: Item) -> RecordResult:
    """The item's result: every record of a batch has one once its passes ran."""
    assert item.result is not None
    return item.result


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
    status, duplicate_of = state.visible_to(office)
    known = revs.get((rec.id, rec.revision))
    if known is not None:
        outcome = Outcome.ALREADY_RECEIVED if known == rec.content_hash else Outcome.CONFLICT
        item.result = RecordResult(
            rec.id,
            rec.revision,
            outcome,
            status=Status(status),
            duplicate_of=duplicate_of,
            server_revision=state.revision,
        )
        return False
    if state.status in DECIDED_STATUSES:
        # verified or rejected: a reviewer has closed this record; a revision made without
        # knowing it (e.g. after a lost response) must not silently undo the decision
        # (docs/ARCHITECTURE.md, promise 4). The device learns the decision on its next pull.
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
        status=Status(status),
        # on the server's revision but skipping numbers: say why, it is no stale base
        errors=[E.REVISION_NOT_CONTIGUOUS] if rec.base_revision == state.revision else [],
        server_revision=state.revision,
    )
    return False


def _announce_revisions(
    session: Session, device: DeviceRef, revised: list[Item], heirs: set[str], now: datetime
) -> None:
    """Put every applied new revision in the office's change feed, so the devices that hold
    the record (another device of the office may have made an earlier revision) learn of it
    on their next pull instead of keeping a copy that was silently overwritten (issue 12
    finding 13). Status and ``duplicate_of`` are the ones the pushing device was told. The
    feed names the revision only: the pull reads its content from ``registration_revisions``
    (the feed keeps no second copy of personal data). Last in the transaction but for the
    batch's own rows: the office's feed lock is held shortly."""
    stamp = utc_text(now)

    def change(rid: str, revision: int, status: str, duplicate_of: str | None) -> Change:
        return Change(
            seq=0,
            kind=ChangeKind.REVISION,
            registration_id=rid,
            revision=revision,
            status=Status(status),
            duplicate_of=duplicate_of,
            decided_at=stamp,
        )

    by_office: dict[str, list[Change]] = {device.office_code: []}
    for item in revised:
        result = item.result
        assert result is not None and result.status is not None
        by_office[device.office_code].append(
            change(item.rec.id, item.rec.revision, result.status.value, result.duplicate_of)
        )
    if heirs:  # unflagged by another record's NIK change: their devices learn the new status
        states = q.registration_states(session, heirs)
        for office in sorted({st.office_code for st in states.values()}):
            seen = _states(session, [i for i in heirs if states[i].office_code == office], office)
            for rid, st in sorted(seen.items()):
                by_office.setdefault(office, []).append(
                    change(rid, st.revision, *st.visible_to(office))
                )
    for office in sorted(by_office):  # feed locks in one global order
        changes_q.append_changes(session, office, by_office[office], now)


def _states(session: Session, ids: list[str], office: str) -> dict[str, q.RegState]:
    """``q.registration_states``, where a ``kk_limit`` flag counts as the office's own only
    when both slot holders of the card are the office's: "the card is full" against one's own
    record would otherwise say that another office holds the other slot (finding 4)."""
    states = q.registration_states(session, ids)
    kks = {
        st.kk_number
        for st in states.values()
        if st.flag_reason == Outcome.KK_LIMIT.value and st.duplicate_of_office == office
    }
    if kks:
        slots = q.kk_slots(session, kks)
        for st in states.values():
            if st.kk_number in kks and not _all_of(slots.get(st.kk_number, {}), office):
                st.duplicate_of_office = None
    return states


def _all_of(slots: dict[int, tuple[str, str, str]], office: str) -> bool:
    return len(slots) == 2 and all(h[2] == office for h in slots.values())


def _pass(
    session: Session,
    device: DeviceRef,
    items: list[Item],
    batch_pk: int,
    now: datetime,
    heirs: set[str],
) -> list[Item]:
    """Store one layer of the batch; the items applied as a new revision of a known record
    (``heirs`` collects the records another one's claim passed to)."""
    ids = [item.rec.id for item in items]
    states = _states(session, ids, device.office_code)
    revs = q.revision_hashes(session, states.keys()) if states else {}
    new: list[Item] = []
    updates: list[Item] = []
    for item in items:
        state = states.get(item.rec.id)
        if state is None:
            if item.row is not None and item.rec.revision != 1:
                item.errors = [E.REVISION_NOT_CONTIGUOUS]  # the server holds no revision 1
                item.row = None
            elif item.row is not None and (code_errors := new_code_errors(item.rec.code, device)):
                item.errors = code_errors  # a new registration: the device's own code only
                item.row = None
            if item.row is None:
                item.result = RecordResult(
                    item.rec.id, item.rec.revision, Outcome.INVALID, errors=item.errors
                )
            else:
                new.append(item)
        elif _classify_existing(item, state, revs, device.office_code):
            updates.append(item)

    batch = q.BatchColumns(device.office_code, device.id, Status.RECEIVED.value, now, batch_pk)
    winners: list[Item] = []
    if new:
        inserted = q.insert_registrations(session, [_row(item) for item in new], batch)
        losers = [item for item in new if item.rec.id not in inserted]
        winners.extend(item for item in new if item.rec.id in inserted)
        if losers:  # inserted meanwhile by a concurrent batch: classify against it
            now_there = _states(session, [i.rec.id for i in losers], device.office_code)
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
        q.keep_superseded(session, item.rec.id)
        if q.update_registration(session, _row(item), batch, item.rec.base_revision):
            winners.append(item)
            released.append((item, before))
        else:  # changed meanwhile: classify against what is there now
            state = _states(session, [item.rec.id], device.office_code)[item.rec.id]
            revs = q.revision_hashes(session, [item.rec.id])
            if _classify_existing(item, state, revs, device.office_code):
                item.result = RecordResult(
                    item.rec.id,
                    item.rec.revision,
                    Outcome.CONFLICT,
                    status=Status(state.visible_to(device.office_code)[0]),
                    server_revision=state.revision,
                )
    heirs.update(
        _move_claims(session, released, {i.rec.id for i in winners}, device.office_code, now)
    )
    if not winners:
        return []
    _identity_rules(session, winners, now, heirs)
    q.insert_revisions(
        session,
        [
            (  # q.REV_COLS
                item.rec.id,
                item.rec.revision,
                item.rec.base_revision,
                item.rec.content_hash,
                None,  # the applicant: in registrations while this revision is current
                item.rec.operator,
                device.id,
                _row(item).device_time,
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
            item.central = Outcome(item.flag.reason)
            if item.flag.office == device.office_code:  # the office's own: the clerk may know
                item.result = RecordResult(
                    item.rec.id,
                    item.rec.revision,
                    item.central,
                    status=Status.POTENTIAL_DUPLICATE,
                    duplicate_of=item.flag.primary_code,
                )
            else:  # another office's: byte for byte the answer for a fresh NIK (finding 4)
                item.result = RecordResult(
                    item.rec.id, item.rec.revision, Outcome.ACCEPTED, status=Status.RECEIVED
                )
    return [item for item, _ in released]


def _move_claims(
    session: Session,
    released: list[tuple[Item, q.RegState]],
    winner_ids: set[str],
    office: str,
    now: datetime,
) -> list[str]:
    """A new revision with another NIK or family card gives up its old claims, and the claim
    and its duplicate group stay consistent (issue 12 finding 14): the NIK claim passes to
    the earliest remaining registration of that NIK (unflagged; it takes a family-card slot
    like any primary), the others in the group are flagged against that heir, and a group
    left with no flagged member is dissolved; a freed family-card slot passes to the earliest
    registration flagged ``kk_limit`` on that card. A registration stored by this same pass is
    left to :func:`_identity_rules`, which runs next. Queries here run per changed key: only
    corrections that change a NIK or card come this way. Returns the heirs it unflagged whose
    devices had been told of their flag (the others were answered as if not flagged, and a
    status change now would tell them they had been: finding 4)."""
    left_groups: list[int] = []
    heirs: list[str] = []
    for item, before in released:
        row = _row(item)
        nik_changed = before.nik != row.nik
        kk_changed = before.kk_number != row.kk_number
        if (nik_changed or kk_changed) and before.duplicate_group_id is not None:
            left_groups.append(before.duplicate_group_id)  # the update took it out
        if nik_changed and q.release_nik(session, before.nik, item.rec.id):
            heir = q.earliest_holder(session, "nik", before.nik)
            if heir is not None:
                q.claim_niks(session, [{"nik": before.nik, "registration_id": heir.id}])
                if heir.id not in winner_ids:
                    q.unflag(session, heir.id)
                    _give_kk_slot(session, heir, now)
                    if heir.office_code == office:  # flagged against this office's record
                        heirs.append(heir.id)
            q.hand_over_group(session, "nik", before.nik, item.rec.id, heir.id if heir else None)
        if kk_changed:
            heirs.extend(
                _free_kk_slots(
                    session, item.rec.id, before.kk_number, row.kk_number, winner_ids, now
                )
            )
    q.drop_empty_groups(session, left_groups)
    return heirs


def _free_kk_slots(
    session: Session,
    rid: str,
    kk: str,
    keep_kk: str | None,
    winner_ids: set[str],
    now: datetime,
) -> list[str]:
    """The registration gives up its slot on ``kk`` (all but ``keep_kk``): the slot passes to
    the earliest registration flagged ``kk_limit`` on that card (not one stored by this pass:
    :func:`_identity_rules` gives those their slot) and the card's group to a holder. Returns
    the heir when its device had been told of its flag (both holders were its office's)."""
    held_before = q.kk_slots(session, {kk})
    out = []
    for freed in q.release_kk_slots(session, rid, keep_kk=keep_kk):
        heir = q.earliest_holder(session, "kk_number", freed, flag=Outcome.KK_LIMIT.value)
        if heir is not None and heir.id not in winner_ids:
            q.unflag(session, heir.id)
            _give_kk_slot(session, heir, now)
            if _all_of(held_before.get(freed, {}), heir.office_code):
                out.append(heir.id)
        holders = q.kk_slots(session, {freed}).get(freed, {})
        first = holders.get(1) or holders.get(2)
        q.hand_over_group(session, "kk", freed, rid, first[0] if first else None)
    return out


def _give_kk_slot(session: Session, heir: q.Heir, now: datetime) -> None:
    """A registration that became a NIK primary (or lost its ``kk_limit`` flag) takes a free
    slot of its family card, or is flagged ``kk_limit`` when both are taken."""
    kk = heir.kk_number
    holders = q.kk_slots(session, {kk}).get(kk, {})
    if any(h[0] == heir.id for h in holders.values()):
        return
    for slot in (1, 2):
        if slot not in holders and heir.id in q.claim_kk_slots(
            session, [{"kk_number": kk, "slot": slot, "registration_id": heir.id}]
        ):
            return
    holders = q.kk_slots(session, {kk})[kk]
    first = holders.get(1) or holders[2]
    groups = q.ensure_groups(
        session, [{"kind": "kk", "key": kk, "primary_registration_id": first[0], "created_at": now}]
    )
    q.set_flags(
        session,
        [
            {
                "rid": heir.id,
                "b_status": Status.POTENTIAL_DUPLICATE.value,
                "b_flag": Outcome.KK_LIMIT.value,
                "b_dup": first[0],
                "b_group": groups[("kk", kk)],
            }
        ],
    )


def _identity_rules(session: Session, winners: list[Item], now: datetime, heirs: set[str]) -> None:
    """NIK primaries and family-card slots, enforced by the database's unique keys."""
    rows = [_row(item) for item in winners]
    won = q.claim_niks(session, [{"nik": r.nik, "registration_id": r.id} for r in rows])
    primaries = q.nik_primaries(session, {r.nik for r in rows if won.get(r.nik) != r.id})
    kk_candidates: list[Item] = []
    for item, row in zip(winners, rows, strict=True):
        nik = row.nik
        if won.get(nik) == item.rec.id:
            kk_candidates.append(item)
            continue
        pid, pcode, poffice = primaries[nik]
        if pid == item.rec.id:  # a new revision of the primary itself
            kk_candidates.append(item)
        else:
            item.flag = Flag(Outcome.DUPLICATE_NIK.value, pid, pcode, "nik", nik, poffice)
            if item.rec.revision > 1:  # a flagged record holds no family-card slot
                winner_ids = {i.rec.id for i in winners}
                heirs.update(
                    _free_kk_slots(session, item.rec.id, row.kk_number, None, winner_ids, now)
                )
    if not kk_candidates:
        need: list[Item] = []
    else:
        revised = [item for item in kk_candidates if item.rec.revision > 1]
        holders: set[str] = set()
        if revised:  # only a registration seen before can hold a slot already
            taken = q.kk_slots(session, {_row(i).kk_number for i in revised})
            holders = {rid for slots in taken.values() for rid, *_ in slots.values()}
        need = [item for item in kk_candidates if item.rec.id not in holders]
    for slot in (1, 2):
        if not need:
            break
        got = q.claim_kk_slots(
            session,
            [
                {"kk_number": _row(i).kk_number, "slot": slot, "registration_id": i.rec.id}
                for i in need
            ],
        )
        need = [item for item in need if item.rec.id not in got]
    if need:
        slots = q.kk_slots(session, {_row(i).kk_number for i in need})
        for item in need:
            kk = _row(item).kk_number
            first = slots[kk].get(1) or slots[kk][2]
            # told to the device only when the whole card is its office's (see _states)
            office = first[2] if _all_of(slots[kk], first[2]) else ""
            item.flag = Flag(Outcome.KK_LIMIT.value, first[0], first[1], "kk", kk, office)

    flags = [(item, item.flag) for item in winners if item.flag is not None]
    if not flags:
        return
    groups = q.ensure_groups(
        session,
        [
            {
                "kind": f.kind,
                "key": f.key,
                "primary_registration_id": f.primary_id,
                "created_at": now,
            }
            for f in {(f.kind, f.key): f for _, f in flags}.values()
        ],
    )
    q.set_flags(
        session,
        [
            {
                "rid": item.rec.id,
                "b_status": Status.POTENTIAL_DUPLICATE.value,
                "b_flag": f.reason,
                "b_dup": f.primary_id,
                "b_group": groups[(f.kind, f.key)],
            }
            for item, f in flags
        ],
    )


def _row(item: Item) -> q.PreparedRow:
    """The row of an item being stored (only a valid record's item is)."""
    assert item.row is not None
    return item.row
