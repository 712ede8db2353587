"""SQL of the ingest path: set-based, a handful of statements per batch whatever its size.

Rows going into tables with unique keys are sorted by that key before each multi-row
statement, so concurrent batches on PostgreSQL take row locks in one global order (tables in
the order of :mod:`syncserver.ingest`, keys ascending within a table) and cannot deadlock
on each other; the server still retries a batch after a deadlock error, as a safety net.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    select,
    update,
)
from sqlalchemy.orm import Session

from common.enums import DECIDED_STATUSES
from syncserver.models import (
    Batch,
    BatchRecord,
    Device,
    DuplicateGroup,
    KkSlot,
    NikPrimary,
    RegistrationRecord,
    RevisionRecord,
)
from syncserver.queries._dialect import insert_ignore

REG = typing.cast(Table, RegistrationRecord.__table__)
REV = typing.cast(Table, RevisionRecord.__table__)
BATCH = typing.cast(Table, Batch.__table__)
DG = typing.cast(Table, DuplicateGroup.__table__)
BATCH_RECORDS = typing.cast(Table, BatchRecord.__table__)
DEVICES = typing.cast(Table, Device.__table__)
NIK_PRIMARIES = typing.cast(Table, NikPrimary.__table__)
KK_SLOTS = typing.cast(Table, KkSlot.__table__)


@dataclass(slots=True)
class RegState:
    """What the server holds for one registration id."""

    id: str
    revision: int
    content_hash: str
    status: str
    nik: str
    kk_number: str
    duplicate_of_code: str | None
    office_code: str = ""  # the office that owns the record; only its devices may change it
    duplicate_of_office: str | None = None  # the office of the registration it is flagged against
    flag_reason: str | None = None
    duplicate_group_id: int | None = None

    def visible_to(self, office: str) -> tuple[str, str | None]:
        """(status, duplicate_of code) as a device of ``office`` may see them: a flag against
        another office's registration is central business (least access, issue 12 finding 4),
        so such a record shows as ``received`` with no code, exactly like a fresh NIK."""
        if self.duplicate_of_code is not None and self.duplicate_of_office != office:
            status = "received" if self.status == "potential_duplicate" else self.status
            return status, None
        return self.status, self.duplicate_of_code


# --- driver-level multi-row inserts ---------------------------------------------------------
# The big inserts of a batch (500 registrations, their revisions, the batch's records) skip
# SQLAlchemy's per-row parameter processing, which cost more than the database work itself:
# rows go to the driver as tuples, JSON columns as text serialised once in ``prepare`` (outside
# the transaction), other values through the column type's own bind processor (SQLite stores
# datetimes as text), so the stored values are exactly those SQLAlchemy would have written.
# PostgreSQL: one ``INSERT ... SELECT FROM unnest(<one array per column>)`` per statement, a
# single round trip whatever the row count (see _pg_insert). SQLite: multi-row ``VALUES`` (or
# ``executemany`` when nothing is returned). Both go through ``exec_driver_sql``, so driver
# errors are still wrapped as ``DBAPIError`` (the deadlock retry in api/sync.py depends on it).
_SQLITE_MAX_PARAMS = 30000  # SQLITE_MAX_VARIABLE_NUMBER is 32766 since 3.32
_PROCESSORS: dict[tuple[str, str, str], Any] = {}
#: PostgreSQL: (table, column) -> (element type sent, cast in the select list)
_PG_TYPES: dict[tuple[str, str], tuple[str, str]] = {}
#: The separator and NULL marker of a column sent as one text (control characters: no stored
#: text can hold them; a value that does sends its statement the binary-array way instead).
_SEP, _NULL = "\x1f", "\x1e"
_PG_SPLIT = "string_to_array(%s, E'\\x1f', E'\\x1e')"
#: How a column's values become text, by their (single) Python type; None: not this way.
_AS_TEXT: dict[type, Any] = {
    str: None,  # as it is
    int: str,
    datetime: datetime.isoformat,  # timestamptz input reads ISO 8601 with its offset
}


def _processor(dialect: Any, table: Table, col: str) -> Any:
    key = (dialect.name, table.name, col)
    if key not in _PROCESSORS:
        typ = table.c[col].type.dialect_impl(dialect)
        _PROCESSORS[key] = None if isinstance(typ, JSON) else typ.bind_processor(dialect)
    return _PROCESSORS[key]


def _pg_type(dialect: Any, table: Table, col: str) -> tuple[str, str]:
    """(type of the values sent, cast per value in the select list). Strings go as ``text``
    and the INSERT's assignment cast checks their length against the column (an explicit
    ``::varchar(n)`` would truncate); JSON goes as text, cast to the column's own type."""
    key = (table.name, col)
    if key not in _PG_TYPES:
        typ = table.c[col].type.dialect_impl(dialect)
        name = typ.compile(dialect=dialect)
        if isinstance(typ, JSON):
            _PG_TYPES[key] = ("text", "::" + name)
        elif isinstance(typ, String):
            _PG_TYPES[key] = ("text", "")
        else:
            _PG_TYPES[key] = (name, "")
    return _PG_TYPES[key]


def _joined(values: Sequence[Any]) -> str | None:
    """``values`` as one text for ``string_to_array``, or None when they cannot go that way
    (mixed or other types, a separator or NULL marker inside a value)."""
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    kinds.discard(type(None))
    if len(kinds) != 1:
        return None if kinds else _SEP.join([_NULL] * len(values))
    kind = kinds.pop()
    if kind not in _AS_TEXT:
        return None
    conv = _AS_TEXT[kind]
    items: list[Any] = (
        list(values) if conv is None else [v if v is None else conv(v) for v in values]
    )
    if nulls:
        if _NULL in items:
            return None
        items = [_NULL if v is None else v for v in items]
    elif _NULL in items:
        return None
    text = _SEP.join(items)
    return text if text.count(_SEP) == len(items) - 1 else None


def _pg_insert(conn: Any, table: Table, cols: Sequence[str], columns: list[Any], tail: str) -> Any:
    """One ``INSERT ... SELECT`` for all rows, in one round trip. A column with the same value
    in every row goes as one parameter; every other column as one text that the server splits
    (``string_to_array``): psycopg sends a str in one C call, where a list is dumped element
    by element in Python (the largest Python cost of a batch). A column that cannot go as text
    goes as a binary array (``%b``; the text array format escapes each element with a regex)."""
    dialect = conn.dialect
    n = len(columns[0])
    select: list[str] = []
    arrays: list[str] = []
    names: list[str] = []
    params: list[Any] = []
    array_params: list[Any] = []
    for i, (col, values) in enumerate(zip(cols, columns, strict=True)):
        sent, per_value = _pg_type(dialect, table, col)
        first = values[0]
        if values.count(first) == n and (first is None or type(first) in _AS_TEXT):
            select.append(f"%s::{sent}{per_value}")
            params.append(first)
            continue
        name = f"c{i}"
        names.append(name)
        select.append(name + per_value)
        text = _joined(values)
        if text is None:
            arrays.append(f"%b::{sent}[]")
            array_params.append(list(values))
        else:
            arrays.append(f"{_PG_SPLIT}::{sent}[]")
            array_params.append(text)
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) SELECT {', '.join(select)}"
    if names:
        sql += f" FROM unnest({', '.join(arrays)}) AS u({', '.join(names)})"
    return conn.exec_driver_sql(sql + tail, (*params, *array_params))


def bulk_insert(
    session: Session,
    table: Table,
    cols: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    conflict: Sequence[str],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """``INSERT INTO table (cols) <rows> ON CONFLICT (conflict) DO NOTHING [RETURNING ...]``.

    ``rows`` are tuples in ``cols`` order, JSON columns already serialised; the caller sorts
    them by the conflict key (lock order). Returns the ``returning`` columns of the rows
    actually inserted."""
    if not rows:
        return []
    conn = session.connection()
    dialect = conn.dialect
    columns: list[Any] = list(zip(*rows, strict=True))
    col_sql = ", ".join(cols)
    tail = f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    if returning:
        tail += " RETURNING " + ", ".join(returning)
    if dialect.name == "postgresql":
        result = _pg_insert(conn, table, cols, columns, tail)
        return [tuple(r) for r in result.fetchall()] if returning else []
    procs = [(i, p) for i, c in enumerate(cols) if (p := _processor(dialect, table, c)) is not None]
    for i, p in procs:  # memoised: most such values (timestamps) repeat across a batch
        memo: dict[Any, Any] = {}
        out_col: list[Any] = []
        for v in columns[i]:
            if v is None:
                out_col.append(None)
                continue
            # equal datetimes in different zones are stored differently: key on the zone too
            key = (v, getattr(v, "tzinfo", None))
            got = memo.get(key, memo)
            if got is memo:
                got = memo[key] = p(v)
            out_col.append(got)
        columns[i] = out_col
    if procs:
        rows = list(zip(*columns, strict=True))
    one = "(" + ", ".join("?" * len(cols)) + ")"
    if not returning:
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({col_sql}) VALUES {one}{tail}", list(rows))
        return []
    out: list[tuple[Any, ...]] = []
    per = max(1, _SQLITE_MAX_PARAMS // len(cols))
    for chunk in _chunks(rows, per):
        sql = f"INSERT INTO {table.name} ({col_sql}) VALUES {', '.join([one] * len(chunk))}{tail}"
        out.extend(tuple(r) for r in conn.exec_driver_sql(sql, tuple(chain.from_iterable(chunk))))
    return out


def _chunks(values: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _select_in(
    session: Session, sql: str, keys: Collection[str], *params: Any
) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` whose ``{keys}`` placeholder is replaced by a membership test against
    ``keys``, sent as one parameter: PostgreSQL ``= ANY(string_to_array(...))``, SQLite
    ``IN (SELECT value FROM json_each(?))``. A list of 500 bound values instead costs
    SQLAlchemy and psycopg more (rendering, escaping, the server's planning of the IN
    list) than the lookup itself. ``params`` precede the keys (``%s`` or ``?`` by dialect)."""
    if not keys:
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        joined = _SEP.join(sorted(keys))
        if joined.count(_SEP) == len(keys) - 1:
            stmt = sql.format(keys=f"= ANY({_PG_SPLIT})")
            # string_to_array(%s, sep, null): no value equals the NULL marker (a control char)
            return list(conn.exec_driver_sql(stmt.replace("?", "%s"), (*params, joined)))
        out: list[tuple[Any, ...]] = []
        stmt = sql.format(keys="= ANY(%s)").replace("?", "%s")
        for chunk in _chunks(sorted(keys)):
            out.extend(conn.exec_driver_sql(stmt, (*params, list(chunk))))
        return out
    stmt = sql.format(keys="IN (SELECT value FROM json_each(?))")
    return list(conn.exec_driver_sql(stmt, (*params, json.dumps(sorted(keys)))))


# --- batches ------------------------------------------------------------------------------
def claim_batch(session: Session, row: dict[str, Any]) -> int | None:
    """Insert the batch row; its primary key, or None when (device_id, batch_id) exists."""
    got = insert_ignore(session, BATCH, [row], ("device_id", "batch_id"), returning=("id",))
    return int(got[0][0]) if got else None


def stored_response(session: Session, device_id: str, batch_id: str) -> dict[str, Any] | None:
    return session.execute(
        select(Batch.response).where(Batch.device_id == device_id, Batch.batch_id == batch_id)
    ).scalar_one_or_none()


def finish_batch(
    session: Session, batch_pk: int, counts: dict[str, int], response_json: str
) -> None:
    """Store the batch's counts and its answer, given as the JSON text sent to the device
    (serialised once, for both)."""
    response: Any = bindparam("response_json", response_json, type_=Text)
    if session.connection().dialect.name == "postgresql":
        response = cast(response, JSON)  # SQLite stores the text as it is
    session.execute(update(BATCH).where(BATCH.c.id == batch_pk).values(**counts, response=response))


BATCH_RECORD_COLS = ("batch_pk", "position", "registration_id", "revision", "outcome", "errors")


def insert_batch_records(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows are tuples in ``BATCH_RECORD_COLS`` order, ``errors`` as JSON text."""
    bulk_insert(session, BATCH_RECORDS, BATCH_RECORD_COLS, rows, ("batch_pk", "position"))


def touch_device_push(
    session: Session, device_id: str, now: datetime, backlog: dict[str, Any] | None = None
) -> None:
    """The device's last push and contact, and the backlog it reported (one UPDATE;
    ``devices_q.backlog_values``)."""
    devices = DEVICES  # Core: the ORM's bulk-update bookkeeping is not needed here
    session.execute(
        update(devices)
        .where(devices.c.id == device_id)
        .values(last_push_at=now, last_seen_at=now, **(backlog or {}))
    )


# --- registrations ------------------------------------------------------------------------
def registration_states(session: Session, ids: Collection[str]) -> dict[str, RegState]:
    rows = _select_in(
        session,
        "SELECT r.id, r.revision, r.content_hash, r.status, r.nik, r.kk_number, p.code, "
        "r.office_code, p.office_code, r.flag_reason, r.duplicate_group_id FROM registrations r "
        "LEFT OUTER JOIN registrations p ON p.id = r.duplicate_of_id WHERE r.id {keys}",
        ids,
    )
    return {r[0]: RegState(*r) for r in rows}


def revision_hashes(session: Session, ids: Collection[str]) -> dict[tuple[str, int], str]:
    """(registration id, revision) -> content hash, for every revision of ``ids``."""
    rows = _select_in(
        session,
        "SELECT registration_id, revision, content_hash FROM registration_revisions "
        "WHERE registration_id {keys}",
        ids,
    )
    return {(r[0], r[1]): r[2] for r in rows}


class PreparedRow(NamedTuple):
    """A valid record's own columns of ``registrations``, made by ``syncserver.ingest.prepare``
    outside the transaction: the first ``REG_COLS`` in their order, the applicant serialised
    once (``applicant_json``), then the applicant as sent."""

    id: str
    code: str
    nik: str
    kk_number: str
    full_name: str
    phone: str
    province_code: str
    regency_code: str
    village_code: str
    revision: int
    applicant_json: str
    content_hash: str
    operator: str
    channel: str
    device_time: datetime | None
    applicant: dict[str, Any]  # as sent: what content_hash covers


class BatchColumns(NamedTuple):
    """The columns every registration a batch stores shares: stored (or updated) ``now``,
    with the status ``status`` and no flag (the identity rules set flags afterwards)."""

    office_code: str
    device_id: str
    status: str
    now: datetime
    batch_pk: int


#: registrations columns written by ingest: a :class:`PreparedRow`'s (``applicant`` from its
#: ``applicant_json``), then a :class:`BatchColumns`'s
REG_COLS = (
    "id",
    "code",
    "nik",
    "kk_number",
    "full_name",
    "phone",
    "province_code",
    "regency_code",
    "village_code",
    "revision",
    "applicant",
    "content_hash",
    "operator",
    "channel",
    "device_time",
    "office_code",
    "device_id",
    "status",
    "updated_at",
    "batch_pk",
    "flag_reason",
    "duplicate_of_id",
    "duplicate_group_id",
    "received_at",
)
_OWN = len(PreparedRow._fields) - 1  # a PreparedRow's columns (all but ``applicant``)
assert PreparedRow._fields[:_OWN] == tuple(
    "applicant_json" if c == "applicant" else c for c in REG_COLS[:_OWN]
)


def _reg_values(row: PreparedRow, batch: BatchColumns) -> tuple[Any, ...]:
    """A new registration's values in ``REG_COLS`` order."""
    o, d, st, now, pk = batch
    return (*row[:_OWN], o, d, st, now, pk, None, None, None, now)


def insert_registrations(
    session: Session, rows: Sequence[PreparedRow], batch: BatchColumns
) -> set[str]:
    """Insert new registrations (sorted by id); the ids actually inserted."""
    ordered = sorted(rows, key=itemgetter(0))
    values = [_reg_values(r, batch) for r in ordered]
    got = bulk_insert(session, REG, REG_COLS, values, ("id",), ("id",))
    return {r[0] for r in got}


# A record in one of DECIDED_STATUSES takes no new revision: the update's WHERE enforces it
# in the database, so a decision committed meanwhile is never undone.


def update_registration(
    session: Session, row: PreparedRow, batch: BatchColumns, base_revision: int
) -> bool:
    """Compare-and-set: apply a new revision only if the server still holds ``base_revision``,
    the record belongs to the pushing device's office (least access) and the revision keeps
    the record's registration code (a printed code never changes), all in the database."""
    values = dict(zip(REG_COLS, _reg_values(row, batch), strict=True))
    for kept in ("id", "code", "received_at"):
        del values[kept]
    values["applicant"] = row.applicant  # bound by the column's JSON type, not as text
    result = session.execute(
        update(REG)
        .where(
            REG.c.id == row.id,
            REG.c.code == row.code,
            REG.c.revision == base_revision,
            REG.c.office_code == batch.office_code,
            REG.c.status.not_in(DECIDED_STATUSES),
        )
        .values(**values)
        .returning(REG.c.id)
    )
    return result.first() is not None


REV_COLS = (
    "registration_id",
    "revision",
    "base_revision",
    "content_hash",
    "applicant",
    "operator",
    "device_id",
    "device_time",
    "batch_pk",
    "received_at",
)


def insert_revisions(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows are tuples in ``REV_COLS`` order, the applicant None: each is its registration's
    current revision, whose applicant ``registrations`` holds (migration 0013)."""
    ordered = sorted(rows, key=itemgetter(0, 1))
    bulk_insert(session, REV, REV_COLS, ordered, ("registration_id", "revision"))


def keep_superseded(session: Session, registration_id: str) -> None:
    """Before a registration takes a new revision: its current revision's row gets its own
    copy of the applicant (until now only in ``registrations``). Harmless when the new
    revision is then refused (the copy is that revision's content all the same)."""
    current = select(REG.c.applicant).where(REG.c.id == registration_id).scalar_subquery()
    session.execute(
        update(REV)
        .where(REV.c.registration_id == registration_id, REV.c.applicant.is_(None))
        .values(applicant=current)
    )


def set_flags(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Flag registrations: rows of {rid, b_status, b_flag, b_dup, b_group}. PostgreSQL: one
    ``UPDATE ... FROM unnest(...)`` for all (a statement per row cost a round trip and a
    run of the summary trigger each); SQLite: executemany in process. Ingest flags only rows
    its own transaction has just inserted or updated, so it holds their locks already and the
    join's order cannot make it wait on another batch."""
    if not rows:
        return
    ordered = sorted(rows, key=lambda r: r["rid"])
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "UPDATE registrations AS r SET status = u.st, flag_reason = u.fl, "
            "duplicate_of_id = u.dup, duplicate_group_id = u.grp "
            "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::bigint[]) "
            "AS u(rid, st, fl, dup, grp) WHERE r.id = u.rid",
            tuple(
                [r[k] for r in ordered] for k in ("rid", "b_status", "b_flag", "b_dup", "b_group")
            ),
        )
        return
    stmt = (
        update(REG)
        .where(REG.c.id == bindparam("rid"))
        .values(
            status=bindparam("b_status"),
            flag_reason=bindparam("b_flag"),
            duplicate_of_id=bindparam("b_dup"),
            duplicate_group_id=bindparam("b_group"),
        )
    )
    conn.execute(stmt, ordered)


# --- NIK primaries and family-card slots ---------------------------------------------------
def claim_niks(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    """INSERT ... ON CONFLICT DO NOTHING into nik_primaries: the first claim of a NIK wins.
    Returns NIK -> registration id of the claims this statement made."""
    ordered = sorted(rows, key=lambda r: r["nik"])  # stable: batch order within one NIK
    got = bulk_insert(
        session,
        NIK_PRIMARIES,
        ("nik", "registration_id"),
        [(r["nik"], r["registration_id"]) for r in ordered],
        ("nik",),
        ("nik", "registration_id"),
    )
    return {r[0]: r[1] for r in got}


def nik_primaries(session: Session, niks: Collection[str]) -> dict[str, tuple[str, str, str]]:
    """NIK -> (primary registration id, its code, its office)."""
    rows = _select_in(
        session,
        "SELECT n.nik, n.registration_id, r.code, r.office_code FROM nik_primaries n "
        "JOIN registrations r ON r.id = n.registration_id WHERE n.nik {keys}",
        niks,
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def release_nik(session: Session, nik: str, registration_id: str) -> bool:
    """Give up the registration's claim on ``nik``; True if it held it."""
    got = session.execute(
        delete(NikPrimary)
        .where(NikPrimary.nik == nik, NikPrimary.registration_id == registration_id)
        .returning(NikPrimary.nik)
    )
    return got.first() is not None


@dataclass(slots=True)
class Heir:
    """The registration that inherits a claim another one gave up."""

    id: str
    code: str
    office_code: str
    status: str
    kk_number: str
    flag_reason: str | None


def earliest_holder(
    session: Session, column: str, key: str, flag: str | None = None
) -> Heir | None:
    """The earliest received registration (not rejected) whose ``column`` (nik or kk_number)
    is ``key``, and, with ``flag``, flagged for that reason: the heir of a claim. Runs only
    for a new revision that changed its NIK or family card (rare), once per key."""
    col = REG.c[column]
    stmt = (
        select(
            REG.c.id,
            REG.c.code,
            REG.c.office_code,
            REG.c.status,
            REG.c.kk_number,
            REG.c.flag_reason,
        )
        .where(col == key, REG.c.status != "rejected")
        .order_by(REG.c.received_at, REG.c.id)
        .limit(1)
    )
    if flag is not None:
        stmt = stmt.where(REG.c.flag_reason == flag)
    row = session.execute(stmt).first()
    return Heir(*row) if row else None


def unflag(session: Session, registration_id: str) -> None:
    """The registration stands on its own now: no flag, no group; a status that only said
    "possibly a duplicate" goes back to ``received`` (a reviewer's decision stays)."""
    session.execute(
        update(REG)
        .where(REG.c.id == registration_id)
        .values(
            flag_reason=None,
            duplicate_of_id=None,
            duplicate_group_id=None,
            status=case((REG.c.status == "potential_duplicate", "received"), else_=REG.c.status),
        )
    )


def hand_over_group(
    session: Session, kind: str, key: str, old_primary: str, new_primary: str | None
) -> None:
    """The (kind, key) group's primary gave up its claim: members flagged against it point at
    ``new_primary``, which becomes the group's primary; a group left without flagged members
    is dissolved (deleted: nothing refers to it any more; a later duplicate makes a new one)."""
    gid = session.execute(
        select(DG.c.id).where(DG.c.kind == kind, DG.c.key == key)
    ).scalar_one_or_none()
    if gid is None:
        return
    if new_primary is not None:
        session.execute(
            update(REG)
            .where(REG.c.duplicate_group_id == gid, REG.c.duplicate_of_id == old_primary)
            .values(duplicate_of_id=new_primary)
        )
        session.execute(
            update(DG)
            .where(DG.c.id == gid, DG.c.primary_registration_id == old_primary)
            .values(primary_registration_id=new_primary)
        )
    drop_empty_groups(session, [gid])


def drop_empty_groups(session: Session, group_ids: Collection[int]) -> None:
    """Delete the groups among ``group_ids`` no registration is flagged into any more."""
    if not group_ids:
        return
    members = select(REG.c.id).where(REG.c.duplicate_group_id == DG.c.id).exists()
    session.execute(delete(DG).where(DG.c.id.in_(sorted(set(group_ids))), ~members))


def refresh_groups(session: Session, rows: Collection[tuple[int, str]]) -> None:
    """Groups that registrations were just flagged into, as (group id, current primary): a
    resolved one needs a reviewer again, and its primary is the registration holding the
    claim now (it may have passed on since the group was made)."""
    if not rows:
        return
    stmt = (
        update(DG)
        .where(
            DG.c.id == bindparam("gid"),
            (DG.c.resolved_at.is_not(None)) | (DG.c.primary_registration_id != bindparam("pid")),
        )
        .values(resolved_at=None, resolution="", primary_registration_id=bindparam("pid"))
    )
    session.connection().execute(stmt, [{"gid": g, "pid": p} for g, p in sorted(set(rows))])


def claim_kk_slots(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Claim family-card slots (ON CONFLICT DO NOTHING); the registration ids that got one."""
    ordered = sorted(rows, key=lambda r: (r["kk_number"], r["slot"]))
    got = bulk_insert(
        session,
        KK_SLOTS,
        ("kk_number", "slot", "registration_id"),
        [(r["kk_number"], r["slot"], r["registration_id"]) for r in ordered],
        ("kk_number", "slot"),
        ("registration_id",),
    )
    return {r[0] for r in got}


def kk_slots(session: Session, kks: Collection[str]) -> dict[str, dict[int, tuple[str, str, str]]]:
    """KK number -> {slot: (registration id, code, office)}."""
    out: dict[str, dict[int, tuple[str, str, str]]] = {}
    rows = _select_in(
        session,
        "SELECT k.kk_number, k.slot, k.registration_id, r.code, r.office_code FROM kk_slots k "
        "JOIN registrations r ON r.id = k.registration_id WHERE k.kk_number {keys}",
        kks,
    )
    for r in rows:
        out.setdefault(r[0], {})[r[1]] = (r[2], r[3], r[4])
    return out


def release_kk_slots(
    session: Session, registration_id: str, keep_kk: str | None = None
) -> list[str]:
    """Free the family-card slot(s) a registration holds (except on ``keep_kk``); the family
    cards a slot was freed on."""
    cond = KkSlot.registration_id == registration_id
    if keep_kk is not None:
        cond = and_(cond, KkSlot.kk_number != keep_kk)
    return list(session.scalars(delete(KkSlot).where(cond).returning(KkSlot.kk_number)))


# --- duplicate groups ---------------------------------------------------------------------
def ensure_groups(session: Session, rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Create the duplicate groups that do not exist yet; (kind, key) -> group id for all.
    An existing group that is resolved, or names another primary than the row's, is reopened
    with that primary (:func:`refresh_groups`); the common case costs no further statement."""
    if not rows:
        return {}
    ordered = sorted(rows, key=lambda r: (r["kind"], r["key"]))
    bulk_insert(  # one statement for all (a row's default resolution written out)
        session,
        DG,
        ("kind", "key", "primary_registration_id", "created_at", "resolution"),
        [(r["kind"], r["key"], r["primary_registration_id"], r["created_at"], "") for r in ordered],
        ("kind", "key"),
    )
    primary = {(r["kind"], r["key"]): r["primary_registration_id"] for r in rows}
    out: dict[tuple[str, str], int] = {}
    stale: list[tuple[int, str]] = []
    # PostgreSQL: the rows are read FOR SHARE, so a reviewer resolving one of these groups at
    # this moment either commits first (read here as resolved: reopened) or waits for this
    # batch and then finds the flagged record waiting (syncserver/queries/console_duplicates
    # .settle): a record never joins a group that stays resolved (issue 14, defect 2)
    lock = " FOR SHARE" if session.connection().dialect.name == "postgresql" else ""
    for kind in {r["kind"] for r in rows}:
        found = _select_in(
            session,
            "SELECT key, id, resolved_at, primary_registration_id FROM duplicate_groups "
            "WHERE kind = ? AND key {keys}" + lock,
            {r["key"] for r in rows if r["kind"] == kind},
            kind,
        )
        for key, gid, resolved_at, pid in found:
            out[(kind, key)] = gid
            if resolved_at is not None or pid != primary[(kind, key)]:
                stale.append((gid, primary[(kind, key)]))
    refresh_groups(session, stale)
    return out
