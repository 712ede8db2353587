"""POST /api/v1/sync/push and GET /api/v1/sync/pull."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request

from common import columns, wire
from common import errors as E
from common.errors import ApiError
from common.protocol import (
    API_PREFIX,
    MAX_JSON_VALUES,
    MAX_PULL_PAGE,
    MAX_VERSION_CHARS,
    Backlog,
    ClientVersions,
    PullResponse,
    PushRequest,
    decode,
    is_version,
)
from syncserver import bundle_keys
from syncserver import context as app_mod
from syncserver.api._io import device, message_response, read_message, refuse_unknown_args
from syncserver.device_feed import visible_changes
from syncserver.ingest import DeviceRef, decode_push, ingest_committed, prepare
from syncserver.queries import changes as changes_q
from syncserver.queries import devices as devices_q

bp = Blueprint("sync", __name__, url_prefix=API_PREFIX)


@bp.after_request
def _formats(response: Response) -> Response:
    """Every sync answer says which push formats this server takes (common/columns.py);
    so do the readiness check (api/health.py) and enrollment (api/devices.py)."""
    return push_formats(response)


def push_formats(response: Response) -> Response:
    response.headers[columns.FORMATS_HEADER] = columns.FORMATS
    return response


def _decode_any_push(data: Any) -> PushRequest:
    """A push body by rows, or by columns (turned into rows first, then decoded the same;
    its answer goes by columns too)."""
    if columns.is_columns(data):
        g.push_columns = True
        return decode_push(columns.to_rows(data))
    return decode_push(data)


@bp.post("/sync/push")
def push() -> Response:
    dev = device()
    req, wire_bytes, raw_bytes = read_message(
        PushRequest, _decode_any_push, max_values=MAX_JSON_VALUES
    )
    ext = app_mod.loket()
    limit = ext.settings.max_batch_records
    if len(req.records) > limit:
        raise ApiError(E.BATCH_TOO_LARGE, {"max": limit})
    # printable: a NUL in a stored text column would be a 500 on PostgreSQL
    if not 0 < len(req.batch_id) <= 64 or not req.batch_id.isprintable():
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": "batch_id must be 1 to 64 characters"})
    if not all(r.id.isprintable() for r in req.records):  # ids are echoed and stored in the answer
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": "a record id must be printable text"})
    if req.device_id != dev.id or req.office_code != dev.office_code:
        raise ApiError(E.DEVICE_MISMATCH)
    now = ext.clock()
    ref = DeviceRef(dev.id, dev.office_code, dev.device_no)
    prepared = prepare(req, now.astimezone(app_mod.SERVER_TZ).date(), ref)
    response, replayed, body = ingest_committed(
        app_mod.session(),
        ref,
        prepared,
        now=now,
        attempts=ext.settings.ingest_retries + 1,
        bytes_wire=wire_bytes,
        bytes_raw=raw_bytes,
    )
    counts: dict[str, int] = {}
    for r in response.results:
        counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
    ext.metrics.observe_batch(counts, replayed, wire_bytes, raw_bytes)
    if g.get("push_columns"):  # the answer as it is stored (by rows), sent by columns
        body = wire.dumps(columns.answer_to_columns(wire.loads(body)))
    return message_response(body=body)


@bp.get("/sync/pull")
def pull() -> Response:
    dev = device()
    refuse_unknown_args("cursor", "limit", "bundle_keys", "client_version", *_BACKLOG_ARGS)
    ext = app_mod.loket()
    cursor = request.args.get("cursor", "")
    if cursor == "":
        after = 0
    elif (n := _whole_number(cursor, 2**63 - 1)) is not None:  # fits BIGINT
        after = n
    else:
        raise ApiError(E.CURSOR_INVALID)
    limit_arg = request.args.get("limit")
    if limit_arg is None:  # absent; an empty "limit=" is not a number (the OpenAPI document)
        limit = ext.settings.pull_page_size
    elif (n := _whole_number(limit_arg, MAX_PULL_PAGE)) is not None and n >= 1:
        limit = n
    else:
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": f"limit must be 1 to {MAX_PULL_PAGE}"})
    session = app_mod.session()
    rows = changes_q.changes_since(session, dev.office_code, after, limit)
    if not rows and after > 0 and after > changes_q.max_seq(session):
        raise ApiError(E.CURSOR_INVALID)  # a cursor from another (or a restored) database
    more = len(rows) > limit
    rows = rows[:limit]
    changes = visible_changes(session, dev.id, dev.office_code, rows)
    devices_q.touch_device_seen(session, dev.id, ext.clock(), _pulled_backlog())
    response = PullResponse(changes=changes, cursor=str(rows[-1].seq if rows else after), more=more)
    keys_arg = request.args.get("bundle_keys")
    if keys_arg not in (None, "0", "1"):
        raise ApiError(E.SCHEMA_VIOLATION, {"detail": "bundle_keys must be 0 or 1"})
    if keys_arg == "1":  # the server's accepted bundle keys (rotation reaches the device)
        now = ext.clock()
        response.bundle_keys = bundle_keys.for_settings(ext.settings, now).public_list(now)
    version_arg = request.args.get("client_version")
    if version_arg is not None:  # the desktop's version: the answer states the server's two
        if not is_version(version_arg):
            detail = f"client_version must be a version such as 0.1.0 (at most {MAX_VERSION_CHARS})"
            raise ApiError(E.SCHEMA_VIOLATION, {"detail": detail})
        response.client_versions = ClientVersions(
            minimum=ext.settings.client_min_version, current=ext.settings.client_current_version
        )
    body = wire.dumps_leaving_out(response, "bundle_keys", "client_versions")
    return message_response(body=body)


_BACKLOG_ARGS = ("backlog_unsent", "backlog_oldest_age_s")


def _whole_number(text: str, most: int) -> int | None:
    """``text`` as a whole number from 0 to ``most``: ASCII digits only (not "²", no sign or
    space), and never more digits than ``most`` has, so no value reaches Python's limit on
    converting long digit strings (which raises, and answered 500)."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(most)):
        return None
    value = int(text)
    return value if value <= most else None


def _pulled_backlog() -> Backlog | None:
    """The backlog a pull reports (``?backlog_unsent=N&backlog_oldest_age_s=S``), or None when
    the device sent neither (clients before issue 14); one without the other, or a value that
    is not a whole number in the bounds of :class:`common.protocol.Backlog`, is refused."""
    values = {name: request.args.get(f"backlog_{name}") for name in ("unsent", "oldest_age_s")}
    if all(v is None for v in values.values()):
        return None
    numbers: dict[str, int] = {}
    for name, v in values.items():
        number = None if v is None else _whole_number(v, 9_999_999_999)  # at most 10 digits
        if number is None:
            raise ApiError(
                E.SCHEMA_VIOLATION,
                {"detail": "backlog_unsent and backlog_oldest_age_s must both be whole numbers"},
            )
        numbers[name] = number
    return decode(Backlog, numbers, "backlog_")
