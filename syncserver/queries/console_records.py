"""SQL for the console's record search, record page and CSV export.

Every list is keyset-paginated on ``(sort key, id)``: received time (indexes from migration
0002_console), name (``lower(full_name)``) or registration code, either way, so a page costs
an index range scan whatever the table's size. Match counts are exact up to
:data:`EXACT_COUNT_LIMIT` and estimated by PostgreSQL's planner above it (labelled so).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.visitors import InternalTraversal

from common import search_terms
from common.timezones import WIB as ZONE_WIB
from common.validation import normalise_phone
from syncserver.models import (
    AuditEntry,
    Batch,
    BatchRecord,
    Device,
    Office,
    RegistrationRecord,
    ReviewDecision,
    RevisionRecord,
)
from syncserver.queries.changes import revision_applicant
from syncserver.queries.console_paging import (
    Cursor,
    Page,
    aware,
    decode_key,
    encode_key,
    keyset,
    keyset_sorted,
    page_of,
)

WIB = ZONE_WIB.tzinfo


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """What the records list, the bulk decision and the export select.

    ``q`` is what a reviewer typed, read by :func:`common.search_terms.parse`: NIKs and
    family-card numbers, phones, codes (as people write them), digit fragments, any words or
    parts of a name; ``provinces`` is the signed-in reviewer's scope (empty: all).
    ``regency`` is dotted (``32.01``); ``device`` a device id or its ``OOOOOO-DDD`` prefix of
    the registration codes; ``decision`` and ``reviewer`` select records with such a decision
    (by that reviewer) in their history. ``sort`` is a key of :data:`SORTS`, ``-`` first for
    descending."""

    q: str = ""
    status: str = ""
    office: str = ""
    province: str = ""
    date_from: date | None = None
    date_to: date | None = None
    provinces: tuple[str, ...] = ()
    regency: str = ""
    device: str = ""
    decision: str = ""
    reviewer: str = ""
    sort: str = "-received"

    def terms(self) -> list[search_terms.Group]:
        """The query read as :mod:`common.search_terms` reads it (as the desk does)."""
        return search_terms.parse(self.q)

    def query_kind(self) -> str:
        """What the query is searched as: the kinds of its terms, ``+`` between them."""
        kinds = dict.fromkeys(t.kind.value for group in self.terms() for t in group)
        return "+".join(kinds)


@dataclass(frozen=True, slots=True)
class RecordRow:
    id: str
    code: str
    nik: str
    full_name: str
    phone: str
    status: str
    office_code: str
    regency_code: str
    received_at: datetime
    revision: int
    flag_reason: str | None


_LIST_COLS = (
    RegistrationRecord.id,
    RegistrationRecord.code,
    RegistrationRecord.nik,
    RegistrationRecord.full_name,
    RegistrationRecord.phone,
    RegistrationRecord.status,
    RegistrationRecord.office_code,
    RegistrationRecord.regency_code,
    RegistrationRecord.received_at,
    RegistrationRecord.revision,
    RegistrationRecord.flag_reason,
)


def day_start(d: date) -> datetime:
    """Midnight WIB of ``d``, in UTC (dates in filters are the reviewer's calendar)."""
    return datetime.combine(d, time(0, 0), WIB).astimezone(UTC)


def _contains(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere (``\\`` escapes LIKE's own characters)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


#: What a digit fragment is matched in: the expression of PostgreSQL's trigram index
#: (migration 0009, ``DIGITS_SQL``), character for character, so the index serves it.
_DIGITS = (
    RegistrationRecord.nik.op("||")(" ")
    .op("||")(RegistrationRecord.phone)
    .op("||")(" ")
    .op("||")(func.replace(RegistrationRecord.code, "-", ""))
)


def _term_clause(term: search_terms.Term) -> Any | None:
    """The exact terms (NIK, phone, code): an equality on their btree index; the others
    (digits, name words): None, matched through the search index (:func:`_text_match`)."""
    if term.kind is search_terms.Kind.NIK:
        return or_(RegistrationRecord.nik == term.value, RegistrationRecord.kk_number == term.value)
    if term.kind is search_terms.Kind.PHONE:
        return RegistrationRecord.phone == term.value
    if term.kind is search_terms.Kind.CODE:
        return RegistrationRecord.code == term.value
    return None


class TextMatch(ColumnElement[bool]):
    """A name word or digit fragment anywhere, compiled per database: pg_trgm's GIN indexes
    on PostgreSQL, the FTS5 trigram table ``registrations_search`` on SQLite (both from
    migration 0009). One construct, so every query built on :func:`apply_filter` works on
    both backends without knowing which it runs on."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, word: bool, pattern: str) -> None:
        self.word, self.pattern = word, pattern

    _traverse_internals = [
        ("word", InternalTraversal.dp_plain_obj),
        ("pattern", InternalTraversal.dp_plain_obj),
    ]


@compiles(TextMatch, "postgresql")
def _text_match_pg(element: TextMatch, compiler: Any, **kw: Any) -> str:
    target = func.lower(RegistrationRecord.full_name) if element.word else _DIGITS
    return str(compiler.process(target.like(element.pattern, escape="\\"), **kw))


@compiles(TextMatch)
def _text_match_fts(element: TextMatch, compiler: Any, **kw: Any) -> str:
    column = "name" if element.word else "digits"
    # FTS5 uses its trigram index for a two-argument LIKE only: with ESCAPE it scans. Terms
    # are letters and digits (common.search_terms), so the ESCAPE is needed only defensively.
    escape = " ESCAPE '\\'" if "\\" in element.pattern else ""
    rowids = text(
        f"SELECT rowid FROM registrations_search WHERE {column} LIKE :p{escape}"
    ).bindparams(bindparam("p", element.pattern, unique=True))
    return str(compiler.process(literal_column("registrations.rowid").in_(rowids), **kw))


def _text_match(term: search_terms.Term) -> Any:
    return TextMatch(term.kind is search_terms.Kind.WORD, _contains(term.value))


def _query_clause(groups: list[search_terms.Group]) -> Any:
    """Every group must match; a group matches when one of its terms does."""
    clauses = []
    for group in groups:
        exact = [_term_clause(t) for t in group]
        alternatives: list[Any] = [
            c if c is not None else _text_match(t) for c, t in zip(exact, group, strict=True)
        ]
        clauses.append(or_(*alternatives))
    return and_(*clauses)


def apply_filter(stmt: Any, f: RecordFilter) -> Any:
    """``stmt`` restricted to the records ``f`` selects."""
    groups = f.terms()
    if groups:
        stmt = stmt.where(_query_clause(groups))
    if f.status:
        stmt = stmt.where(RegistrationRecord.status == f.status)
    if f.office:
        stmt = stmt.where(RegistrationRecord.office_code == f.office)
    if f.province:
        stmt = stmt.where(RegistrationRecord.province_code == f.province)
    if f.provinces:
        stmt = stmt.where(RegistrationRecord.province_code.in_(f.provinces))
    if f.date_from:
        stmt = stmt.where(RegistrationRecord.received_at >= day_start(f.date_from))
    if f.date_to:
        stmt = stmt.where(RegistrationRecord.received_at < day_start(f.date_to + timedelta(days=1)))
    if f.regency:
        stmt = stmt.where(RegistrationRecord.regency_code == f.regency)
    if f.device:
        stmt = stmt.where(_device_clause(f.device))
    if f.decision or f.reviewer:
        made = select(ReviewDecision.id).where(
            ReviewDecision.registration_id == RegistrationRecord.id
        )
        if f.decision:
            made = made.where(ReviewDecision.decision == f.decision)
        if f.reviewer:
            made = made.where(ReviewDecision.reviewer == f.reviewer)
        stmt = stmt.where(exists(made))
    return stmt


_DEVICE_PREFIX = re.compile(r"^([0-9]{6})-([0-9]{3})$")


def _device_clause(device: str) -> Any:
    """A device by id, or by the ``OOOOOO-DDD`` its registration codes begin with (what a
    reviewer reads off a code or a receipt)."""
    found = _DEVICE_PREFIX.match(device)
    if found:
        office, number = found.group(1), int(found.group(2))
        ids = select(Device.id).where(Device.office_code == office, Device.device_no == number)
        return and_(RegistrationRecord.office_code == office, RegistrationRecord.device_id.in_(ids))
    return RegistrationRecord.device_id == device


#: Sortable columns: the expression and the kind of its cursor value.
SORTS: dict[str, tuple[Any, str]] = {
    "received": (RegistrationRecord.received_at, "time"),
    "name": (func.lower(RegistrationRecord.full_name), "text"),
    "code": (RegistrationRecord.code, "text"),
}


def sort_of(text: str, default: str = "-received") -> tuple[str, bool]:
    """(column, descending) of a ``sort`` argument; unknown ones give the default."""
    if text.lstrip("-") not in SORTS:
        text = default if default.lstrip("-") in SORTS else "-received"
    return text.lstrip("-"), text.startswith("-")


def search_statement(
    f: RecordFilter, *, after: str | None, before: str | None, limit: int
) -> tuple[Any, bool, bool]:
    """The SELECT of one page (``limit`` + 1 rows), whether it runs reversed, and whether a
    cursor applied: :func:`search` runs it, the benchmark EXPLAINs it."""
    name, descending = sort_of(f.sort)
    key_col, kind = SORTS[name]
    after_key, before_key = decode_key(after, kind), decode_key(before, kind)
    select_cols = (*_LIST_COLS, key_col) if name == "name" else _LIST_COLS
    stmt, rev = keyset_sorted(
        apply_filter(select(*select_cols), f),
        key_col,
        RegistrationRecord.id,
        descending=descending,
        after=after_key,
        before=before_key if after_key is None else None,
        limit=limit,
    )
    return stmt, rev, after_key is not None


def search(
    session: Session, f: RecordFilter, *, after: str | None, before: str | None, limit: int
) -> Page[RecordRow]:
    """One page of the list in ``f.sort`` order; ``after``/``before`` are the page's cursors
    (of :func:`encode_key`; a cursor of another sort order counts as none)."""
    name, _ = sort_of(f.sort)
    stmt, rev, had_after = search_statement(f, after=after, before=before, limit=limit)
    result = session.execute(stmt).all()
    rows = [RecordRow(*r[: len(_LIST_COLS)]) for r in result]
    keys = {row.id: r[-1] for row, r in zip(rows, result, strict=True)}

    def key(r: RecordRow) -> tuple[Any, str]:
        if name == "received":
            return aware(r.received_at), r.id
        return (keys[r.id] if name == "name" else r.code), r.id

    return page_of(rows, rev, limit, key, had_cursor=had_after, encode=encode_key)


#: Up to this many matches a list shows the exact count; above it PostgreSQL's estimate.
#: Counting is reading: 1,000 rows cost a few milliseconds whatever the filter, where 10,000
#: scattered over a 1,000,000-row table cost 100 ms and more (bench/console.py).
EXACT_COUNT_LIMIT = 1_000
#: PostgreSQL: a planner's estimate above this many times the exact limit is shown as it is,
#: without counting (see count()).
TRUST_ESTIMATE_ABOVE = 20


@dataclass(frozen=True, slots=True)
class Count:
    n: int
    exact: bool


def count(session: Session, f: RecordFilter, exact_limit: int = EXACT_COUNT_LIMIT) -> Count:
    """How many records match: counted up to ``exact_limit`` + 1 (an index range scan of
    at most that many rows), beyond it the planner's estimate on PostgreSQL (milliseconds
    where an exact count of millions takes seconds), and that estimate without counting when
    it is above :data:`TRUST_ESTIMATE_ABOVE` times ``exact_limit``; SQLite, used for an
    office's or a demo's data, counts exactly."""
    matching = apply_filter(select(RegistrationRecord.id), f)
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql":
        return Count(
            int(session.scalar(select(func.count()).select_from(matching.subquery())) or 0), True
        )
    compiled = matching.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    plan = (
        session.connection()
        .exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params)
        .scalar_one()
    )
    plan = plan if isinstance(plan, list) else json.loads(plan)
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    if estimate > TRUST_ESTIMATE_ABOVE * exact_limit:
        # Far more matches than would be counted: counting 1,001 of them costs a GIN search
        # its whole bitmap (every match of a name part: 220,000 of 10,000,000 registrations
        # for "idaya", 100 ms, growing with the table), for a figure shown as an estimate
        # anyway. An estimate that large is never a handful of real matches.
        return Count(max(_rounded(estimate), exact_limit + 1), False)
    capped = matching.limit(exact_limit + 1).subquery()
    # The planner takes "LIMIT 1,001 of 24,000 matches" for an early stop of a sequential
    # scan, as if matches were spread evenly; they are not (a province's records arrive
    # together), and that scan read 100,000 rows in 260 ms at 1,000,000 registrations. The
    # indexes answer in a few ms: no sequential scan for this one statement.
    previous = str(session.scalar(text("SELECT current_setting('enable_seqscan')")))
    session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
    n = int(session.scalar(select(func.count()).select_from(capped)) or 0)
    session.execute(text("SELECT set_config('enable_seqscan', :v, true)"), {"v": previous})
    if n <= exact_limit:
        return Count(n, True)
    return Count(max(_rounded(estimate), exact_limit + 1), False)


def _rounded(n: int) -> int:
    """An estimate to 3 significant digits (12,408 -> 12,400): it is no more precise."""
    scale = int(10 ** max(len(str(n)) - 3, 0))
    return max(round(n / scale) * scale, scale)


def ids_matching(session: Session, f: RecordFilter, ids: list[str]) -> list[str]:
    """Those of ``ids`` that the filter (the reviewer's scope) allows."""
    if not ids:
        return []
    stmt = apply_filter(select(RegistrationRecord.id), f).where(RegistrationRecord.id.in_(ids))
    return list(session.scalars(stmt))


EXPORT_COLUMNS = (
    "code",
    "nik",
    "kk_number",
    "full_name",
    "sex",
    "birth_date",
    "phone",
    "province_code",
    "regency_code",
    "village_code",
    "office_code",
    "status",
    "revision",
    "received_at",
    "consent_version",
    "id",
)


def export_page(
    session: Session, f: RecordFilter, after: Cursor | None, limit: int
) -> tuple[list[dict[str, Any]], Cursor | None]:
    """One page of the CSV export (newest first) and the cursor of the next, if any. Times
    are WIB with their offset (``2026-03-01T14:05:09+07:00``), as the console shows them."""
    stmt, _ = keyset(
        apply_filter(
            select(
                *_LIST_COLS,
                RegistrationRecord.kk_number,
                RegistrationRecord.village_code,
                RegistrationRecord.applicant,
            ),
            f,
        ),
        RegistrationRecord.received_at,
        RegistrationRecord.id,
        after=after,
        before=None,
        limit=limit,
    )
    rows = session.execute(stmt).all()
    more = len(rows) > limit
    out: list[dict[str, Any]] = []
    for r in rows[:limit]:
        applicant = r.applicant or {}
        out.append(
            {
                "code": r.code,
                "nik": r.nik,
                "kk_number": r.kk_number,
                "full_name": r.full_name,
                "sex": applicant.get("sex", ""),
                "birth_date": applicant.get("birth_date", ""),
                "phone": r.phone,
                "province_code": r.regency_code[:2],
                "regency_code": r.regency_code,
                "village_code": r.village_code,
                "office_code": r.office_code,
                "status": r.status,
                "revision": r.revision,
                "received_at": export_time(r.received_at),
                "consent_version": applicant.get("consent_version", ""),
                "id": r.id,
            }
        )
    last = rows[limit - 1] if more else None
    return out, (Cursor(aware(last.received_at), last.id) if last is not None else None)


def export_time(value: datetime) -> str:
    """A time as the export writes it: ISO 8601 in WIB, the console's zone, with the offset
    in the value, so a spreadsheet and the console agree and nothing is read as UTC."""
    return aware(value).astimezone(WIB).isoformat(timespec="seconds")


# --- one record -----------------------------------------------------------------------------
def get(session: Session, registration_id: str) -> RegistrationRecord | None:
    return session.get(RegistrationRecord, registration_id)


def get_by_code(session: Session, code: str) -> RegistrationRecord | None:
    return session.execute(
        select(RegistrationRecord).where(RegistrationRecord.code == code).limit(1)
    ).scalar_one_or_none()


def codes_of(session: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(
        session.execute(
            select(RegistrationRecord.id, RegistrationRecord.code).where(
                RegistrationRecord.id.in_(ids)
            )
        ).all()
    )


def revisions(session: Session, registration_id: str, limit: int = 50) -> list[RevisionRecord]:
    """The record's revisions, newest first (a record has a handful), each with its
    applicant (the current one's from ``registrations``: migration 0013)."""
    rows = session.execute(
        select(RevisionRecord, revision_applicant())
        .join(RegistrationRecord, RegistrationRecord.id == RevisionRecord.registration_id)
        .where(RevisionRecord.registration_id == registration_id)
        .order_by(RevisionRecord.revision.desc())
        .limit(limit)
    ).all()
    for rev, applicant in rows:  # loaded as the value, not a change to write back
        set_committed_value(rev, "applicant", applicant)
    return [rev for rev, _ in rows]


def decisions(session: Session, registration_id: str, limit: int = 50) -> list[ReviewDecision]:
    return list(
        session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.registration_id == registration_id)
            .order_by(ReviewDecision.id.desc())
            .limit(limit)
        )
    )


def audit_trail(
    session: Session, registration_id: str, offset: int, limit: int
) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_id == registration_id)
            .order_by(AuditEntry.id.desc())
            .offset(offset)
            .limit(limit + 1)
        )
    )


@dataclass(frozen=True, slots=True)
class BatchLine:
    batch_pk: int
    batch_id: str
    received_at: datetime
    revision: int
    outcome: str
    errors: list[str] | None


def batches_of(session: Session, registration_id: str, limit: int = 50) -> list[BatchLine]:
    """Every batch that carried the record (a resend shows as already received)."""
    rows = session.execute(
        select(
            Batch.id,
            Batch.batch_id,
            Batch.received_at,
            BatchRecord.revision,
            BatchRecord.outcome,
            BatchRecord.errors,
        )
        .join(Batch, Batch.id == BatchRecord.batch_pk)
        .where(BatchRecord.registration_id == registration_id)
        .order_by(Batch.id.desc())
        .limit(limit)
    )
    return [BatchLine(*r) for r in rows]


def device_and_office(session: Session, device_id: str) -> tuple[Device | None, Office | None]:
    device = session.get(Device, device_id)
    office = session.get(Office, device.office_code) if device else None
    return device, office


@dataclass(frozen=True, slots=True)
class RelatedRow:
    """Another registration sharing the record's family card or phone (issue 14)."""

    id: str
    code: str
    nik: str
    full_name: str
    status: str
    office_code: str
    province_code: str
    received_at: datetime
    same_kk: bool
    same_phone: bool


def phone_forms(phone: str) -> set[str]:
    """The ways one mobile number is stored (``+62812…``, ``62812…``, ``0812…``)."""
    found = {phone} if phone else set()
    norm = normalise_phone(phone) if phone else None
    if norm:
        found |= {norm, norm[1:], "0" + norm[3:]}
    return found


def related(session: Session, reg: RegistrationRecord, limit: int = 25) -> list[RelatedRow]:
    """Others on the record's family card, then others with its phone (oldest first, at
    most ``limit`` of each; each lookup an index range on kk_number or phone). The caller
    masks those outside the reviewer's provinces."""
    cols = (
        RegistrationRecord.id,
        RegistrationRecord.code,
        RegistrationRecord.nik,
        RegistrationRecord.full_name,
        RegistrationRecord.status,
        RegistrationRecord.office_code,
        RegistrationRecord.province_code,
        RegistrationRecord.received_at,
        RegistrationRecord.kk_number,
        RegistrationRecord.phone,
    )
    found: dict[str, Any] = {}
    lookups = []
    if reg.kk_number:
        lookups.append(RegistrationRecord.kk_number == reg.kk_number)
    phones = phone_forms(reg.phone or "")
    if phones:
        lookups.append(RegistrationRecord.phone.in_(phones))
    for where in lookups:
        stmt = (
            select(*cols)
            .where(where, RegistrationRecord.id != reg.id)
            .order_by(RegistrationRecord.received_at, RegistrationRecord.id)
            .limit(limit)
        )
        for row in session.execute(stmt):
            found.setdefault(row.id, row)
    return [
        RelatedRow(
            r.id,
            r.code,
            r.nik,
            r.full_name,
            r.status,
            r.office_code,
            r.province_code,
            r.received_at,
            bool(reg.kk_number) and r.kk_number == reg.kk_number,
            bool(phones) and r.phone in phones,
        )
        for r in found.values()
    ]
