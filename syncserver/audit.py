"""The audit log's hash chain: every entry carries the hash of the one before it.

``hash = SHA-256(prev_hash || canonical JSON of the entry's fields)``, the first entry's
``prev_hash`` being 64 zeros. Changing, deleting or inserting an entry anywhere breaks every
later link, which :func:`verify_chain` (``loket-server verify-audit``) finds. Appends are
serialised on PostgreSQL with a transaction-scoped advisory lock (two concurrent appends would
otherwise both link to the same predecessor and fork the chain); SQLite serialises writers
already. Anchoring the newest hash outside the database (printing it into a signed report, a
second system) protects against rewriting the whole chain; see docs/SECURITY.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from common.wiretime import fixed_utc_text
from syncserver.models import AuditEntry
from syncserver.queries._dialect import dialect

GENESIS = "0" * 64
_LOCK = (0x4C4B, 0x41554454)  # ("LK", "AUDT")


_ts = fixed_utc_text


def entry_hash(prev_hash: str, e: AuditEntry) -> str:
    body = {
        "at": _ts(e.at),
        "actor_kind": e.actor_kind,
        "actor": e.actor,
        "action": e.action,
        "target_kind": e.target_kind or "",
        "target_id": e.target_id or "",
        "office_code": e.office_code,
        "details": e.details or {},
    }
    canonical = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def link(session: Session, entry: AuditEntry) -> None:
    """Set ``entry.prev_hash`` and ``entry.hash`` from the newest entry (call before adding)."""
    if dialect(session) == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": _LOCK[0], "b": _LOCK[1]}
        )
    prev = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    entry.prev_hash = prev or GENESIS
    entry.hash = entry_hash(entry.prev_hash, entry)


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    ok: bool
    first_bad_id: int | None = None
    reason: str = ""
    head: str = GENESIS


def _walk(session: Session, page: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(page)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    """Recompute every link in id order; the first entry that does not match is reported."""
    prev = GENESIS
    count = 0
    for e in _walk(session):
        count += 1
        if e.prev_hash != prev:
            return ChainReport(count, False, e.id, "prev_hash does not name the entry before", prev)
        expected = entry_hash(prev, e)
        if e.hash != expected:
            return ChainReport(count, False, e.id, "entry changed after it was written", prev)
        prev = e.hash
    return ChainReport(count, True, head=prev)


def summary(report: ChainReport) -> dict[str, Any]:
    return {
        "entries": report.entries,
        "ok": report.ok,
        "first_bad_id": report.first_bad_id,
        "reason": report.reason,
        "head": report.head,
    }
