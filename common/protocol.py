"""The sync protocol's message types (API v1), shared by the desktop client and the server.

Messages are dataclasses; :func:`decode` builds one from parsed JSON strictly (unknown fields
and wrong types are refused with catalog codes), :func:`encode` turns one back into JSON-ready
data. The HTTP side (paths, compression, auth header) is described in ``docs/PROTOCOL.md``.

Authentication: every device request carries ``Authorization: Bearer <device_id>.<secret>``,
the credential returned by enrollment. Push bodies are JSON compressed with zstd or gzip
(``Content-Encoding``); see :mod:`common.wire`.
"""

from __future__ import annotations

import dataclasses
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


# --- enrollment -----------------------------------------------------------------------
@dataclass(slots=True)
class EnrollRequest:
    code: str
    device_name: str = ""
    app_version: str = ""


@dataclass(slots=True)
class EnrollResponse:
    device_id: str
    credential: str  # "<device_id>.<secret>"; the server keeps only a hash of the secret
    office_code: str  # 6 digits: regency code (4) + office number (2)
    office_name: str
    device_no: int  # the device's number within its office, used in registration codes
    server_time: str


# --- push -----------------------------------------------------------------------------
@dataclass(slots=True)
class PushRecord:
    id: str  # the device-made registration id (UUID); the key of exactly-once
    code: str  # registration code OOOOOO-DDD-SSSSSS-C
    revision: int  # 1 for a new record, +1 for each edit
    base_revision: int  # the revision this one was edited from (0 for a new record)
    content_hash: str  # common.record.content_hash(applicant)
    applicant: dict[str, Any]  # common.record.Applicant.to_dict()
    operator: str
    channel: str  # common.enums.Channel
    device_time: str  # ISO 8601; stored, never trusted for ordering


@dataclass(slots=True)
class PushRequest:
    device_id: str
    office_code: str
    batch_id: str  # device-made UUID; the same batch id resent is answered the same way
    records: list[PushRecord]


@dataclass(slots=True)
class RecordResult:
    id: str
    revision: int
    outcome: Outcome
    status: Status | None = None  # the record's status at the server after this push
    errors: list[str] = field(default_factory=list)  # catalog codes (invalid)
    duplicate_of: str | None = None  # registration code of the primary (duplicate_nik, kk_limit)
    server_revision: int | None = None  # the revision the server holds (conflict)


@dataclass(slots=True)
class PushResponse:
    batch_id: str
    results: list[RecordResult]
    server_time: str


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
    changes: list[Change]
    cursor: str  # opaque; send it back as ?cursor= ; store it only after applying the changes
    more: bool


# --- strict decoding ------------------------------------------------------------------
T = TypeVar("T")


def encode(obj: Any) -> Any:
    """A message (or anything nested in one) as JSON-ready data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [encode(v) for v in obj]
    if isinstance(obj, dict):
        return {k: encode(v) for k, v in obj.items()}
    return obj


def decode(cls: type[T], data: Any, path: str = "") -> T:
    """Build message ``cls`` from parsed JSON, refusing unknown fields and wrong types."""
    if not isinstance(data, dict):
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": f"{path or 'body'} must be an object"})
    hints, names = _shape(cls)
    for key in data:
        if key not in names:
            raise ApiError(E.UNKNOWN_FIELD, {"field": f"{path}{key}"}, {"field": f"{path}{key}"})
    kwargs: dict[str, Any] = {}
    for name, f in names.items():
        where = f"{path}{name}"
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ApiError(
                    E.SCHEMA_VIOLATION, {"detail": f"{where} is missing"}, {"field": where}
                )
            continue
        kwargs[name] = _convert(hints[name], data[name], where)
    return cls(**kwargs)


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
