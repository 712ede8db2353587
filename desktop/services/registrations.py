"""Registrations on this device: validate, save (durably), edit as new revisions, search,
drafts, counts, and the audit trail.

A save is one SQLite transaction that writes the registration, its revision row, the outbox
row, the audit event and the next sequence number, and returns only after the commit (the
store runs ``synchronous=FULL``, so the commit is on disk): when the form says "Tersimpan",
a power cut cannot take it back.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum, StrEnum
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from common import errors as E
from common import search_terms
from common.enums import Channel, Status
from common.errors import ApiError
from common.nik import mask_nik
from common.record import (
    Applicant,
    Provenance,
    Registration,
    content_hash,
    new_registration_id,
    utcnow,
)
from common.regcode import make_code, normalise_code
from common.search_terms import Kind, Term
from common.validation import Problem, Result, applicant_from_dict, check
from desktop.services.device import DEFAULT_OFFICE
from desktop.services.operators import Operator
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.models import (
    AuditEvent,
    DraftRecord,
    OutboxEntry,
    RegistrationRecord,
    RevisionRecord,
    iso_utc,
)

#: Statuses in which the device may still change a record (plus any record in local conflict):
#: every one a reviewer has not decided yet. A synced record (``received``, or flagged as a
#: possible duplicate) may be corrected as a new revision; the server accepts it until a
#: reviewer verifies or rejects the record (a revision of a decided record is a conflict).
EDITABLE = frozenset({Status.SAVED, Status.RECEIVED, Status.POTENTIAL_DUPLICATE, Status.RETURNED})
#: Columns the list may be sorted by (whitelist: they are put into SQL by name).
SORTABLE = ("created_at", "updated_at", "full_name", "code", "nik", "status")
#: Indexes whose order is (column, rowid): walking one gives a sorted page without sorting.
_SORT_INDEX = {
    "created_at": "ix_registrations_created_at",
    "full_name": "ix_registrations_full_name",
    "nik": "ix_registrations_nik",
}
#: Above this many text matches, walk the sort index instead of sorting the matches.
_WALK_INDEX_ABOVE = 300


class Action(StrEnum):
    """Audit trail actions."""

    CREATED = "created"
    EDITED = "edited"
    PRINTED = "printed"
    EXPORTED = "exported"
    IMPORTED = "imported"


@dataclass(frozen=True, slots=True)
class SaveResult:
    ok: bool
    registration: Registration | None
    problems: list[Problem] = field(default_factory=list)
    existing_id: str | None = None  # a record on this device already has this NIK
    changed: bool = True  # False when an edit changed nothing (no new revision)
    #: not saved: the device is not enrolled, so it has no registration codes of its own yet
    needs_enrollment: bool = False


@dataclass(frozen=True, slots=True)
class RevisionRow:
    revision: int
    created_at: datetime
    operator: str
    applicant: dict[str, Any]
    changed_fields: list[str]


@dataclass(frozen=True, slots=True)
class ListRow:
    id: str
    code: str
    nik_masked: str
    full_name: str
    phone: str
    status: Status
    created_at: datetime
    revision: int


@dataclass(frozen=True, slots=True)
class DraftRow:
    id: str
    operator: str
    updated_at: datetime
    full_name: str
    nik_masked: str


@dataclass(frozen=True, slots=True)
class RecordState:
    """What the sync side knows about a record (set by the sync engine), for the record view."""

    registration: Registration
    created_at: datetime
    updated_at: datetime
    base_revision_synced: int
    server_outcome: str | None
    review_note: str
    reject_reason: str
    duplicate_of: str | None
    conflict: bool
    conflict_detail: str
    editable: bool


@dataclass(frozen=True, slots=True)
class AttentionRow:
    """A record returned or rejected by the central office, for the clerk's list."""

    id: str
    code: str
    full_name: str
    status: Status
    note: str
    reason: str


#: Setting: ids of rejected records the clerk has opened (they leave the "attention" count).
_REJECTED_SEEN = "rejected_seen"


class BatchOutcome(StrEnum):
    SAVED = "saved"
    ALREADY_PRESENT = "already_present"  # same NIK, same content: nothing to do
    NIK_TAKEN = "nik_taken"  # same NIK, different content: not saved


@dataclass(frozen=True, slots=True)
class BatchItem:
    outcome: BatchOutcome
    registration_id: str | None


# --- search text -----------------------------------------------------------------------
# The index holds one token per way a record can be asked for, each kind with its own prefix so
# that one kind never matches another (a name word "kode" is not a code, the office digits of
# every code are not a NIK fragment). common/search_terms.py reads the query; fts_query turns
# its terms into prefix or exact matches on these tokens:
#   n<nik> k<kk_number>             a whole NIK (or family-card number): exact
#   p<phone digits, 62...>          a whole phone: exact
#   kode<code without dashes>       a whole code (exact) or its beginning (prefix)
#   d<suffix>                       every suffix of the NIK's digits, the phone's digits (62...
#                                   and 0... forms) and the code after its office part, so a
#                                   digit fragment found anywhere in them is a prefix match
#   w<word>                         every name word, case-folded, accents dropped: prefix
_NAME_SPLIT = re.compile(r"[^\w]+|_+")
#: A digit fragment this long also matches the beginning of a code (past its office part).
_CODE_PREFIX_MIN = 7


def _fold(word: str) -> str:
    """As common.search_terms folds a query's name words: NFKC, case-folded, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", word).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _compact_code(code: str) -> str:
    return "kode" + code.replace("-", "").lower()


def _suffixes(digits: str) -> list[str]:
    return [digits[i:] for i in range(len(digits))]


def search_text(nik: str, kk_number: str, full_name: str, phone: str, code: str) -> str:
    """The tokens the search index holds for one record (see the table above); also used by
    store migration 0002 to rebuild the index of existing records."""
    tokens: list[str] = []
    fragments: list[str] = []
    if nik:
        tokens.append("n" + nik)
        fragments += _suffixes(nik)
    if kk_number:
        tokens.append("k" + kk_number)
    if phone:
        digits = phone.lstrip("+")
        tokens.append("p" + digits)
        fragments += _suffixes(digits)
        if digits.startswith("62"):
            fragments.append("0" + digits[2:])
    if code:
        tokens.append(_compact_code(code))
        tail = "".join(code.split("-")[1:]).lower()  # device, sequence, check character
        fragments += _suffixes(tail)
    tokens += ["w" + w for w in _NAME_SPLIT.split(_fold(full_name)) if w]
    tokens += ["d" + f for f in dict.fromkeys(fragments)]
    return " ".join(tokens)


def search_text_for(applicant: Applicant, code: str) -> str:
    """The index text of a registration (:func:`search_text`)."""
    return search_text(
        applicant.nik, applicant.kk_number, applicant.full_name, applicant.phone or "", code
    )


def _match(term: Term) -> list[str]:
    value = term.value
    if term.kind is Kind.NIK:
        return [f'"n{value}"', f'"k{value}"']
    if term.kind is Kind.PHONE:
        return [f'"p{value.lstrip("+")}"']
    if term.kind is Kind.CODE:
        return [f'"{_compact_code(value)}"']
    if term.kind is Kind.DIGITS:
        out = [f'"d{value}"*']
        if len(value) >= _CODE_PREFIX_MIN:
            out.append(f'"kode{value}"*')
        return out
    return [f'"w{value}"*']


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression for what the clerk typed, read by common.search_terms: every
    group must match, any one term of a group will do. ``0812 3456 7890`` is one phone,
    ``000012`` part of a code, ``7890`` the last digits of a NIK, ``siti`` a name word."""
    groups = search_terms.parse(query)
    if not groups:
        return None
    parts = []
    for group in groups:
        alternatives = list(dict.fromkeys(m for term in group for m in _match(term)))
        parts.append(
            alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
        )
    return " AND ".join(parts)


# --- helpers ---------------------------------------------------------------------------
def _json_default(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


def comparable_hash(applicant_dict: dict[str, Any]) -> str:
    """Content hash ignoring ``consent_at`` (an import fills a blank one with the import time)."""
    return content_hash({k: v for k, v in applicant_dict.items() if k != "consent_at"})


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k in after if before.get(k) != after.get(k)]


def local_day_start(day: date) -> datetime:
    """Midnight of ``day`` in this computer's time zone (the office's), as an aware datetime."""
    return datetime.combine(day, time.min).astimezone()


def new_registration_values(
    applicant: Applicant,
    code: str,
    sequence: int,
    office: str,
    device_id: str,
    operator: str,
    channel: Channel,
    now: datetime,
) -> dict[str, Any]:
    """The columns of a new registration (revision 1, status ``saved``): the one place they
    are built (the save path and the store benchmark's bulk fill both use it)."""
    data = applicant.to_dict()
    return {
        "id": new_registration_id(),
        "code": code,
        "sequence": sequence,
        "nik": applicant.nik,
        "kk_number": applicant.kk_number,
        "full_name": applicant.full_name,
        "phone": applicant.phone,
        "status": Status.SAVED.value,
        "revision": 1,
        "base_revision_synced": 0,
        "applicant_json": _dumps(data),
        "content_hash": content_hash(data),
        "office_code": office,
        "device_id": device_id,
        "operator": operator,
        "channel": channel.value,
        "device_time": now,
        "created_at": now,
        "updated_at": now,
        "server_time": None,
        "server_outcome": None,
        "review_note": "",
        "reject_reason": "",
        "duplicate_of": None,
        "conflict": False,
        "conflict_detail": "",
        "search_text": search_text_for(applicant, code),
    }


def _to_registration(row: RegistrationRecord) -> Registration:
    return Registration(
        id=row.id,
        code=row.code,
        applicant=applicant_from_dict(json.loads(row.applicant_json)),
        provenance=Provenance(
            office_code=row.office_code,
            device_id=row.device_id,
            operator=row.operator,
            channel=Channel(row.channel),
            device_time=row.device_time,
            server_time=row.server_time,
            revision=row.revision,
            status=Status(row.status),
        ),
    )


def _parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _editable(row: RegistrationRecord) -> bool:
    return row.conflict or Status(row.status) in EDITABLE


def may_make_codes(s: Session) -> bool:
    """Whether this device may give out registration codes: only once it is enrolled. The
    server gives each device of an office its own number (``UNIQUE (office_code,
    device_no)``), so ``office-device-sequence`` is unique across all devices from the moment
    it is printed; before enrollment every device would be ``000000-000`` (issue 13 defect 2:
    two applicants with one code). Drafts need no code and are kept at any time."""
    return bool(S.read(s, "enrolled", False)) and int(S.read(s, "device_no", 0) or 0) > 0


class RegistrationService:
    """Registrations as one operator sees and changes them. Plain Python; thread-agnostic
    (the views call it from their single database worker)."""

    def __init__(
        self, store: Store, operator: Operator, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.store = store
        self.operator = operator
        self.clock = clock

    # -- validation ------------------------------------------------------------------------
    def today(self) -> date:
        return self.clock().astimezone().date()

    def check(self, raw: dict[str, Any]) -> Result:
        """Parse and validate form input without saving (live validation)."""
        return check(raw, self.today())

    # -- save --------------------------------------------------------------------------------
    def save(
        self,
        raw: dict[str, Any],
        *,
        registration_id: str | None = None,
        channel: Channel = Channel.COUNTER,
        draft_id: str | None = None,
    ) -> SaveResult:
        """Validate and save a new record, or a new revision of ``registration_id``.

        Returns only after the transaction is committed to disk. Nothing is saved when an
        error-level problem remains (``ok=False``, ``problems``), or when another record on
        this device has the NIK (``ok=False``, ``existing_id``). Editing a record that is no
        longer editable raises ValueError; an unknown id raises KeyError.
        """
        result = self.check(raw)
        if not result.ok:
            return SaveResult(False, None, result.problems)
        applicant = result.applicant
        with self.store.session() as s:
            if registration_id is None and not may_make_codes(s):
                return SaveResult(False, None, result.problems, needs_enrollment=True)
            other = s.scalar(
                select(RegistrationRecord.id).where(
                    RegistrationRecord.nik == applicant.nik,
                    RegistrationRecord.id != (registration_id or ""),
                )
            )
            if other is not None:
                return SaveResult(False, None, result.problems, existing_id=other)
            if registration_id is None:
                row = self._create(s, applicant, channel, Action.CREATED, {})
                changed = True
            else:
                row, changed = self._edit(s, registration_id, applicant)
            if draft_id is not None:
                s.execute(delete(DraftRecord).where(DraftRecord.id == draft_id))
            registration = _to_registration(row)
        return SaveResult(True, registration, result.problems, changed=changed)

    def save_batch(
        self,
        applicants: Sequence[Applicant],
        *,
        channel: Channel = Channel.PAPER,
        action: Action = Action.IMPORTED,
        details: Sequence[dict[str, Any]] | None = None,
    ) -> list[BatchItem]:
        """Save already-validated applicants in ONE transaction (the import path).

        A NIK already on the device is not saved again: ``ALREADY_PRESENT`` when the content
        is the same (``consent_at`` aside), ``NIK_TAKEN`` when it differs. A device not
        enrolled saves nothing: ``ApiError(SAVE_NEEDS_ENROLLMENT)`` (see :func:`may_make_codes`).
        """
        if applicants:
            with self.store.session(write=False) as s:
                allowed = may_make_codes(s)
            if not allowed:  # raised outside the session (ApiError and @contextmanager)
                raise ApiError(E.SAVE_NEEDS_ENROLLMENT)
        out: list[BatchItem] = []
        with self.store.session() as s:
            for i, applicant in enumerate(applicants):
                existing = s.execute(
                    select(RegistrationRecord.id, RegistrationRecord.applicant_json).where(
                        RegistrationRecord.nik == applicant.nik
                    )
                ).first()
                if existing is not None:
                    same = comparable_hash(json.loads(existing.applicant_json)) == comparable_hash(
                        applicant.to_dict()
                    )
                    kind = BatchOutcome.ALREADY_PRESENT if same else BatchOutcome.NIK_TAKEN
                    out.append(BatchItem(kind, existing.id))
                    continue
                detail = dict(details[i]) if details is not None else {}
                row = self._create(s, applicant, channel, action, detail)
                out.append(BatchItem(BatchOutcome.SAVED, row.id))
        return out

    def _device(self, s: Session) -> tuple[str, str, int]:
        device_id = S.read(s, "device_id")
        if not device_id:
            import uuid

            device_id = str(uuid.uuid4())
            S.write(s, "device_id", device_id)
        office = str(S.read(s, "office_code", DEFAULT_OFFICE))
        return device_id, office, int(S.read(s, "device_no", 0))

    def _next_sequence(self, s: Session) -> int:
        seq = int(S.read(s, "next_sequence", 1))
        S.write(s, "next_sequence", seq + 1)
        return seq

    def _create(
        self,
        s: Session,
        applicant: Applicant,
        channel: Channel,
        action: Action,
        detail: dict[str, Any],
    ) -> RegistrationRecord:
        now = self.clock()
        device_id, office, device_no = self._device(s)
        seq = self._next_sequence(s)
        code = make_code(office, device_no, seq)
        row = RegistrationRecord(
            **new_registration_values(
                applicant,
                code,
                seq,
                office,
                device_id,
                self.operator.username,
                Channel(channel),
                now,
            )
        )
        applicant_json, digest = row.applicant_json, row.content_hash
        s.add(row)
        s.flush()  # the parent row first: revisions and outbox reference it
        s.add(
            RevisionRecord(
                registration_id=row.id,
                revision=1,
                applicant_json=applicant_json,
                content_hash=digest,
                operator=self.operator.username,
                created_at=now,
            )
        )
        s.add(
            OutboxEntry(
                registration_id=row.id, revision=1, enqueued_at=now, attempts=0, last_error=""
            )
        )
        self._audit(s, action, row.id, {"code": code, "channel": row.channel, **detail}, now)
        s.flush()
        return row

    def _edit(
        self, s: Session, registration_id: str, applicant: Applicant
    ) -> tuple[RegistrationRecord, bool]:
        row = s.get(RegistrationRecord, registration_id)
        if row is None:
            raise KeyError(registration_id)
        if not _editable(row):
            raise ValueError(f"registration {row.code} is {row.status} and can no longer be edited")
        data = applicant.to_dict()
        digest = content_hash(data)
        if digest == row.content_hash:
            return row, False
        now = self.clock()
        before = json.loads(row.applicant_json)
        applicant_json = _dumps(data)
        row.revision += 1
        row.applicant_json = applicant_json
        row.content_hash = digest
        row.nik = applicant.nik
        row.kk_number = applicant.kk_number
        row.full_name = applicant.full_name
        row.phone = applicant.phone
        row.search_text = search_text_for(applicant, row.code)
        row.status = Status.SAVED.value
        row.conflict = False
        row.conflict_detail = ""
        row.updated_at = now
        row.device_time = now
        s.add(
            RevisionRecord(
                registration_id=row.id,
                revision=row.revision,
                applicant_json=applicant_json,
                content_hash=digest,
                operator=self.operator.username,
                created_at=now,
            )
        )
        s.add(
            OutboxEntry(
                registration_id=row.id,
                revision=row.revision,
                enqueued_at=now,
                attempts=0,
                last_error="",
            )
        )
        self._audit(
            s,
            Action.EDITED,
            row.id,
            {
                "code": row.code,
                "revision": row.revision,
                "changed_fields": changed_fields(before, data),
            },
            now,
        )
        s.flush()
        return row, True

    # -- reads -------------------------------------------------------------------------------
    def get(self, registration_id: str) -> Registration | None:
        with self.store.session(write=False) as s:
            row = s.get(RegistrationRecord, registration_id)
            return _to_registration(row) if row else None

    def find_by_nik(self, nik: str) -> Registration | None:
        with self.store.session(write=False) as s:
            row = s.scalar(select(RegistrationRecord).where(RegistrationRecord.nik == nik.strip()))
            return _to_registration(row) if row else None

    def get_by_code(self, code: str) -> Registration | None:
        with self.store.session(write=False) as s:
            row = s.scalar(
                select(RegistrationRecord).where(RegistrationRecord.code == normalise_code(code))
            )
            return _to_registration(row) if row else None

    def state(self, registration_id: str) -> RecordState | None:
        """The record with its sync-side fields (review note, conflict, …) and editability."""
        with self.store.session(write=False) as s:
            row = s.get(RegistrationRecord, registration_id)
            if row is None:
                return None
            return RecordState(
                registration=_to_registration(row),
                created_at=row.created_at,
                updated_at=row.updated_at,
                base_revision_synced=row.base_revision_synced,
                server_outcome=row.server_outcome,
                review_note=row.review_note,
                reject_reason=row.reject_reason,
                duplicate_of=row.duplicate_of,
                conflict=row.conflict,
                conflict_detail=row.conflict_detail,
                editable=_editable(row),
            )

    def history(self, registration_id: str) -> list[RevisionRow]:
        with self.store.session(write=False) as s:
            rows = s.scalars(
                select(RevisionRecord)
                .where(RevisionRecord.registration_id == registration_id)
                .order_by(RevisionRecord.revision)
            ).all()
            out: list[RevisionRow] = []
            before: dict[str, Any] = {}
            for r in rows:
                data = json.loads(r.applicant_json)
                changed = changed_fields(before, data) if before else []
                out.append(RevisionRow(r.revision, r.created_at, r.operator, data, changed))
                before = data
            return out

    # -- search ------------------------------------------------------------------------------
    def _where(
        self,
        match: str | None,
        status: Status | None,
        date_from: date | None,
        date_to: date | None,
    ) -> tuple[list[str], dict[str, Any]]:
        where: list[str] = []
        params: dict[str, Any] = {}
        if match is not None:
            where.append(
                "r.rowid IN (SELECT rowid FROM registrations_fts WHERE registrations_fts MATCH :fts)"
            )
            params["fts"] = match
        if status is not None:
            where.append("r.status = :status")
            params["status"] = Status(status).value
        if date_from is not None:
            where.append("r.created_at >= :date_from")
            params["date_from"] = iso_utc(local_day_start(date_from))
        if date_to is not None:
            where.append("r.created_at < :date_to")
            params["date_to"] = iso_utc(local_day_start(date_to + timedelta(days=1)))
        return where, params

    def _fts_count(self, s: Session, match: str) -> int:
        return int(
            s.execute(
                text("SELECT count(*) FROM registrations_fts WHERE registrations_fts MATCH :fts"),
                {"fts": match},
            ).scalar_one()
        )

    def search(
        self,
        query: str = "",
        status: Status | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        sort: str = "created_at",
        descending: bool = True,
        offset: int = 0,
        limit: int = 100,
    ) -> list[ListRow]:
        """A page of the list: every word of ``query`` must prefix-match the NIK, a name word,
        the phone (``0812…`` or ``62812…``) or the code; filters by status and local date.

        Plan choice (measured, see docs/benchmarks.md): a query matching many records walks
        the sort column's index and stops after one page; one matching few records sorts
        just its matches.
        """
        if sort not in SORTABLE:
            raise ValueError(f"cannot sort by {sort!r}; one of {', '.join(SORTABLE)}")
        match = fts_query(query)
        where, params = self._where(match, status, date_from, date_to)
        direction = "DESC" if descending else "ASC"
        params.update(limit=max(0, limit), offset=max(0, offset))
        with self.store.session(write=False) as s:
            indexed = ""
            if (
                match is not None
                and sort in _SORT_INDEX
                and self._fts_count(s, match) > _WALK_INDEX_ABOVE
            ):
                indexed = f" INDEXED BY {_SORT_INDEX[sort]}"
            sql = (
                "SELECT r.id, r.code, r.nik, r.full_name, r.phone, r.status, r.created_at, r.revision "
                f"FROM registrations AS r{indexed}"
                + (f" WHERE {' AND '.join(where)}" if where else "")
                + f" ORDER BY r.{sort} {direction}, r.rowid {direction} LIMIT :limit OFFSET :offset"
            )
            return [
                ListRow(
                    r.id,
                    r.code,
                    mask_nik(r.nik),
                    r.full_name,
                    r.phone,
                    Status(r.status),
                    _parse_time(r.created_at),
                    r.revision,
                )
                for r in s.execute(text(sql), params)
            ]

    def count(
        self,
        query: str = "",
        status: Status | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> int:
        match = fts_query(query)
        with self.store.session(write=False) as s:
            if match is not None and status is None and date_from is None and date_to is None:
                return self._fts_count(s, match)  # the index alone answers
            where, params = self._where(match, status, date_from, date_to)
            sql = "SELECT count(*) FROM registrations AS r" + (
                f" WHERE {' AND '.join(where)}" if where else ""
            )
            return int(s.execute(text(sql), params).scalar_one())

    # -- drafts ------------------------------------------------------------------------------
    def save_draft(self, raw: dict[str, Any], draft_id: str | None = None) -> str:
        """Keep a half-filled form (any content, not validated, never synced)."""
        draft_id = draft_id or new_registration_id()
        now = self.clock()
        with self.store.session() as s:
            row = s.get(DraftRecord, draft_id)
            if row is None:
                s.add(
                    DraftRecord(
                        id=draft_id,
                        operator=self.operator.username,
                        raw_json=_dumps(raw),
                        updated_at=now,
                    )
                )
            else:
                row.raw_json = _dumps(raw)
                row.operator = self.operator.username
                row.updated_at = now
        return draft_id

    def list_drafts(self) -> list[DraftRow]:
        with self.store.session(write=False) as s:
            rows = s.scalars(select(DraftRecord).order_by(DraftRecord.updated_at.desc())).all()
            out = []
            for r in rows:
                raw = json.loads(r.raw_json)
                nik = str(raw.get("nik") or "")
                out.append(
                    DraftRow(
                        r.id,
                        r.operator,
                        r.updated_at,
                        str(raw.get("full_name") or ""),
                        mask_nik(nik) if nik else "",
                    )
                )
            return out

    def load_draft(self, draft_id: str) -> dict[str, Any]:
        with self.store.session(write=False) as s:
            row = s.get(DraftRecord, draft_id)
            if row is None:
                raise KeyError(draft_id)
            return dict(json.loads(row.raw_json))

    def delete_draft(self, draft_id: str) -> None:
        with self.store.session() as s:
            s.execute(delete(DraftRecord).where(DraftRecord.id == draft_id))

    # -- counts ------------------------------------------------------------------------------
    def counts_by_status(self) -> dict[Status, int]:
        """Records per status (every status present, zeros included; DRAFT counts drafts)."""
        counts = {st: 0 for st in Status}
        with self.store.session(write=False) as s:
            for status, n in s.execute(
                select(RegistrationRecord.status, func.count()).group_by(RegistrationRecord.status)
            ):
                counts[Status(status)] = int(n)
            counts[Status.DRAFT] += int(
                s.scalar(select(func.count()).select_from(DraftRecord)) or 0
            )
        return counts

    def oldest_unsynced_age(self) -> timedelta | None:
        """How long the oldest entry of the outbox has waited (None when nothing waits)."""
        with self.store.session(write=False) as s:
            oldest = s.scalar(select(func.min(OutboxEntry.enqueued_at)))
        if oldest is None:
            return None
        if isinstance(oldest, str):
            oldest = datetime.fromisoformat(oldest.replace("Z", "+00:00"))
        return max(timedelta(0), self.clock() - oldest)

    def pending_count(self) -> int:
        """Records with at least one revision the server has not acknowledged."""
        with self.store.session(write=False) as s:
            return int(
                s.scalar(select(func.count(func.distinct(OutboxEntry.registration_id)))) or 0
            )

    # -- returned and rejected by the central office -----------------------------------------
    def attention(self) -> list[AttentionRow]:
        """Records the central office sent back that the clerk must act on, oldest decision
        first: every record returned for correction (it leaves the list once corrected and
        saved) and every rejected record not yet opened on this device (the applicant must
        be told; :meth:`mark_seen`)."""
        with self.store.session(write=False) as s:
            seen = set(S.read(s, _REJECTED_SEEN, []) or [])
            rows = s.execute(
                select(
                    RegistrationRecord.id,
                    RegistrationRecord.code,
                    RegistrationRecord.full_name,
                    RegistrationRecord.status,
                    RegistrationRecord.review_note,
                    RegistrationRecord.reject_reason,
                )
                .where(
                    RegistrationRecord.status.in_((Status.RETURNED.value, Status.REJECTED.value))
                )
                .order_by(RegistrationRecord.server_time, RegistrationRecord.code)
            ).all()
        return [
            AttentionRow(
                r.id, r.code, r.full_name, Status(r.status), r.review_note, r.reject_reason
            )
            for r in rows
            if r.status == Status.RETURNED.value or r.id not in seen
        ]

    def mark_seen(self, registration_id: str) -> None:
        """The clerk opened this record: a rejection shown once leaves the count."""
        with self.store.session() as s:
            row = s.get(RegistrationRecord, registration_id)
            if row is None or row.status != Status.REJECTED.value:
                return
            seen = list(S.read(s, _REJECTED_SEEN, []) or [])
            if registration_id not in seen:
                S.write(s, _REJECTED_SEEN, [*seen, registration_id])

    # -- audit -------------------------------------------------------------------------------
    def audit(self, action: str, registration_id: str | None, detail: dict[str, Any]) -> None:
        """Record an event (e.g. ``printed``, ``exported``) in the local audit trail."""
        with self.store.session() as s:
            self._audit(s, action, registration_id, detail, self.clock())

    def _audit(
        self,
        s: Session,
        action: str,
        registration_id: str | None,
        detail: dict[str, Any],
        now: datetime,
    ) -> None:
        s.add(
            AuditEvent(
                at=now,
                operator=self.operator.username,
                action=str(action),
                registration_id=registration_id,
                detail_json=_dumps(detail),
            )
        )
