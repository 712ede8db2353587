"""A push batch by columns (issue 17): each field's values in one list instead of one
object per record.

The records of one office repeat most of their bytes: every record names the same fields,
and its region codes, enum values, operator and channel are mostly those of the record before
it. zstd finds a repeat only within its window and pays for each one; a list of one field's
values puts like next to like, and the field names go once; each content hash goes as its
first 8 hex digits (the server computes the whole). Measured on 500 synthetic records of one
office (bench/push_formats.py): 95 bytes per record after zstd against 134 by rows (78 at
level 15); a trained zstd dictionary made batches of this size larger, not smaller.

The wire form is the push body with ``records`` replaced by ``columns``::

    {"device_id": ..., "office_code": ..., "batch_id": ..., "backlog": ...,
     "format": "columns-1",
     "columns": {"id": [...], "code": [...], ..., "device_time": [...],
                 "applicant": {"shapes": [["nik", "full_name", ...], ...],
                               "shape": [0, 0, 1, ...],
                               "values": {"nik": [...], "full_name": [...], ...}}}}

An applicant's fields are a shape (its keys in order, listed once per distinct set) and, for
each key, its values in record order, one for each record whose shape has the key. A server
sends ``Loket-Push-Formats: rows, columns-1`` with its sync answers; a client sends columns
only to a server that said so (docs/PROTOCOL.md). :func:`to_rows` undoes it exactly, or
refuses a body whose parts do not fit together (``SCHEMA_VIOLATION``), before the usual
decoding and validation of the rows.
"""

from __future__ import annotations

from typing import Any, NoReturn

from common import errors as E
from common.errors import ApiError
from common.protocol import MAX_APPLICANT_KEYS, MAX_BATCH_RECORDS, PushRequest
from common.record import content_hash

FORMAT = "columns-1"
#: The response header that lists the push formats a server takes.
FORMATS_HEADER = "Loket-Push-Formats"
FORMATS = f"rows, {FORMAT}"
#: Hex digits of each record's content hash sent by columns: enough to catch a record that
#: does not match its hash, and 12 bytes per record fewer than the whole (the server computes
#: the whole one from the applicant in any case).
HASH_DIGITS = 8
#: A record's fields besides its applicant, in the order of common.protocol.PushRecord.
RECORD_FIELDS = (
    "id",
    "code",
    "revision",
    "base_revision",
    "content_hash",
    "operator",
    "channel",
    "device_time",
)


def to_columns(request: PushRequest) -> dict[str, Any]:
    """The JSON object of ``request`` by columns (a backlog of None is left out, as in
    rows: common.wire.push_body)."""
    records = request.records
    columns: dict[str, Any] = {f: [getattr(r, f) for r in records] for f in RECORD_FIELDS}
    columns["content_hash"] = [h[:HASH_DIGITS] for h in columns["content_hash"]]
    shapes: dict[tuple[str, ...], int] = {}
    shape_of: list[int] = []
    values: dict[str, list[Any]] = {}
    for r in records:
        keys = tuple(r.applicant)
        shape_of.append(shapes.setdefault(keys, len(shapes)))
        for key in keys:
            values.setdefault(key, []).append(r.applicant[key])
    columns["applicant"] = {
        "shapes": [list(keys) for keys in shapes],
        "shape": shape_of,
        "values": values,
    }
    body: dict[str, Any] = {
        "device_id": request.device_id,
        "office_code": request.office_code,
        "batch_id": request.batch_id,
        "format": FORMAT,
        "columns": columns,
    }
    if request.backlog is not None:
        body["backlog"] = request.backlog
    return body


def is_columns(data: Any) -> bool:
    return type(data) is dict and "columns" in data


def to_rows(data: dict[str, Any]) -> dict[str, Any]:
    """The push body by rows that ``data`` (by columns) stands for; SCHEMA_VIOLATION when
    its parts do not fit together. Bounds come first: at most MAX_BATCH_RECORDS records
    (BATCH_TOO_LARGE), at most MAX_APPLICANT_KEYS keys in a shape."""
    if data.get("format") != FORMAT:
        _refuse(f"format must be {FORMAT!r}")
    if "records" in data:
        _refuse("a batch by columns has no records")
    columns = data["columns"]
    if type(columns) is not dict or set(columns) != {*RECORD_FIELDS, "applicant"}:
        _refuse(f"columns must be exactly {', '.join(RECORD_FIELDS)} and applicant")
    lists = [columns[f] for f in RECORD_FIELDS]
    if not all(type(v) is list for v in lists):
        _refuse("every column must be a list")
    n = len(lists[0])
    if n > MAX_BATCH_RECORDS:
        raise ApiError(E.BATCH_TOO_LARGE, {"max": MAX_BATCH_RECORDS})
    if any(len(v) != n for v in lists):
        _refuse("every column must have one value per record")
    applicants = _applicants(columns["applicant"], n)
    records = [
        {**dict(zip(RECORD_FIELDS, row, strict=True)), "applicant": applicant}
        for row, applicant in zip(zip(*lists, strict=True), applicants, strict=True)
    ]
    for record in records:
        record["content_hash"] = _whole_hash(record["content_hash"], record["applicant"])
    rows = {k: v for k, v in data.items() if k not in ("columns", "format")}
    rows["records"] = records
    return rows


def _whole_hash(prefix: Any, applicant: dict[str, Any]) -> Any:
    """The applicant's content hash when ``prefix`` is its first HASH_DIGITS digits; else
    one that cannot be it (the record is then answered CONTENT_HASH_MISMATCH, as by rows),
    or ``prefix`` itself when it is not a prefix at all (the decoder names what is wrong)."""
    if type(prefix) is not str or len(prefix) != HASH_DIGITS:
        return prefix
    whole = content_hash(applicant)
    if whole.startswith(prefix):
        return whole
    return prefix + ("0" if whole[HASH_DIGITS] != "0" else "1") * (len(whole) - HASH_DIGITS)


def _applicants(part: Any, n: int) -> list[dict[str, Any]]:
    if type(part) is not dict or set(part) != {"shapes", "shape", "values"}:
        _refuse("columns.applicant must be exactly shapes, shape and values")
    shapes, shape_of, values = part["shapes"], part["shape"], part["values"]
    if type(shapes) is not list or type(shape_of) is not list or type(values) is not dict:
        _refuse("columns.applicant: shapes and shape are lists, values an object")
    if len(shape_of) != n or len(shapes) > max(n, 1):
        _refuse("columns.applicant.shape must name one shape per record")
    for keys in shapes:
        if (
            type(keys) is not list
            or len(keys) > MAX_APPLICANT_KEYS
            or not all(type(k) is str for k in keys)
            or len(set(keys)) != len(keys)
        ):
            _refuse("a shape must be a list of distinct field names")
    if not all(type(v) is list for v in values.values()):
        _refuse("columns.applicant.values must hold a list per field")
    taken = dict.fromkeys(values, 0)
    out: list[dict[str, Any]] = []
    for index in shape_of:
        if type(index) is not int or not 0 <= index < len(shapes):
            _refuse("columns.applicant.shape names a shape that is not there")
        applicant: dict[str, Any] = {}
        for key in shapes[index]:
            at = taken.get(key)
            if at is None or at >= len(values[key]):
                _refuse(f"columns.applicant.values.{key[:40]} has too few values")
            applicant[key] = values[key][at]
            taken[key] = at + 1
        out.append(applicant)
    if any(taken[key] != len(values[key]) for key in values):
        _refuse("columns.applicant.values has values no record takes")
    return out


# --- the answer ------------------------------------------------------------------------
#: An answer's fields that most records leave empty: listed as ``[index, value]`` pairs.
_SPARSE = ("errors", "duplicate_of", "server_revision")


def answer_to_columns(answer: dict[str, Any]) -> dict[str, Any]:
    """A push answer (PushResponse as JSON) by columns, for a request that came by columns.
    Each record's ``id`` and ``revision`` are left out: the results are in the request's
    order (docs/PROTOCOL.md) and the device has both; ``outcome`` and ``status`` are one list
    each, the fields most records leave empty are ``[index, value]`` pairs."""
    results = answer["results"]
    columns: dict[str, Any] = {
        "outcome": [r["outcome"] for r in results],
        "status": [r.get("status") for r in results],
    }
    for name in _SPARSE:
        columns[name] = [
            [i, r[name]] for i, r in enumerate(results) if r.get(name) not in (None, [])
        ]
    return {
        "batch_id": answer["batch_id"],
        "server_time": answer["server_time"],
        "format": FORMAT,
        "columns": columns,
    }


def answer_to_rows(data: dict[str, Any], request: PushRequest) -> dict[str, Any]:
    """The push answer by rows that ``data`` (by columns) stands for, with the ids and
    revisions of ``request``; ValueError when it does not fit the request."""
    columns = data.get("columns")
    if data.get("format") != FORMAT or type(columns) is not dict:
        raise ValueError("not an answer by columns")
    outcomes, statuses = columns.get("outcome"), columns.get("status")
    n = len(request.records)
    if type(outcomes) is not list or type(statuses) is not list:
        raise ValueError("outcome and status must be lists")
    if len(outcomes) != n or len(statuses) != n:
        raise ValueError("the answer has another number of records than the request")
    results: list[dict[str, Any]] = [
        {"id": r.id, "revision": r.revision, "outcome": o, "status": st}
        for r, o, st in zip(request.records, outcomes, statuses, strict=True)
    ]
    for name in _SPARSE:
        pairs = columns.get(name, [])
        if type(pairs) is not list:
            raise ValueError(f"{name} must be a list")
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not int:
                raise ValueError(f"{name} must hold [index, value] pairs")
            if not 0 <= pair[0] < n:
                raise ValueError(f"{name} names a record that is not there")
            results[pair[0]][name] = pair[1]
    return {
        "batch_id": data.get("batch_id"),
        "results": results,
        "server_time": data.get("server_time"),
    }


def is_answer_columns(data: Any) -> bool:
    return type(data) is dict and data.get("format") == FORMAT and "results" not in data


def _refuse(detail: str) -> NoReturn:
    raise ApiError(E.SCHEMA_VIOLATION, {"detail": detail})
