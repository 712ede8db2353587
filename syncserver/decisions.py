"""Review decisions: the one place a decision is written (the console reuses it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common import errors as E
from common.enums import Status
from common.errors import ApiError
from common.protocol import Change, ChangeKind
from common.wiretime import utc_text
from syncserver import claims
from syncserver.models import RegistrationRecord, ReviewDecision
from syncserver.queries import changes as changes_q
from syncserver.queries import ingest as ingest_q
from syncserver.queries import reviews as q

#: The decisions a reviewer can make, and the status each gives the record.
DECISIONS: dict[str, Status] = {
    "verified": Status.VERIFIED,
    "rejected": Status.REJECTED,
    "returned": Status.RETURNED,
}


@dataclass(frozen=True, slots=True)
class DecisionResult:
    decision_id: int
    registration_id: str
    revision: int
    status: Status
    change_seq: int


def record_decision(
    session: Session,
    registration_id: str,
    decision: str | Status,
    reviewer: str,
    reason: str = "",
    note: str = "",
    *,
    now: datetime | None = None,
    seen_revision: int | None = None,
) -> DecisionResult:
    """Decide on the revision the reviewer saw, inside the caller's transaction:
    write the decision, set the status, append to the audit log and to the office's change
    feed (so the device learns it on its next pull).

    ``decision`` is ``verified``, ``rejected`` or ``returned``. Rejecting frees the family-card
    slot the registration held, so another registration on that card can stand. Verifying
    keeps the programme's rules (:func:`_verify`): a NIK that has a verified registration
    already raises :data:`~common.errors.DECISION_NIK_VERIFIED`, a family card with two
    :data:`~common.errors.DECISION_KK_FULL`, naming the verified ones; nothing is written.

    ``seen_revision`` is the revision the decision was made on; the status is set by one
    ``UPDATE ... WHERE revision = :seen``, so a revision a device pushed in the meantime
    (another person, perhaps) is never decided unseen: :data:`~common.errors.DECISION_STALE_REVISION`
    is raised and nothing is written. The console always passes it; ``None`` (scripts and
    tests that decide what they have just read) takes the revision read here under the lock.

    A record another reviewer has claimed (itself or through its duplicate group) is refused
    with :data:`~common.errors.DECISION_CLAIMED` (:func:`syncserver.claims.check_decision`).
    """
    decision = Status(decision).value if isinstance(decision, Status) else str(decision)
    if decision not in DECISIONS:
        raise ApiError(
            E.VALUE_NOT_ALLOWED,
            {"value": decision, "field_id": "keputusan", "field_en": "decision"},
        )
    now = now or datetime.now(UTC)
    reg = q.registration_for_update(session, registration_id)
    if reg is None:
        raise ApiError(E.NOT_FOUND, details={"registration_id": registration_id})
    claims.check_decision(session, reg, reviewer, now)  # someone else's claim: refused
    status = DECISIONS[decision]
    seen = reg.revision if seen_revision is None else int(seen_revision)
    if status is Status.VERIFIED:
        changed = _verify(session, reg, seen, now)
    else:
        changed = q.set_status_if_revision(session, reg.id, seen, status.value, now)
    if not changed:
        current = q.current_revision(session, reg.id)
        raise ApiError(
            E.DECISION_STALE_REVISION,
            {"code": reg.code, "seen": seen, "current": current},
            details={"registration_id": reg.id, "seen_revision": seen, "current_revision": current},
        )
    row = ReviewDecision(
        registration_id=reg.id,
        revision=seen,
        decision=decision,
        reason=reason,
        note=note,
        reviewer=reviewer,
        decided_at=now,
    )
    q.add_decision(session, row)
    if status is Status.REJECTED:
        ingest_q.release_kk_slots(session, reg.id)
    q.append_audit(
        session,
        now=now,
        actor_kind="staff",
        actor=reviewer,
        action=f"decision.{decision}",
        target_kind="registration",
        target_id=reg.id,
        office_code=reg.office_code,
        details={"revision": seen, "reason": reason, "note": note},
    )
    change = Change(
        seq=0,
        kind=ChangeKind.DECISION,
        registration_id=reg.id,
        revision=seen,
        status=status,
        note=note,
        reason=reason,
        duplicate_of=q.code_of(session, reg.duplicate_of_id),
        decided_at=utc_text(now),
    )
    seq = changes_q.append_change(session, reg.office_code, change, now)
    return DecisionResult(int(row.id), reg.id, seen, status, seq)


#: How often a verification looks again after another process took the slot it chose.
_VERIFY_ATTEMPTS = 3


def _verify(session: Session, reg: RegistrationRecord, seen: int, now: datetime) -> bool:
    """Set ``verified`` on revision ``seen``, within the rules the database enforces
    (migration 0008: one verified registration per NIK, two per family card, as partial
    unique indexes). The rule is checked first to name the verified registrations in the
    refusal; the UPDATE runs in a savepoint, so when another process verified a registration
    of the same NIK or card between the check and the UPDATE (its commit makes ours fail on
    the index) the check runs again and refuses, or takes the slot that is still free."""
    for _attempt in range(_VERIFY_ATTEMPTS):
        nik_holder, slots = q.verified_holders(session, reg.id, reg.nik, reg.kk_number)
        if nik_holder is not None:
            raise ApiError(
                E.DECISION_NIK_VERIFIED,
                {"code": nik_holder[1]},
                details={"registration_id": reg.id, "verified_id": nik_holder[0]},
            )
        free = [slot for slot in (1, 2) if slot not in slots]
        if not free:
            raise ApiError(
                E.DECISION_KK_FULL,
                {"codes": ", ".join(code for _rid, code in sorted(slots.values()))},
                details={
                    "registration_id": reg.id,
                    "verified_ids": sorted(r for r, _c in slots.values()),
                },
            )
        try:
            with session.begin_nested():
                return q.set_verified_if_revision(session, reg.id, seen, free[0], now)
        except IntegrityError:
            if _attempt == _VERIFY_ATTEMPTS - 1:
                raise  # the card's slots kept changing under us: a 5xx, nothing written
            continue  # another process verified one of this NIK or card meanwhile: look again
    raise AssertionError("unreachable")
