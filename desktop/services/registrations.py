"""Registrations on this device: validate, save (durably), edit as new revisions, search,
drafts, counts, and the audit trail.

A save is one SQLite transaction that writes the registration, its revision row, the outbox
row, the audit event and the next sequence number, and returns only after the commit (the
store runs ``synchronous=FULL``, so the commit is on disk): when the form says "Tersimpan",
a power cut cannot take it back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from common import errors as E
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
from common.validation import Problem, Result, applicant_from_dict, check
from desktop.services.operators import Operator
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.models import RegistrationRecord, iso_utc, json_text
from desktop.store.queries import audit, drafts, outbox
from desktop.store.queries import registrations as Q
from desktop.store.queries.registrations import SORTABLE as SORTABLE
from desktop.store.queries.registrations import AttentionRow as AttentionRow
from desktop.store.queries.registrations import ListRow as ListRow
from desktop.store.queries.search import fts_query as fts_query
from desktop.store.queries.search import search_text_for

#: Statuses in which the device may still change a record (plus any record in local conflict):
#: every one a reviewer has not decided yet. A synced record (``received``, or flagged as a
#: possible duplicate) may be corrected as a new revision; the server accepts it until a
#: reviewer verifies or rejects the record (a revision of a decided record is a conflict).
EDITABLE = frozenset({Status.SAVED, Status.RECEIVED, Status.POTENTIAL_DUPLICATE, Status.RETURNED})


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


class BatchOutcome(StrEnum):
    SAVED = "saved"
    ALREADY_PRESENT = "already_present"  # same NIK, same content: nothing to do
    NIK_TAKEN = "nik_taken"  # same NIK, different content: not saved


@dataclass(frozen=True, slots=True)
class BatchItem:
    outcome: BatchOutcome
    registration_id: str | None


# --- helpers ---------------------------------------------------------------------------
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
        "applicant_json": json_text(data),
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


def _editable(row: RegistrationRecord) -> bool:
    return row.conflict or Status(row.status) in EDITABLE


def may_make_codes(s: Session) -> bool:
    """Whether this device may give out registration codes: only once it is enrolled. The
    server gives each device of an office its own number (``UNIQUE (office_code,
    device_no)``), so ``office-device-sequence`` is unique across all devices from the moment
    it is printed; before enrollment every device would be ``000000-000`` (issue 13 defect 2:
    two applicants with one code). Drafts need no code and are kept at any time."""
    return S.ENROLLED.get(s) and S.DEVICE_NO.get(s) > 0


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
        with self.store.write() as s:
            if registration_id is None and not may_make_codes(s):
                return SaveResult(False, None, result.problems, needs_enrollment=True)
            other = Q.id_with_nik(s, applicant.nik, other_than=registration_id or "")
            if other is not None:
                return SaveResult(False, None, result.problems, existing_id=other)
            if registration_id is None:
                row = self._create(s, applicant, channel, Action.CREATED, {})
                changed = True
            else:
                row, changed = self._edit(s, registration_id, applicant)
            if draft_id is not None:
                drafts.remove(s, draft_id)
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
            with self.store.read() as s:
                allowed = may_make_codes(s)
            if not allowed:  # raised outside the session (ApiError and @contextmanager)
                raise ApiError(E.SAVE_NEEDS_ENROLLMENT)
        out: list[BatchItem] = []
        with self.store.write() as s:
            for i, applicant in enumerate(applicants):
                existing = Q.by_nik(s, applicant.nik)
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
        device_id = S.DEVICE_ID.get(s)
        if not device_id:
            import uuid

            device_id = str(uuid.uuid4())
            S.DEVICE_ID.set(s, device_id)
        return device_id, S.OFFICE_CODE.get(s), S.DEVICE_NO.get(s)

    def _next_sequence(self, s: Session) -> int:
        seq = S.NEXT_SEQUENCE.get(s)
        S.NEXT_SEQUENCE.set(s, seq + 1)
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
        values = new_registration_values(
            applicant, code, seq, office, device_id, self.operator.username, Channel(channel), now
        )
        row = Q.add(s, values)  # the parent row first: revisions and outbox reference it
        Q.add_revision(
            s, row.id, 1, row.applicant_json, row.content_hash, self.operator.username, now
        )
        outbox.enqueue(s, row.id, 1, now)
        self._audit(s, action, row.id, {"code": code, "channel": row.channel, **detail}, now)
        s.flush()
        return row

    def _edit(
        self, s: Session, registration_id: str, applicant: Applicant
    ) -> tuple[RegistrationRecord, bool]:
        row = Q.get(s, registration_id)
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
        applicant_json = json_text(data)
        row.revision += 1
        Q.set_applicant(row, applicant, applicant_json, digest)
        row.status = Status.SAVED.value
        row.conflict = False
        row.conflict_detail = ""
        row.updated_at = now
        row.device_time = now
        Q.add_revision(s, row.id, row.revision, applicant_json, digest, self.operator.username, now)
        outbox.enqueue(s, row.id, row.revision, now)
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
        with self.store.read() as s:
            row = Q.get(s, registration_id)
            return _to_registration(row) if row else None

    def find_by_nik(self, nik: str) -> Registration | None:
        with self.store.read() as s:
            row = Q.by_nik(s, nik.strip())
            return _to_registration(row) if row else None

    def get_by_code(self, code: str) -> Registration | None:
        with self.store.read() as s:
            row = Q.by_code(s, normalise_code(code))
            return _to_registration(row) if row else None

    def state(self, registration_id: str) -> RecordState | None:
        """The record with its sync-side fields (review note, conflict, …) and editability."""
        with self.store.read() as s:
            row = Q.get(s, registration_id)
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
        with self.store.read() as s:
            rows = Q.revisions(s, registration_id)
        out: list[RevisionRow] = []
        before: dict[str, Any] = {}
        for r in rows:
            data = json.loads(r.applicant_json)
            changed = changed_fields(before, data) if before else []
            out.append(RevisionRow(r.revision, r.created_at, r.operator, data, changed))
            before = data
        return out

    # -- search ------------------------------------------------------------------------------
    @staticmethod
    def _filter(
        query: str, status: Status | None, date_from: date | None, date_to: date | None
    ) -> Q.Filter:
        """What the clerk asked for, as the list query's filter (local dates as UTC times)."""
        return Q.Filter(
            match=fts_query(query),
            status=status,
            created_from=None if date_from is None else iso_utc(local_day_start(date_from)),
            created_before=(
                None if date_to is None else iso_utc(local_day_start(date_to + timedelta(days=1)))
            ),
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
        the phone (``0812…`` or ``62812…``) or the code; filters by status and local date
        (store/queries/registrations.page says how the page is found)."""
        if sort not in SORTABLE:
            raise ValueError(f"cannot sort by {sort!r}; one of {', '.join(SORTABLE)}")
        where = self._filter(query, status, date_from, date_to)
        with self.store.read() as s:
            return Q.page(s, where, sort, descending, offset, limit)

    def count(
        self,
        query: str = "",
        status: Status | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> int:
        where = self._filter(query, status, date_from, date_to)
        with self.store.read() as s:
            return Q.count(s, where)

    # -- drafts ------------------------------------------------------------------------------
    def save_draft(self, raw: dict[str, Any], draft_id: str | None = None) -> str:
        """Keep a half-filled form (any content, not validated, never synced)."""
        draft_id = draft_id or new_registration_id()
        now = self.clock()
        with self.store.write() as s:
            drafts.put(s, draft_id, self.operator.username, json_text(raw), now)
        return draft_id

    def list_drafts(self) -> list[DraftRow]:
        with self.store.read() as s:
            rows = drafts.newest_first(s)
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
        with self.store.read() as s:
            row = drafts.get(s, draft_id)
            if row is None:
                raise KeyError(draft_id)
            return dict(json.loads(row.raw_json))

    def delete_draft(self, draft_id: str) -> None:
        with self.store.write() as s:
            drafts.remove(s, draft_id)

    # -- counts ------------------------------------------------------------------------------
    def counts_by_status(self) -> dict[Status, int]:
        """Records per status (every status present, zeros included; DRAFT counts drafts)."""
        counts = {st: 0 for st in Status}
        with self.store.read() as s:
            counts.update(Q.counts_by_status(s))
            counts[Status.DRAFT] += drafts.count(s)
        return counts

    def oldest_unsynced_age(self) -> timedelta | None:
        """How long the oldest entry of the outbox has waited (None when nothing waits)."""
        with self.store.read() as s:
            oldest = outbox.oldest_enqueued(s)
        if oldest is None:
            return None
        return max(timedelta(0), self.clock() - oldest)

    def pending_count(self) -> int:
        """Records with at least one revision the server has not acknowledged."""
        with self.store.read() as s:
            return outbox.pending_count(s)

    # -- returned and rejected by the central office -----------------------------------------
    def attention(self) -> list[AttentionRow]:
        """Records the central office sent back that the clerk must act on, oldest decision
        first: every record returned for correction (it leaves the list once corrected and
        saved) and every rejected record not yet opened on this device (the applicant must
        be told; :meth:`mark_seen`)."""
        with self.store.read() as s:
            seen = set(S.REJECTED_SEEN.get(s))
            rows = Q.returned_or_rejected(s)
        return [r for r in rows if r.status is Status.RETURNED or r.id not in seen]

    def mark_seen(self, registration_id: str) -> None:
        """The clerk opened this record: a rejection shown once leaves the count."""
        with self.store.write() as s:
            row = Q.get(s, registration_id)
            if row is None or row.status != Status.REJECTED.value:
                return
            seen = S.REJECTED_SEEN.get(s)
            if registration_id not in seen:
                S.REJECTED_SEEN.set(s, [*seen, registration_id])

    # -- audit -------------------------------------------------------------------------------
    def audit(self, action: str, registration_id: str | None, detail: dict[str, Any]) -> None:
        """Record an event (e.g. ``printed``, ``exported``) in the local audit trail."""
        with self.store.write() as s:
            self._audit(s, action, registration_id, detail, self.clock())

    def _audit(
        self,
        s: Session,
        action: str,
        registration_id: str | None,
        detail: dict[str, Any],
        now: datetime,
    ) -> None:
        audit.add(s, now, self.operator.username, action, registration_id, detail)
