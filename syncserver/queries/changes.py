"""SQL for the change feed devices pull.

Gap-free order on PostgreSQL: the feed is read as "rows of my office with seq > cursor". If
two transactions of one office drew seq 10 and 11 and the one holding 11 committed first, a
device pulling in between would see 11, store cursor 11, and never see 10. So every writer
takes ``pg_advisory_xact_lock`` on the office before it draws a sequence value, and holds it
until it commits: within one office, sequence values commit in order. Offices do not wait on
each other. On SQLite all writes are serialised by the database lock already.
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from common import protocol as P
from syncserver.models import ChangeRecord, RegistrationRecord, RevisionRecord
from syncserver.queries._dialect import dialect

CHANGES = cast(Table, ChangeRecord.__table__)

_LOCK_NAMESPACE = 0x4C4B  # "LK": keeps our advisory locks apart from anyone else's


def lock_office_feed(session: Session, office_code: str) -> None:
    if dialect(session) == "postgresql":
        key = zlib.crc32(office_code.encode()) & 0x7FFFFFFF
        session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": _LOCK_NAMESPACE, "key": key}
        )


#: The fields of a change the feed stores: all but ``seq``, the row's own key (drawn on insert).
_PAYLOAD_FIELDS = tuple(f.name for f in dataclasses.fields(P.Change) if f.name != "seq")


def payload(change: P.Change) -> dict[str, Any]:
    """What the feed stores of ``change``: the message without its ``seq`` (the pull puts the
    row's back). Enums stay enums: the JSON column serialises them as their values."""
    return {name: getattr(change, name) for name in _PAYLOAD_FIELDS}


def append_change(session: Session, office_code: str, change: P.Change, now: datetime) -> int:
    """Append ``change`` to the office's feed (its ``seq`` is ignored); the seq it got."""
    lock_office_feed(session, office_code)
    row = ChangeRecord(
        office_code=office_code,
        kind=change.kind.value,
        registration_id=change.registration_id,
        payload=payload(change),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return int(row.seq)


def operator_username(payload: Any) -> str | None:
    """The account an ``operator`` change row is about (its payload is a Change as JSON)."""
    if isinstance(payload, str):
        payload = json.loads(payload)
    data = payload.get("data") if isinstance(payload, dict) else None
    name = data.get("username") if isinstance(data, dict) else None
    return str(name) if name else None


def delete_earlier_operator_changes(
    session: Session, office_code: str, username: str, keep_seq: int
) -> int:
    """Delete the office's ``operator`` rows about ``username`` before ``keep_seq`` (the row
    just appended): the feed keeps an account's latest state only, never an old verifier.
    Called under the office's feed lock (``append_change`` took it). A device whose cursor
    is behind the deleted rows simply sees the latest one. Returns the number deleted."""
    rows = session.execute(
        select(ChangeRecord.seq, ChangeRecord.payload).where(
            ChangeRecord.office_code == office_code,
            ChangeRecord.kind == "operator",
            ChangeRecord.seq < keep_seq,
        )
    ).all()
    stale = [seq for seq, payload in rows if operator_username(payload) == username]
    if stale:
        session.execute(delete(ChangeRecord).where(ChangeRecord.seq.in_(stale)))
    return len(stale)


def append_changes(
    session: Session, office_code: str, changes: Sequence[P.Change], now: datetime
) -> None:
    """Append changes of one office in one statement (ingest: a batch's new revisions); the
    office's feed lock is taken once, as in :func:`append_change`."""
    if not changes:
        return
    lock_office_feed(session, office_code)
    session.execute(
        insert(CHANGES),
        [
            {
                "office_code": office_code,
                "kind": c.kind.value,
                "registration_id": c.registration_id,
                "payload": payload(c),
                "created_at": now,
            }
            for c in changes
        ],
    )


def touched_by(session: Session, device_id: str, registration_ids: set[str]) -> set[str]:
    """The registrations among ``registration_ids`` the device has pushed a revision of: a
    revision change goes only to the devices that hold the record (least access)."""
    if not registration_ids:
        return set()
    return set(
        session.scalars(
            select(RevisionRecord.registration_id)
            .where(
                RevisionRecord.device_id == device_id,
                RevisionRecord.registration_id.in_(sorted(registration_ids)),
            )
            .distinct()
        )
    )


def revision_contents(
    session: Session, keys: set[tuple[str, int]]
) -> dict[tuple[str, int], dict[str, Any]]:
    """(registration id, revision) -> ``{applicant, content_hash, operator}`` of those
    revisions: what a pulled revision change carries."""
    if not keys:
        return {}
    rev, reg = RevisionRecord, RegistrationRecord
    rows = session.execute(
        select(
            rev.registration_id,
            rev.revision,
            revision_applicant(),
            rev.content_hash,
            rev.operator,
        )
        .join(reg, reg.id == rev.registration_id)
        .where(rev.registration_id.in_(sorted({k[0] for k in keys})))
    )
    return {
        (r[0], r[1]): {"applicant": r[2], "content_hash": r[3], "operator": r[4]}
        for r in rows
        if (r[0], r[1]) in keys
    }


def revision_applicant() -> Any:
    """A revision's applicant in a query that joins its registration: the revision's own
    copy, or (NULL: the current revision, migration 0013) the registration's."""
    return func.coalesce(RevisionRecord.applicant, RegistrationRecord.applicant).label("applicant")


def codes_of_office(session: Session, codes: set[str], office_code: str) -> set[str]:
    """The registration codes among ``codes`` that only the office's registrations carry: a
    pulled change never names another office's registration (issue 12 finding 4)."""
    if not codes:
        return set()
    return set(
        session.scalars(
            select(RegistrationRecord.code)
            .where(RegistrationRecord.code.in_(sorted(codes)))
            .group_by(RegistrationRecord.code)
            .having(
                func.min(RegistrationRecord.office_code) == office_code,
                func.max(RegistrationRecord.office_code) == office_code,
            )
        )
    )


def changes_since(
    session: Session, office_code: str, after_seq: int, limit: int
) -> list[ChangeRecord]:
    """Up to ``limit`` + 1 changes of the office after ``after_seq``, ascending."""
    return list(
        session.scalars(
            select(ChangeRecord)
            .where(ChangeRecord.office_code == office_code, ChangeRecord.seq > after_seq)
            .order_by(ChangeRecord.seq)
            .limit(limit + 1)
        )
    )


def max_seq(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(ChangeRecord.seq), 0))).scalar_one())
