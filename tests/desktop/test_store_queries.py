"""The desktop's data-access layer (issue 15): reads never take the write lock, one pending
count everywhere, one definition of the search text for Python and SQL, typed settings, and
no SQL built outside desktop/store."""

from __future__ import annotations

import ast
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select

from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.models import RegistrationRecord
from desktop.store.queries import outbox
from desktop.store.queries.search import code_token, code_token_sql
from desktop.sync.engine import SyncEngine

ROOT = Path(__file__).resolve().parents[2]


def _holding_the_write_lock(store: Store, body: Callable[[], Any]) -> Any:
    """Run ``body`` while another connection holds a write transaction (BEGIN IMMEDIATE with
    a write done and not committed)."""
    with store.write() as w:
        S.SYNC_CURSOR.set(w, "held")  # the write lock is taken now, until the commit
        started = time.perf_counter()
        result = body()
        assert time.perf_counter() - started < 2.0  # never waited for the busy timeout
        w.rollback()
    return result


def test_a_read_succeeds_while_another_connection_holds_a_write(store: Store) -> None:
    def read() -> str:
        with store.read() as s:
            return S.SYNC_CURSOR.get(s)

    assert _holding_the_write_lock(store, read) == ""  # the last commit, not the pending write


def test_a_write_waits_for_the_one_holding_the_lock(store: Store) -> None:
    done = threading.Event()

    def write() -> None:
        with store.write() as s:
            S.SYNC_CURSOR.set(s, "second")
        done.set()

    with store.write() as w:
        S.SYNC_CURSOR.set(w, "first")
        other = threading.Thread(target=write)
        other.start()
        assert not done.wait(0.3)  # blocked behind this transaction
    other.join(10)
    assert done.is_set() and store.get(S.SYNC_CURSOR) == "second"


def test_the_sync_reads_do_not_take_the_write_lock(
    store: Store, service: RegistrationService, applicant: Callable[[], dict[str, Any]]
) -> None:
    from desktop.sync.controller import read_history, read_snapshot

    assert service.save(applicant()).ok
    engine = SyncEngine(store, client=cast(Any, None))  # the reads need no client
    snap = _holding_the_write_lock(store, lambda: read_snapshot(store))
    assert snap.pending == 1 and snap.enrolled
    assert _holding_the_write_lock(store, engine.pending_count) == 1
    assert _holding_the_write_lock(store, engine.backlog).unsent == 1
    assert _holding_the_write_lock(store, lambda: read_history(store)) == []
    assert _holding_the_write_lock(store, service.pending_count) == 1


def test_one_pending_count_everywhere(
    store: Store, service: RegistrationService, applicant: Callable[[], dict[str, Any]]
) -> None:
    from desktop.sync.controller import read_snapshot

    first = service.save(applicant()).registration
    assert first is not None
    service.save(applicant())
    edited = dict(applicant(), nik=first.applicant.nik)
    service.save(edited, registration_id=first.id)  # a second revision of one record
    with store.read() as s:
        expected = outbox.pending_count(s)
    assert expected == 2
    engine = SyncEngine(store, client=cast(Any, None))
    assert service.pending_count() == engine.pending_count() == read_snapshot(store).pending
    assert engine.backlog().unsent == expected
    # and the query is written once: nothing else counts the outbox's registrations
    copies = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "desktop").rglob("*.py")
        if "func.distinct(OutboxEntry" in path.read_text(encoding="utf-8")
    ]
    assert copies == ["desktop/store/queries/outbox.py"]


def test_the_code_token_is_the_same_in_python_and_in_sql(
    store: Store, service: RegistrationService, applicant: Callable[[], dict[str, Any]]
) -> None:
    saved = service.save(applicant()).registration
    assert saved is not None
    with store.read() as s:
        in_sql = s.scalar(
            select(code_token_sql(RegistrationRecord.code)).where(RegistrationRecord.id == saved.id)
        )
        index_text = s.scalar(
            select(RegistrationRecord.search_text).where(RegistrationRecord.id == saved.id)
        )
    assert in_sql == code_token(saved.code)
    assert code_token(saved.code) in str(index_text).split()


def test_settings_are_typed_with_defaults(store: Store) -> None:
    assert store.get(S.RETENTION_DAYS) == 90
    store.put(S.RETENTION_DAYS, 30)
    assert store.get(S.RETENTION_DAYS) == 30
    store.set_setting("retention_days", "soon")  # a hand edit, or an older version
    assert store.get(S.RETENTION_DAYS) == 90
    store.set_setting("idle_lock_minutes", 0)
    assert store.get(S.IDLE_LOCK_MINUTES) == 10.0
    assert store.get(S.REJECTED_SEEN) == []
    names = [v.name for v in vars(S).values() if isinstance(v, S.Key)]
    assert len(names) == len(set(names))  # each key declared once


def test_the_operators_table_has_no_lock_out_columns(store: Store) -> None:
    with store.read() as s:
        columns = {row[1] for row in s.connection().exec_driver_sql("PRAGMA table_info(operators)")}
    assert "failed_attempts" not in columns and "locked_until" not in columns
    assert {"username", "password_hash", "active", "source"} <= columns


SQL_BUILDERS = {"select", "update", "delete", "insert", "text", "func", "exists", "bindparam"}


def test_no_sql_is_built_outside_the_store() -> None:
    """Services, the sync engine and the views call desktop/store/queries."""
    offenders = []
    for path in (ROOT / "desktop").rglob("*.py"):
        if path.is_relative_to(ROOT / "desktop" / "store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
                used = {a.name for a in node.names} & SQL_BUILDERS
                offenders += [f"{path.relative_to(ROOT)}: {name}" for name in sorted(used)]
    assert offenders == []
