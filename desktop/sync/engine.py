"""The sync engine: push the outbox in adaptive, compressed batches, apply each per-record
outcome, then pull the office's changes since the cursor and apply them.

Guarantees (DESIGN promises 1, 2, 4, 5):

* an outbox row is deleted only in the transaction that applies the server's answer for that
  (registration, revision), so a crash or a lost response leaves it to be sent again; the
  server answers a re-sent batch or record the same way (``already_received``);
* a batch carries at most one revision of a registration, oldest first, so revision n+1 is
  sent only after the server has answered for revision n;
* pulled changes and the new cursor are written in one local transaction;
* nothing here reads the device clock for ordering: the cursor is the server's sequence.

No Qt: the app runs :meth:`SyncEngine.run` in its network worker and the headless
``loket-desk sync`` command calls it directly.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from common import errors as E
from common.enums import Status
from common.errors import ApiError
from common.protocol import (
    MAX_BATCH_RECORDS,
    MAX_INT4,
    Backlog,
    Change,
    ChangeKind,
    Outcome,
    PushRecord,
    PushRequest,
    RecordResult,
)
from common.record import content_hash, parse_datetime
from common.validation import applicant_from_dict
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.keys import KeySlots
from desktop.store.models import (
    OperatorAccount,
    OutboxEntry,
    RegistrationRecord,
    RevisionRecord,
    SyncRun,
)
from desktop.sync.client import REFUSED, TRANSIENT, SyncClient

log = logging.getLogger(__name__)


class SyncOutcome(StrEnum):
    OK = "ok"  # everything in the outbox answered, changes pulled
    PARTIAL = "partial"  # some records sent, some still waiting or needing attention
    UNREACHABLE = "unreachable"  # the server could not be reached (try again later)
    REFUSED = "refused"  # the server refused this device (revoked, bad credential, TLS)
    CANCELLED = "cancelled"


@dataclass(slots=True)
class SyncProgress:
    """Structured progress; the view formats and throttles it."""

    stage: str  # "push" | "pull"
    records_total: int = 0
    records_sent: int = 0
    bytes_sent: int = 0
    changes_applied: int = 0


@dataclass(slots=True)
class SyncReport:
    outcome: SyncOutcome
    sent: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    changes_applied: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    pending_after: int = 0
    needs_attention: int = 0  # records answered invalid or conflict in this run
    error_code: str = ""
    seconds: float = 0.0

    def message(self, lang: str = "id") -> str:
        return E.message(self.error_code, {}, lang) if self.error_code else ""


class BatchSizer:
    """Batch size that follows the link: halves after a failure or a slow answer, doubles
    while answers come back fast."""

    def __init__(
        self,
        initial: int = 200,
        minimum: int = 10,
        maximum: int = 500,
        fast_s: float = 2.0,
        slow_s: float = 15.0,
    ):
        self.size = initial
        self.minimum = minimum
        self.maximum = min(maximum, MAX_BATCH_RECORDS)
        self.fast_s = fast_s
        self.slow_s = slow_s

    def success(self, seconds: float) -> None:
        if seconds < self.fast_s:
            self.size = min(self.maximum, self.size * 2)
        elif seconds > self.slow_s:
            self.size = max(self.minimum, self.size // 2)

    def failure(self) -> None:
        self.size = max(self.minimum, self.size // 2)


ProgressFn = Callable[[SyncProgress], None]


class SyncEngine:
    def __init__(
        self,
        store: Store,
        client: SyncClient,
        *,
        sizer: BatchSizer | None = None,
        retries: int = 3,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.client = client
        self.sizer = sizer or BatchSizer()
        self.retries = retries
        self.backoff_s = backoff_s
        self.sleep = sleep
        self._lock = threading.Lock()  # one sync at a time in this process

    # --- public --------------------------------------------------------------------------
    def run(
        self, progress: ProgressFn | None = None, cancel: threading.Event | None = None
    ) -> SyncReport:
        """One full sync: push everything pending, then pull. Never raises for sync failures:
        the outcome and error code are in the report (and in the ``sync_runs`` history)."""
        if not self._lock.acquire(blocking=False):
            return SyncReport(SyncOutcome.CANCELLED, error_code="")
        started = time.perf_counter()
        run_id = self._start_run()
        report = SyncReport(SyncOutcome.OK)
        try:
            self._push_all(report, progress, cancel)
            if report.outcome is SyncOutcome.OK:
                self._pull_all(report, progress, cancel)
        except ApiError as exc:
            report.error_code = exc.code
            if exc.code in REFUSED:
                report.outcome = SyncOutcome.REFUSED
            elif exc.code in TRANSIENT:
                report.outcome = SyncOutcome.PARTIAL if report.sent else SyncOutcome.UNREACHABLE
            else:
                report.outcome = SyncOutcome.PARTIAL
        finally:
            report.pending_after = self.pending_count()
            if report.outcome is SyncOutcome.OK and (
                report.pending_after or report.needs_attention
            ):
                report.outcome = SyncOutcome.PARTIAL
            report.seconds = time.perf_counter() - started
            self._finish_run(run_id, report)
            self._lock.release()
        return report

    def pending_count(self) -> int:
        with self.store.session() as s:
            return int(
                s.scalar(select(func.count(func.distinct(OutboxEntry.registration_id)))) or 0
            )

    def backlog(self) -> Backlog:
        """What waits in the outbox, for the server's backlog per office (sent with every
        push and pull): registrations with a revision unsent, and the oldest one's age."""
        with self.store.session() as s:
            n, oldest = s.execute(
                select(
                    func.count(func.distinct(OutboxEntry.registration_id)),
                    func.min(OutboxEntry.enqueued_at),
                )
            ).one()
        age = 0
        if n and oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
            age = int((datetime.now(UTC) - oldest).total_seconds())
        return Backlog(unsent=int(n or 0), oldest_age_s=max(0, min(age, MAX_INT4)))

    # --- push ----------------------------------------------------------------------------
    def _next_batch(self, limit: int) -> list[PushRecord]:
        """The oldest outbox entries, at most one revision per registration."""
        with self.store.session() as s:
            rows = s.execute(
                select(
                    OutboxEntry.registration_id,
                    RevisionRecord.revision,
                    RevisionRecord.content_hash,
                    RevisionRecord.applicant_json,
                    RevisionRecord.operator,
                    RevisionRecord.created_at,
                    RegistrationRecord.code,
                    RegistrationRecord.channel,
                )
                .join(
                    RevisionRecord,
                    (RevisionRecord.registration_id == OutboxEntry.registration_id)
                    & (RevisionRecord.revision == OutboxEntry.revision),
                )
                .join(RegistrationRecord, RegistrationRecord.id == OutboxEntry.registration_id)
                .order_by(OutboxEntry.id)
                .limit(limit * 2)
            ).all()
        seen: set[str] = set()
        batch: list[PushRecord] = []
        for row in rows:
            if row.registration_id in seen:
                continue
            seen.add(row.registration_id)
            batch.append(
                PushRecord(
                    id=row.registration_id,
                    code=row.code,
                    revision=row.revision,
                    base_revision=row.revision - 1,
                    content_hash=row.content_hash,
                    applicant=json.loads(row.applicant_json),
                    operator=row.operator,
                    channel=row.channel,
                    device_time=_iso(row.created_at),
                )
            )
            if len(batch) >= limit:
                break
        return batch

    def _push_all(
        self, report: SyncReport, progress: ProgressFn | None, cancel: threading.Event | None
    ) -> None:
        device_id, office = self._identity()
        total = self.pending_count()
        while True:
            if cancel is not None and cancel.is_set():
                report.outcome = SyncOutcome.CANCELLED
                return
            records = self._next_batch(self.sizer.size)
            if not records:
                return
            request = PushRequest(
                device_id=device_id,
                office_code=office,
                batch_id=str(uuid.uuid4()),
                records=records,
                backlog=self.backlog(),
            )
            response = self._send_with_retries(request, cancel)
            assert self.client.last is not None
            report.bytes_sent += self.client.last.bytes_sent
            report.bytes_received += self.client.last.bytes_received
            self._apply_results(response.results)
            report.sent += len(records)
            for result in response.results:
                report.outcomes[result.outcome.value] += 1
                if result.outcome in (Outcome.INVALID, Outcome.CONFLICT):
                    report.needs_attention += 1
            if progress:
                progress(SyncProgress("push", total, min(report.sent, total), report.bytes_sent))

    def _send_with_retries(self, request: PushRequest, cancel: threading.Event | None):  # type: ignore[no-untyped-def]
        attempt = 0
        while True:
            try:
                response = self.client.push(request)
                assert self.client.last is not None
                self.sizer.success(self.client.last.seconds)
                return response
            except ApiError as exc:
                if exc.code not in TRANSIENT or attempt >= self.retries:
                    self._note_failure(request, exc.code)
                    raise
                attempt += 1
                self.sizer.failure()
                # the same batch id again: if the server committed it, it answers the same way
                delay = self.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random())
                log.info("push failed (%s), retry %d in %.1fs", exc.code, attempt, delay)
                if cancel is not None and cancel.wait(delay):
                    raise
                if cancel is None:
                    self.sleep(delay)

    def _note_failure(self, request: PushRequest, code: str) -> None:
        with self.store.session() as s:
            for rec in request.records:
                entry = s.scalar(
                    select(OutboxEntry).where(
                        OutboxEntry.registration_id == rec.id, OutboxEntry.revision == rec.revision
                    )
                )
                if entry is not None:
                    entry.attempts += 1
                    entry.last_error = code

    def _apply_results(self, results: list[RecordResult]) -> None:
        """Apply a batch's answers in one transaction, set-based: one read of the affected
        rows, one executemany UPDATE by primary key, one executemany DELETE of outbox rows."""
        if not results:
            return
        now = datetime.now(UTC)
        ids = [r.id for r in results]
        with self.store.session() as s:
            current = {
                row.id: row
                for row in s.execute(
                    select(
                        RegistrationRecord.id,
                        RegistrationRecord.revision,
                        RegistrationRecord.base_revision_synced,
                        RegistrationRecord.status,
                        RegistrationRecord.server_time,
                    ).where(RegistrationRecord.id.in_(ids))
                )
            }
            updates = []
            for result in results:
                row = current.get(result.id)
                if row is None:
                    continue
                values = outcome_values(row.revision, row.base_revision_synced, result)
                values["id"] = result.id
                values["server_time"] = row.server_time or now
                updates.append(values)
            for group in _group_by_keys(updates).values():
                s.execute(update(RegistrationRecord), group)  # bulk UPDATE by primary key
            s.connection().execute(  # Core executemany (the ORM has no bulk DELETE)
                delete(OutboxEntry.__table__).where(
                    OutboxEntry.__table__.c.registration_id == bindparam("rid"),
                    OutboxEntry.__table__.c.revision <= bindparam("rev"),
                ),
                [{"rid": r.id, "rev": r.revision} for r in results if r.id in current],
            )

    # --- pull ----------------------------------------------------------------------------
    def _pull_all(
        self, report: SyncReport, progress: ProgressFn | None, cancel: threading.Event | None
    ) -> None:
        while True:
            if cancel is not None and cancel.is_set():
                report.outcome = SyncOutcome.CANCELLED
                return
            with self.store.session() as s:
                cursor = str(S.read(s, "sync_cursor", "") or "")
            page = self.client.pull(cursor, backlog=self.backlog())
            assert self.client.last is not None
            report.bytes_received += self.client.last.bytes_received
            # a disabled operator account loses its key slot (store/keys.py)
            slots = KeySlots(self.store.data_dir)
            with self.store.session() as s:  # changes and cursor in one transaction
                for change in page.changes:
                    apply_change(s, change, slots)
                S.write(s, "sync_cursor", page.cursor)
                S.write(s, "last_sync_success", _iso(datetime.now(UTC)))
            report.changes_applied += len(page.changes)
            if progress:
                progress(
                    SyncProgress(
                        "pull", report.sent, report.sent, report.bytes_sent, report.changes_applied
                    )
                )
            if not page.more:
                # retention (services/retention.py): decided records past the period lose
                # their personal data once the pull has brought the decisions in
                from desktop.services.retention import purge_after_sync

                purge_after_sync(self.store)
                return

    # --- bookkeeping ---------------------------------------------------------------------
    def _identity(self) -> tuple[str, str]:
        with self.store.session() as s:
            if not S.read(s, "enrolled", False):
                raise ApiError(E.NOT_ENROLLED)
            return str(S.read(s, "device_id")), str(S.read(s, "office_code"))

    def _start_run(self) -> int:
        with self.store.session() as s:
            run = SyncRun(started_at=datetime.now(UTC), outcome="running")
            s.add(run)
            s.flush()
            return int(run.id)

    def _finish_run(self, run_id: int, report: SyncReport) -> None:
        try:
            with self.store.session() as s:
                run = s.get(SyncRun, run_id)
                if run is None:
                    return
                run.finished_at = datetime.now(UTC)
                run.outcome = report.outcome.value
                run.sent = report.sent
                run.accepted = sum(
                    report.outcomes[o.value]
                    for o in (
                        Outcome.ACCEPTED,
                        Outcome.ALREADY_RECEIVED,
                        Outcome.DUPLICATE_NIK,
                        Outcome.KK_LIMIT,
                    )
                )
                run.failed = report.needs_attention
                run.bytes_sent = report.bytes_sent
                run.error_code = report.error_code
        except Exception:  # the history must never turn a finished sync into a failure
            log.exception("could not record the sync run")


def outcome_values(local_revision: int, synced: int | None, result: RecordResult) -> dict[str, Any]:
    """The local columns to set from the server's answer for one revision of a record."""
    current = local_revision == result.revision  # not edited again since this revision left
    values: dict[str, Any] = {"server_outcome": result.outcome.value}
    if result.outcome in (
        Outcome.ACCEPTED,
        Outcome.ALREADY_RECEIVED,
        Outcome.DUPLICATE_NIK,
        Outcome.KK_LIMIT,
    ):
        values["base_revision_synced"] = max(synced or 0, result.revision)
        values["duplicate_of"] = result.duplicate_of
        if current:
            values["conflict"] = False
            values["conflict_detail"] = ""
            if result.outcome in (Outcome.DUPLICATE_NIK, Outcome.KK_LIMIT):
                values["status"] = Status.POTENTIAL_DUPLICATE.value
            else:
                values["status"] = (result.status or Status.RECEIVED).value
    elif result.outcome is Outcome.INVALID:
        # the server judged differently (rules changed, or the age passed 64): show it, let
        # the clerk correct it as a new revision; never drop it silently
        values["conflict"] = True
        values["conflict_detail"] = json.dumps({"outcome": "invalid", "errors": result.errors})
    elif result.outcome is Outcome.CONFLICT:
        values["conflict"] = True
        values["conflict_detail"] = json.dumps(
            {"outcome": "conflict", "server_revision": result.server_revision}
        )
        if result.status in (Status.VERIFIED, Status.REJECTED):
            # a reviewer closed the record before this edit arrived: the decision stands and
            # the record shows it; the clerk's edit stays on the device, flagged (promise 4)
            values["status"] = result.status.value
    return values


def _group_by_keys(rows: list[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """executemany needs the same keys in every row: group rows by their key set."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return groups


def apply_change(s: Session, change: Change, slots: KeySlots | None = None) -> None:
    """Apply one pulled change. With ``slots``, an OPERATOR change of a disabled account
    removes its key slot ("a disabled account stops working on the device at its next
    sync"). No slot is ever made from the argon2id verifier the server sends: the verifier
    only checks the password at the account's first login on this device, whose slot comes
    from the password itself (services/operators.unlock; security issue 12, finding 1)."""
    if change.kind is ChangeKind.DECISION and change.registration_id:
        row = s.get(RegistrationRecord, change.registration_id)
        if row is None:
            return  # not this device's record (the server sends an office's changes)
        row.review_note = change.note or ""
        row.reject_reason = change.reason or ""
        if change.duplicate_of is not None:
            row.duplicate_of = change.duplicate_of
        if change.status is not None and (
            change.revision is None or change.revision >= row.revision
        ):
            row.status = change.status.value
        if change.decided_at:
            row.server_time = parse_datetime(change.decided_at)
    elif change.kind is ChangeKind.REVISION and change.registration_id:
        apply_revision(s, change)
    elif change.kind is ChangeKind.OPERATOR:
        data = change.data
        username = str(data.get("username") or "")
        if not username:
            return
        account = s.scalar(select(OperatorAccount).where(OperatorAccount.username == username))
        if account is None:
            account = OperatorAccount(
                username=username,
                password_hash=str(data.get("password_hash") or ""),
                created_at=datetime.now(UTC),
                source="server",
            )
            s.add(account)
        account.full_name = str(data.get("full_name") or account.full_name or "")
        if data.get("password_hash"):
            account.password_hash = str(data["password_hash"])
        account.active = bool(data.get("active", True))
        account.source = "server"
        if slots is not None:  # written before this transaction commits
            slots.sync_account(username, account.active)
    # REFERENCE and unknown kinds: nothing to apply yet; the cursor still moves past them


def apply_revision(s: Session, change: Change) -> None:
    """A newer revision of one of this device's records, made by another device of the office
    (issue 12 finding 13): the local copy takes it, and the record shows it was changed
    elsewhere. A record with an edit of its own still waiting to be sent keeps that edit and
    is marked as a conflict (the push of that edit is refused the same way); nothing local is
    ever overwritten unseen."""
    from desktop.services.registrations import _dumps, search_text_for

    row = s.get(RegistrationRecord, change.registration_id)
    applicant = change.data.get("applicant")
    if row is None or change.revision is None or not isinstance(applicant, dict):
        return
    pending = row.revision > (row.base_revision_synced or 0)
    if change.revision < row.revision or (change.revision == row.revision and pending):
        return  # an older revision, or one this device has since edited again
    if change.revision == row.revision:
        # the revision it has; its status changed at the server (e.g. the registration it was
        # flagged against left the NIK, so this one is no longer a possible duplicate)
        if change.status is not None and row.status not in (Status.VERIFIED, Status.REJECTED):
            row.status = change.status.value
            row.duplicate_of = change.duplicate_of
        return
    detail = {"server_revision": change.revision}
    if pending:
        row.conflict = True
        row.conflict_detail = json.dumps({"outcome": "conflict", **detail})
        return
    try:
        parsed = applicant_from_dict(applicant)
    except (ValueError, TypeError, KeyError):
        log.warning("revision %s of %s not applied: unreadable", change.revision, row.id)
        return
    applicant_json = _dumps(applicant)
    digest = content_hash(applicant)
    now = datetime.now(UTC)
    row.revision = row.base_revision_synced = change.revision
    row.applicant_json = applicant_json
    row.content_hash = digest
    row.nik, row.kk_number = parsed.nik, parsed.kk_number
    row.full_name, row.phone = parsed.full_name, parsed.phone
    row.search_text = search_text_for(parsed, row.code)
    if change.status is not None:
        row.status = change.status.value
    row.duplicate_of = change.duplicate_of
    row.server_outcome = Outcome.ACCEPTED.value
    row.conflict = False
    row.conflict_detail = json.dumps({"outcome": "changed_elsewhere", **detail})
    row.updated_at = now
    if change.decided_at:
        row.server_time = parse_datetime(change.decided_at)
    s.add(
        RevisionRecord(
            registration_id=row.id,
            revision=change.revision,
            applicant_json=applicant_json,
            content_hash=digest,
            operator=str(change.data.get("operator") or "")[:64],
            created_at=now,
        )
    )


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
