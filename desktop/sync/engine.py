"""The sync engine: push the outbox in adaptive, compressed batches, apply each per-record
outcome, then pull the office's changes since the cursor and apply them.

Guarantees (docs/ARCHITECTURE.md, promises 1, 2, 4, 5):

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
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from common import errors as E
from common.enums import DECIDED_STATUSES, Status
from common.errors import ApiError, Kind
from common.protocol import (
    MAX_BATCH_RECORDS,
    MAX_INT4,
    Backlog,
    Change,
    ChangeKind,
    Outcome,
    PushRecord,
    PushRequest,
    PushResponse,
    RecordResult,
)
from common.record import content_hash, parse_datetime
from common.validation import applicant_from_dict
from common.wiretime import utc_text
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.keys import KeySlots
from desktop.store.models import json_text
from desktop.store.queries import operators as operator_rows
from desktop.store.queries import outbox
from desktop.store.queries import registrations as Q
from desktop.store.queries import sync as runs
from desktop.sync import bundle_keys
from desktop.sync.client import SyncClient

log = logging.getLogger(__name__)

#: Outcomes by which the server has the revision (the sync history counts them as accepted).
ACKNOWLEDGED = frozenset(
    {Outcome.ACCEPTED, Outcome.ALREADY_RECEIVED, Outcome.DUPLICATE_NIK, Outcome.KK_LIMIT}
)


class SyncOutcome(StrEnum):
    OK = "ok"  # everything in the outbox answered, changes pulled
    PARTIAL = "partial"  # some records sent, some still waiting or needing attention
    UNREACHABLE = "unreachable"  # the server could not be reached (try again later)
    REFUSED = "refused"  # the server refused this device (revoked, bad credential, TLS)
    CANCELLED = "cancelled"


@dataclass(slots=True)
class SyncProgress:
    """Structured progress; the view formats and throttles it."""

    stage: str  # "push" | "retry" | "pull"
    records_total: int = 0
    records_sent: int = 0
    bytes_sent: int = 0
    changes_applied: int = 0
    #: records of the batch on its way (sent, its answer not in yet); 0 between batches
    sending: int = 0
    #: stage "retry": when the batch goes again, and why it did not get through
    retry_at: datetime | None = None
    error_code: str = ""


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
    """Batch size that follows the link. Each answer says how fast the link and the server
    carried records (seconds per record, after the round trip that any request costs); the
    next batch is what that pace carries in ``target_s``, at most ``growth`` times the last
    one, so one lucky answer does not make a batch too big to finish. A failure halves it.
    The first batch is small: on a link that comes and goes it finishes inside a short
    window of signal, and it measures the link for the next one. (It used to grow only when
    an answer took under 2 s, so on a slow link it only ever shrank: 67 requests for 1,000
    records on a 16 kbit/s link.)"""

    def __init__(
        self,
        initial: int = 50,
        minimum: int = 10,
        maximum: int = 500,
        target_s: float = 20.0,
        growth: int = 4,
    ):
        self.minimum = minimum
        self.maximum = min(maximum, MAX_BATCH_RECORDS)
        self.size = max(self.minimum, min(initial, self.maximum))
        self.target_s = target_s
        self.growth = growth

    def success(self, seconds: float, records: int | None = None, overhead_s: float = 0.0) -> None:
        """A batch of ``records`` (default: the current size) was answered in ``seconds``,
        of which ``overhead_s`` (the link's round trip) any request costs."""
        records = self.size if records is None else records
        if records <= 0:
            return
        per_record = max(seconds - overhead_s, seconds / 4, 1e-6) / records
        ideal = int((self.target_s - min(overhead_s, self.target_s / 2)) / per_record)
        ceiling = max(self.size, records) * self.growth
        self.size = max(self.minimum, min(self.maximum, ideal, ceiling))

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
        after_pull: Callable[[], None] | None = None,
    ) -> None:
        """``after_pull`` runs once the last page of a pull is applied, before the run
        ends (the app and ``loket-desk sync`` pass the retention purge:
        services/retention.purge_after_sync)."""
        self.store = store
        self.client = client
        self.sizer = sizer or BatchSizer()
        self.retries = retries
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.after_pull = after_pull
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
            if E.kind(exc.code) is Kind.REFUSED:
                report.outcome = SyncOutcome.REFUSED
            elif E.kind(exc.code) is Kind.TRANSIENT:
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
        with self.store.read() as s:
            return outbox.pending_count(s)

    def backlog(self) -> Backlog:
        """What waits in the outbox, for the server's backlog per office (sent with every
        push and pull): registrations with a revision unsent, and the oldest one's age."""
        with self.store.read() as s:
            waiting = outbox.waiting(s)
        age = 0
        oldest = waiting.oldest
        if waiting.registrations and oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
            age = int((datetime.now(UTC) - oldest).total_seconds())
        return Backlog(unsent=waiting.registrations, oldest_age_s=max(0, min(age, MAX_INT4)))

    # --- push ----------------------------------------------------------------------------
    def _next_batch(self, limit: int) -> list[PushRecord]:
        """The oldest outbox entries, at most one revision per registration."""
        with self.store.read() as s:
            rows = outbox.outgoing(s, limit)
        return [push_record(row) for row in rows]

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
            if progress:
                progress(
                    SyncProgress(
                        "push", total, report.sent, report.bytes_sent, sending=len(records)
                    )
                )
            response = self._send_with_retries(request, cancel, progress, report, total)
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

    def _send_with_retries(
        self,
        request: PushRequest,
        cancel: threading.Event | None,
        progress: ProgressFn | None = None,
        report: SyncReport | None = None,
        total: int = 0,
    ) -> PushResponse:
        attempt = 0
        while True:
            try:
                response = self.client.push(request)
                assert self.client.last is not None
                rtt = self.client.link.rtt_s or 0.0
                self.sizer.success(self.client.last.seconds, len(request.records), rtt)
                return response
            except ApiError as exc:
                if E.kind(exc.code) is not Kind.TRANSIENT or attempt >= self.retries:
                    self._note_failure(request, exc.code)
                    raise
                attempt += 1
                self.sizer.failure()
                # the same batch id again: if the server committed it, it answers the same way
                delay = self.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random())
                log.info("push failed (%s), retry %d in %.1fs", exc.code, attempt, delay)
                if progress and report is not None:  # the clerk sees that and when
                    progress(
                        SyncProgress(
                            "retry",
                            total,
                            report.sent,
                            report.bytes_sent,
                            sending=len(request.records),
                            retry_at=datetime.now(UTC) + timedelta(seconds=delay),
                            error_code=exc.code,
                        )
                    )
                if cancel is not None and cancel.wait(delay):
                    raise
                if cancel is None:
                    self.sleep(delay)

    def _note_failure(self, request: PushRequest, code: str) -> None:
        with self.store.write() as s:
            outbox.note_failure(s, [(r.id, r.revision) for r in request.records], code)

    def _apply_results(self, results: list[RecordResult]) -> None:
        """Apply a batch's answers in one transaction (:func:`apply_results`)."""
        if not results:
            return
        with self.store.write() as s:
            apply_results(s, results)

    # --- pull ----------------------------------------------------------------------------
    def _register_bundle_key(self) -> None:
        """A device enrolled before bundles (or whose server lost its key) registers its
        public bundle keys once, before its pull (issue 16)."""
        with self.store.read() as s:
            registered = S.BUNDLE_KEY_REGISTERED.get(s)
        if registered:
            return
        with self.store.write() as s:
            pair = bundle_keys.device_keys(s)
        answer = self.client.register_key(bundle_keys.as_message(pair.public()))
        with self.store.write() as s:
            if bundle_keys.stored_device_keys(s) == pair and answer.key_id == pair.public().key_id:
                S.BUNDLE_KEY_REGISTERED.set(s, True)
            bundle_keys.save_server_keys(s, answer.bundle_keys)

    def _pull_all(
        self, report: SyncReport, progress: ProgressFn | None, cancel: threading.Event | None
    ) -> None:
        self._register_bundle_key()
        first = True
        while True:
            if cancel is not None and cancel.is_set():
                report.outcome = SyncOutcome.CANCELLED
                return
            with self.store.read() as s:
                cursor = S.SYNC_CURSOR.get(s)
            # the server's bundle keys with the first page (a rotation reaches the device)
            page = self.client.pull(cursor, backlog=self.backlog(), bundle_keys=first)
            first = False
            assert self.client.last is not None
            report.bytes_received += self.client.last.bytes_received
            # a disabled operator account loses its key slot (store/keys.py)
            slots = KeySlots(self.store.data_dir)
            with self.store.write() as s:  # changes and cursor in one transaction
                for change in page.changes:
                    apply_change(s, change, slots)
                S.SYNC_CURSOR.set(s, page.cursor)
                S.LAST_SYNC_SUCCESS.set(s, _iso(datetime.now(UTC)))
                S.SERVER_PUSH_COLUMNS.set(s, self.client.push_columns)  # for the next sync
                if page.bundle_keys:
                    bundle_keys.save_server_keys(s, page.bundle_keys)
                if page.client_versions is not None:  # desktop/sync/versions.py
                    S.CLIENT_MIN_VERSION.set(s, page.client_versions.minimum)
                    S.CLIENT_CURRENT_VERSION.set(s, page.client_versions.current)
            report.changes_applied += len(page.changes)
            if progress:
                progress(
                    SyncProgress(
                        "pull", report.sent, report.sent, report.bytes_sent, report.changes_applied
                    )
                )
            if not page.more:
                if self.after_pull is not None:
                    self.after_pull()
                return

    # --- bookkeeping ---------------------------------------------------------------------
    def _identity(self) -> tuple[str, str]:
        with self.store.read() as s:
            enrolled, device_id, office = (
                S.ENROLLED.get(s),
                S.DEVICE_ID.get(s),
                S.OFFICE_CODE.get(s),
            )
        if not enrolled:
            raise ApiError(E.NOT_ENROLLED)
        return str(device_id), office

    def _start_run(self) -> int:
        with self.store.write() as s:
            return runs.start_run(s, datetime.now(UTC))

    def _finish_run(self, run_id: int, report: SyncReport) -> None:
        try:
            with self.store.write() as s:
                runs.finish_run(
                    s,
                    run_id,
                    datetime.now(UTC),
                    outcome=report.outcome.value,
                    sent=report.sent,
                    accepted=sum(report.outcomes[o.value] for o in ACKNOWLEDGED),
                    failed=report.needs_attention,
                    bytes_sent=report.bytes_sent,
                    error_code=report.error_code,
                )
        except Exception:  # the history must never turn a finished sync into a failure
            log.exception("could not record the sync run")


def push_record(row: outbox.Outgoing) -> PushRecord:
    """The push record of one outbox entry (the network path and records bundles alike)."""
    return PushRecord(
        id=row.registration_id,
        code=row.code,
        revision=row.revision,
        base_revision=row.revision - 1,
        content_hash=row.content_hash,
        applicant=row.applicant,
        operator=row.operator,
        channel=row.channel,
        device_time=_iso(row.created_at),
    )


def apply_results(s: Session, results: list[RecordResult]) -> None:
    """Apply the server's answers (a push response's, or an acknowledgement bundle's) in the
    caller's transaction, set-based: one read of the affected rows, one executemany UPDATE by
    primary key, one executemany DELETE of the answered outbox rows."""
    if not results:
        return
    now = datetime.now(UTC)
    current = Q.sync_states(s, [r.id for r in results])
    updates = []
    for result in results:
        row = current.get(result.id)
        if row is None:
            continue
        values = outcome_values(row.revision, row.base_revision_synced, result)
        values["id"] = result.id
        values["server_time"] = row.server_time or now
        updates.append(values)
    Q.update_many(s, updates)
    outbox.remove_answered(s, [(r.id, r.revision) for r in results if r.id in current])


def outcome_values(local_revision: int, synced: int | None, result: RecordResult) -> dict[str, Any]:
    """The local columns to set from the server's answer for one revision of a record."""
    current = local_revision == result.revision  # not edited again since this revision left
    values: dict[str, Any] = {"server_outcome": result.outcome.value}
    if result.outcome in ACKNOWLEDGED:
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
        if result.status in DECIDED_STATUSES:
            # a reviewer closed the record before this edit arrived: the decision stands and
            # the record shows it; the clerk's edit stays on the device, flagged
            # (docs/ARCHITECTURE.md, promise 4)
            values["status"] = result.status.value
    return values


def apply_change(s: Session, change: Change, slots: KeySlots | None = None) -> None:
    """Apply one pulled change. With ``slots``, an OPERATOR change of a disabled account
    removes its key slot ("a disabled account stops working on the device at its next
    sync"). No slot is ever made from the argon2id verifier the server sends: the verifier
    only checks the password at the account's first login on this device, whose slot comes
    from the password itself (services/operators.unlock; security issue 12, finding 1)."""
    if change.kind is ChangeKind.DECISION and change.registration_id:
        row = Q.get(s, change.registration_id)
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
        account = operator_rows.by_username(s, username)
        if account is None:
            account = operator_rows.add(
                s,
                username,
                str(data.get("password_hash") or ""),
                datetime.now(UTC),
                source="server",
            )
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
    if change.registration_id is None:
        return
    row = Q.get(s, change.registration_id)
    applicant = change.data.get("applicant")
    if row is None or change.revision is None or not isinstance(applicant, dict):
        return
    pending = row.revision > (row.base_revision_synced or 0)
    if change.revision < row.revision or (change.revision == row.revision and pending):
        return  # an older revision, or one this device has since edited again
    if change.revision == row.revision:
        # the revision it has; its status changed at the server (e.g. the registration it was
        # flagged against left the NIK, so this one is no longer a possible duplicate)
        if change.status is not None and row.status not in DECIDED_STATUSES:
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
    applicant_json = json_text(applicant)
    digest = content_hash(applicant)
    now = datetime.now(UTC)
    row.revision = row.base_revision_synced = change.revision
    Q.set_applicant(row, parsed, applicant_json, digest)
    if change.status is not None:
        row.status = change.status.value
    row.duplicate_of = change.duplicate_of
    row.server_outcome = Outcome.ACCEPTED.value
    row.conflict = False
    row.conflict_detail = json.dumps({"outcome": "changed_elsewhere", **detail})
    row.updated_at = now
    if change.decided_at:
        row.server_time = parse_datetime(change.decided_at)
    operator = str(change.data.get("operator") or "")[:64]
    Q.add_revision(s, row.id, change.revision, applicant_json, digest, operator, now)


_iso = utc_text
