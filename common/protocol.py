"""The sync protocol's message types (API v1), shared by the desktop client and the server.

Messages are dataclasses; :func:`decode` builds one from parsed JSON strictly (unknown fields
and wrong types are refused with catalog codes). On the way out a message is serialised as it
is (:func:`common.wire.dumps`: orjson writes a dataclass's fields in their order, an enum as
its value), so a field holds exactly what goes on the wire. The HTTP side (paths, compression, auth header) is described in ``docs/PROTOCOL.md``.

Authentication: every device request carries ``Authorization: Bearer <device_id>.<secret>``,
the credential returned by enrollment. Push bodies are JSON compressed with zstd or gzip
(``Content-Encoding``); see :mod:`common.wire`.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any, TypeVar, Union

from common import errors as E
from common.enums import Status
from common.errors import ApiError

PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"
#: Records per push batch the server accepts at most (the client adapts below it).
MAX_BATCH_RECORDS = 1000
#: Decompressed push body size the server accepts at most.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Changes per pull page at most.
MAX_PULL_PAGE = 1000
#: Error codes reported for one record at most (validation stops collecting after them).
MAX_RECORD_ERRORS = 20
#: Error codes reported for one batch at most: past them an invalid record reports its first.
MAX_BATCH_ERRORS = 2000
#: Keys of a record's ``applicant`` object at most (it has 30 fields; more is surely wrong).
MAX_APPLICANT_KEYS = 64
#: JSON values (and object keys) a push body may hold at most, counted on the raw bytes
#: before parsing: parsing builds a Python object for each (up to about 90 bytes apiece), so
#: without this an 8 MB body of ``[[],[],...]`` becomes 2.8 million lists (200 MB). A full
#: batch of real records holds about a tenth of it. See :func:`json_value_bound`.
MAX_JSON_VALUES = 400_000
#: Largest value an INTEGER column holds on both backends (PostgreSQL's int4).
MAX_INT4 = 2**31 - 1


def bound(
    *,
    max_length: int | None = None,
    max_items: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
    max_properties: int | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """Field metadata with bounds (``field(metadata=bound(...))``): :func:`decode` refuses
    values outside them (lengths before any per-element work) with ``code`` (default
    SCHEMA_VIOLATION), and the OpenAPI document states them (maxLength, maxItems, ...)."""
    meta = {
        k: v
        for k, v in (
            ("maxLength", max_length),
            ("maxItems", max_items),
            ("minimum", minimum),
            ("maximum", maximum),
            ("maxProperties", max_properties),
        )
        if v is not None
    }
    return {"bounds": meta, "code": code or E.SCHEMA_VIOLATION}


def json_value_bound(raw: bytes) -> int:
    """An upper bound of the number of Python objects parsing ``raw`` as JSON builds.

    Every value is the document itself, or follows ``[``, ``,`` or ``:``; every object key
    follows ``{`` or ``,``. So 1 + the count of those bytes bounds values and keys together
    (bytes inside strings only make it larger). ``bytes.translate`` is one C pass."""
    return 1 + len(raw.translate(None, _NOT_STRUCTURAL))


_NOT_STRUCTURAL = bytes(b for b in range(256) if b not in b"[{,:")


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE_NIK = "duplicate_nik"  # kept, flagged: another registration has this NIK
    KK_LIMIT = "kk_limit"  # kept, flagged: a third or later person on one family card
    INVALID = "invalid"  # refused, with error codes
    CONFLICT = "conflict"  # refused: stale base revision, or same revision different content
    ALREADY_RECEIVED = "already_received"  # identical record received before: nothing changed


class ChangeKind(StrEnum):
    DECISION = "decision"  # a reviewer's decision on one of the office's registrations
    OPERATOR = "operator"  # an operator account of the office was created/changed/disabled
    REFERENCE = "reference"  # reference data (consent versions, settings) changed
    #: a newer revision of a record this device pushed, made by another device of the office;
    #: ``data`` holds ``applicant``, ``content_hash``, ``operator`` (issue 12 finding 13)
    REVISION = "revision"


# --- bundle keys ----------------------------------------------------------------------
#: Server bundle keys a message lists at most (the current one and those still in grace).
MAX_BUNDLE_KEYS = 8


@dataclass(slots=True)
class BundleKey:
    """A public bundle key of the server (:class:`common.bundle.PublicKeys`, base64)."""

    key_id: str = field(metadata=bound(max_length=16))
    encryption_key: str = field(metadata=bound(max_length=64))
    signing_key: str = field(metadata=bound(max_length=64))
    # wire time after which the server no longer opens bundles made to this key (None: the
    # current key, no end yet)
    accept_until: str | None = field(default=None, metadata=bound(max_length=40))


# --- client versions ------------------------------------------------------------------
#: A client version as the pull's ``client_version`` carries it and the server's settings
#: name it: digits and dots, with an optional suffix (``0.1.0``, ``1.2.0rc1``, ``2.0.0-beta.1``).
VERSION_PATTERN = re.compile(r"[0-9]+(\.[0-9]+){0,3}([.+-]?[0-9A-Za-z]+([.+-][0-9A-Za-z]+)*)?")
MAX_VERSION_CHARS = 32


def is_version(text: str) -> bool:
    """Whether ``text`` is a short version string (:data:`VERSION_PATTERN`, at most 32)."""
    return len(text) <= MAX_VERSION_CHARS and VERSION_PATTERN.fullmatch(text) is not None


def version_key(text: str) -> tuple[int, ...]:
    """The numeric part of a version for comparing (``1.10.0`` after ``1.9.2``); a suffix
    does not count (``1.2.0rc1`` compares as ``1.2.0``), and missing parts are 0."""
    match = re.match(r"[0-9]+(\.[0-9]+)*", text)
    parts = [int(p) for p in match.group(0).split(".")] if match else []
    return tuple(parts + [0] * (4 - len(parts)))


@dataclass(slots=True)
class ClientVersions:
    """The desktop versions the server states in a pull answer (only when the pull sends
    ``client_version``): below ``minimum`` an update is required, below ``current`` one is
    available. Records are never refused because of the client's version."""

    minimum: str = field(metadata=bound(max_length=MAX_VERSION_CHARS))
    current: str = field(metadata=bound(max_length=MAX_VERSION_CHARS))


# --- enrollment -----------------------------------------------------------------------
@dataclass(slots=True)
class EnrollRequest:
    code: str
    device_name: str = ""
    app_version: str = ""
    #: the device's public bundle keys (issue 16); left out by clients before it
    device_key: BundleKey | None = None
    #: the credential's secret, chosen by the device (issue 17): the same request sent again
    #: after its answer was lost gets the same answer instead of ENROLL_CODE_USED. Left out by
    #: older clients (the server chooses). Its form (32 to 128 URL-safe characters) is checked
    #: by the server (syncserver/enrollment.py), as the other fields' lengths are: the whole
    #: body is bounded first (ENROLL_MAX_BODY_BYTES)
    credential_secret: str | None = None


def normalise_enroll_code(code: str) -> str:
    """An enrollment code as the server compares it: case, spaces and dashes ignored."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(slots=True)
class EnrollResponse:
    device_id: str
    credential: str  # "<device_id>.<secret>"; the server keeps only a hash of the secret
    office_code: str  # 6 digits: regency code (4) + office number (2)
    office_name: str
    device_no: int  # the device's number within its office, used in registration codes
    server_time: str
    #: the server's accepted public bundle keys, current first; sent only to a device that
    #: sent its own ``device_key``
    bundle_keys: list[BundleKey] = field(
        default_factory=list, metadata=bound(max_items=MAX_BUNDLE_KEYS)
    )


@dataclass(slots=True)
class DeviceKeyRequest:
    """``POST /api/v1/devices/keys``: a device enrolled before issue 16 (or one whose keys
    were lost with its store) registers its public bundle keys."""

    device_key: BundleKey


@dataclass(slots=True)
class DeviceKeyResponse:
    key_id: str = field(metadata=bound(max_length=16))  # the device key now registered
    bundle_keys: list[BundleKey] = field(metadata=bound(max_items=MAX_BUNDLE_KEYS))


# --- push -----------------------------------------------------------------------------
@dataclass(slots=True)
class Backlog:
    """What the device holds unsent when it syncs (issue 14, "backlog per office"): sent with
    every push (``PushRequest.backlog``, the records still in the outbox including the batch's
    own) and every pull (query ``backlog_unsent`` / ``backlog_oldest_age_s``, what is left
    after the push), so central staff see offices with work waiting on their devices."""

    # registrations with a revision in the outbox
    unsent: int = field(metadata=bound(minimum=0, maximum=MAX_INT4))
    # seconds since the oldest of them was saved, by the device's clock (a difference, so a
    # wrong device clock does not matter); 0 when nothing is unsent
    oldest_age_s: int = field(metadata=bound(minimum=0, maximum=MAX_INT4))


@dataclass(slots=True)
class PushRecord:
    # the device-made registration id (UUID); the key of exactly-once
    id: str = field(metadata=bound(max_length=36))
    code: str = field(metadata=bound(max_length=32))  # registration code OOOOOO-DDD-SSSSSS-C
    # 1 for a new record, +1 for each edit
    revision: int = field(metadata=bound(minimum=1, maximum=MAX_INT4))
    # the revision this one was edited from (0 for a new record)
    base_revision: int = field(metadata=bound(minimum=0, maximum=MAX_INT4 - 1))
    # common.record.content_hash(applicant)
    content_hash: str = field(metadata=bound(max_length=64))
    # common.record.Applicant.to_dict()
    applicant: dict[str, Any] = field(metadata=bound(max_properties=MAX_APPLICANT_KEYS))
    operator: str = field(metadata=bound(max_length=100))
    channel: str = field(metadata=bound(max_length=16))  # common.enums.Channel
    # ISO 8601; stored, never trusted for ordering
    device_time: str = field(metadata=bound(max_length=40))


@dataclass(slots=True)
class PushRequest:
    device_id: str = field(metadata=bound(max_length=36))
    office_code: str = field(metadata=bound(max_length=6))
    # device-made UUID; the same batch id resent is answered the same way
    batch_id: str = field(metadata=bound(max_length=64))
    records: list[PushRecord] = field(
        metadata=bound(max_items=MAX_BATCH_RECORDS, code=E.BATCH_TOO_LARGE)
    )
    # optional (clients before issue 14 do not send it); a client leaves it out rather than
    # sending null, so a server before issue 14 does not refuse the unknown field
    backlog: Backlog | None = None


@dataclass(slots=True)
class RecordResult:
    id: str = field(metadata=bound(max_length=36))
    revision: int
    outcome: Outcome
    status: Status | None = None  # the record's status at the server after this push
    # catalog codes (invalid)
    errors: list[str] = field(default_factory=list, metadata=bound(max_items=MAX_RECORD_ERRORS))
    duplicate_of: str | None = None  # registration code of the primary (duplicate_nik, kk_limit)
    server_revision: int | None = None  # the revision the server holds (conflict)


@dataclass(slots=True)
class PushResponse:
    batch_id: str = field(metadata=bound(max_length=64))
    results: list[RecordResult] = field(metadata=bound(max_items=MAX_BATCH_RECORDS))
    server_time: str = field(metadata=bound(max_length=40))


# --- pull -----------------------------------------------------------------------------
@dataclass(slots=True)
class Change:
    seq: int  # the server's change-feed sequence: the only ordering there is
    kind: ChangeKind
    registration_id: str | None = None
    revision: int | None = None  # the revision a decision was made on
    status: Status | None = None
    note: str = ""  # reviewer's note (returned for correction)
    reason: str = ""  # reason code (rejected)
    duplicate_of: str | None = None
    decided_at: str | None = None  # server time
    data: dict[str, Any] = field(default_factory=dict)  # operator / reference payloads


@dataclass(slots=True)
class PullResponse:
    changes: list[Change] = field(metadata=bound(max_items=MAX_PULL_PAGE))
    # opaque; send it back as ?cursor= ; store it only after applying the changes
    cursor: str = field(metadata=bound(max_length=20))
    more: bool
    #: the server's accepted bundle keys, current first: only when asked (``bundle_keys=1``)
    bundle_keys: list[BundleKey] | None = field(
        default=None, metadata=bound(max_items=MAX_BUNDLE_KEYS)
    )
    #: the server's minimum and current client versions: only when asked (``client_version=``)
    client_versions: ClientVersions | None = None


# --- NIK check ------------------------------------------------------------------------
#: Registrations one NIK check answers with at most (a NIK is normally in one record).
MAX_NIK_MATCHES = 10


@dataclass(slots=True)
class NikCheckRequest:
    nik: str = field(metadata=bound(max_length=16))  # 16 digits, as typed at the counter


@dataclass(slots=True)
class NikMatch:
    registration_id: str = field(metadata=bound(max_length=36))
    code: str = field(metadata=bound(max_length=32))
    status: Status


@dataclass(slots=True)
class NikCheckResponse:
    """The registrations of the asking device's own office with this NIK (none for a NIK
    unknown there, registered in another office included: the answer is the same)."""

    matches: list[NikMatch] = field(metadata=bound(max_items=MAX_NIK_MATCHES))


# --- bundles (common/bundle.py carries these on a file; docs/PROTOCOL.md "Bundles") ------
#: Records one bundle may carry at most (a field officer's month is a few thousand).
MAX_BUNDLE_RECORDS = 100_000
#: Batches one bundle may carry at most (records in batches of up to 500).
MAX_BUNDLE_BATCHES = MAX_BUNDLE_RECORDS // 100
#: Changes one acknowledgement carries at most (ten pull pages); ``more`` says there are more.
MAX_ACK_CHANGES = 10 * MAX_PULL_PAGE


@dataclass(slots=True)
class RecordsManifest:
    """Inside a records bundle (readable only after decryption), with ``batches``: the push
    requests exactly as the network path would send them, in order."""

    bundle_id: str = field(metadata=bound(max_length=64))
    device_id: str = field(metadata=bound(max_length=36))
    office_code: str = field(metadata=bound(max_length=6))
    # the device's bundle counter: a new bundle older than one imported is a replay
    seq: int = field(metadata=bound(minimum=1, maximum=MAX_INT4))
    created_at: str = field(metadata=bound(max_length=40))  # device clock, shown only
    cursor: str = field(metadata=bound(max_length=20))  # the device's pull cursor
    record_count: int = field(metadata=bound(minimum=0, maximum=MAX_BUNDLE_RECORDS))
    batch_ids: list[str] = field(metadata=bound(max_items=MAX_BUNDLE_BATCHES))
    server_key: str = field(metadata=bound(max_length=16))  # the key id it was sealed to


@dataclass(slots=True)
class RecordsPayload:
    """Inside a records bundle: the manifest and the batches, in the order to ingest them."""

    manifest: RecordsManifest
    batches: list[PushRequest] = field(metadata=bound(max_items=MAX_BUNDLE_BATCHES))


@dataclass(slots=True)
class AckManifest:
    ack_id: str = field(metadata=bound(max_length=64))
    bundle_id: str = field(metadata=bound(max_length=64))  # the records bundle answered
    device_id: str = field(metadata=bound(max_length=36))
    office_code: str = field(metadata=bound(max_length=6))
    created_at: str = field(metadata=bound(max_length=40))  # server time
    cursor_from: str = field(metadata=bound(max_length=20))  # the records bundle's cursor
    cursor_to: str = field(metadata=bound(max_length=20))  # as a pull's ``cursor``
    more: bool


@dataclass(slots=True)
class AckPayload:
    """Inside an acknowledgement: the answer to every record of the bundle (in its order), the
    office's changes since the bundle's cursor as a pull would give them, and the server's
    accepted bundle keys (rotation reaches a device that never meets a network this way)."""

    manifest: AckManifest
    results: list[RecordResult] = field(metadata=bound(max_items=MAX_BUNDLE_RECORDS))
    changes: list[Change] = field(metadata=bound(max_items=MAX_ACK_CHANGES))
    bundle_keys: list[BundleKey] = field(metadata=bound(max_items=MAX_BUNDLE_KEYS))


# --- strict decoding ------------------------------------------------------------------
T = TypeVar("T")


def decode(cls: type[T], data: Any, path: str = "") -> T:
    """Build message ``cls`` from parsed JSON, refusing unknown fields and wrong types."""
    if not isinstance(data, dict):
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": f"{path or 'body'} must be an object"})
    hints, names = _shape(cls)
    for key in data:
        if key not in names:
            where = f"{path}{key[:64]}"  # echoed back: bounded like every other string
            raise ApiError(E.UNKNOWN_FIELD, {"field": where}, {"field": where})
    kwargs: dict[str, Any] = {}
    for name, f in names.items():
        where = f"{path}{name}"
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ApiError(
                    E.SCHEMA_VIOLATION, {"detail": f"{where} is missing"}, {"field": where}
                )
            continue
        value = data[name]
        limits = f.metadata.get("bounds")
        if limits:
            _check_size(limits, f.metadata["code"], value, where)
        value = _convert(hints[name], value, where)
        if limits and type(value) is int:
            _check_range(limits, value, where)
        kwargs[name] = value
    return cls(**kwargs)


def _check_size(limits: dict[str, int], code: str, value: Any, where: str) -> None:
    """Lengths first, before any per-element work (a list of millions is refused by len)."""
    if type(value) is str:
        most = limits.get("maxLength")
    elif type(value) is list:
        most = limits.get("maxItems")
    elif type(value) is dict:
        most = limits.get("maxProperties")
    else:
        return
    if most is not None and len(value) > most:
        detail = f"{where} is longer than {most}"
        raise ApiError(code, {"detail": detail, "max": most}, {"field": where, "max": most})


def _check_range(limits: dict[str, int], value: int, where: str) -> None:
    low, high = limits.get("minimum"), limits.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        detail = f"{where} must be between {low} and {high}"
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": detail}, {"field": where})


def field_bounds(cls: type[Any]) -> dict[str, dict[str, int]]:
    """The bounds of each bounded field of message ``cls`` (for the OpenAPI document)."""
    return {
        f.name: dict(f.metadata["bounds"])
        for f in dataclasses.fields(cls)
        if "bounds" in f.metadata
    }


_SHAPES: dict[Any, tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]] = {}


def _shape(cls: Any) -> tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]:
    """Type hints and fields of a message class, computed once (get_type_hints is slow)."""
    shape = _SHAPES.get(cls)
    if shape is None:
        shape = _SHAPES[cls] = (
            typing.get_type_hints(cls),
            {f.name: f for f in dataclasses.fields(cls)},
        )
    return shape


def _convert(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value, where)
    if tp is Any:
        return value
    if origin is list:
        if not isinstance(value, list):
            raise _wrong(where, "a list")
        (item_tp,) = typing.get_args(tp)
        return [_convert(item_tp, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise _wrong(where, "an object")
        return value
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return decode(tp, value, f"{where}.")
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value)
        except ValueError:
            raise ApiError(
                E.SCHEMA_VIOLATION, {"detail": f"{where} has an unknown value"}, {"field": where}
            ) from None
    if tp is bool:
        if not isinstance(value, bool):
            raise _wrong(where, "true or false")
        return value
    if tp is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _wrong(where, "a whole number")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise _wrong(where, "text")
        return value
    raise TypeError(f"unsupported type {tp!r} at {where}")


def _wrong(where: str, expected: str) -> ApiError:
    return ApiError(E.SCHEMA_VIOLATION, {"detail": f"{where} must be {expected}"}, {"field": where})
