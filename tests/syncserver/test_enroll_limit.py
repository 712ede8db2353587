"""Failed device enrollments are limited per client address, counted in the database (so two
server processes share the count, and concurrent attempts cannot slip past it), logged and
audited without the code that was sent; successes do not count."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from common import errors as E
from syncserver import db
from syncserver.app import create_app
from syncserver.enrollment import issue_code
from syncserver.queries import devices as devices_q
from tests.syncserver.conftest import Clock

MOST = 3
URL = "/api/v1/devices/enroll"


@pytest.fixture
def apps(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[tuple[Flask, Flask]]:
    """Two apps on one database: two server processes."""
    config = {
        "database": db_url,
        "data_dir": str(tmp_path),
        "clock": clock,
        "enroll_max_failures": MOST,
        "enroll_window_minutes": 15,
    }
    one, two = create_app(config), create_app(config)
    db.migrate(one.extensions["loket"].engine)
    with db.transaction(one.extensions["loket"].sessions) as s:
        devices_q.add_office(s, "320101", "32.01", "Disnaker Kab. Bogor", clock())
    yield one, two
    for a in (one, two):
        a.extensions["loket"].engine.dispose()


def _code(app: Flask, clock: Clock) -> str:
    with db.transaction(app.extensions["loket"].sessions) as s:
        return issue_code(s, "320101", clock(), timedelta(days=1))


def _post(app: Flask, code: str, address: str) -> tuple[int, str]:
    r = app.test_client().post(URL, json={"code": code}, environ_base={"REMOTE_ADDR": address})
    return r.status_code, str(json.loads(r.data).get("code", ""))


def _audit(app: Flask) -> list[tuple[str, str, str]]:
    with app.extensions["loket"].engine.connect() as conn:
        rows = conn.execute(
            text("SELECT action, target_id, details FROM audit_log WHERE action LIKE 'device.%'")
        ).all()
    return [(r[0], r[1], json.dumps(r[2]) if not isinstance(r[2], str) else r[2]) for r in rows]


def test_failed_enrollments_are_limited_per_address_across_processes(
    apps: tuple[Flask, Flask], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    one, two = apps
    guesses = [f"GUES-SXXX-XXXX-XX{i:02d}" for i in range(MOST)]
    caplog.set_level(logging.INFO, "syncserver")
    for i, guess in enumerate(guesses):  # alternating processes: one count
        assert _post((one, two)[i % 2], guess, "192.0.2.7") == (400, E.ENROLL_CODE_INVALID)
    good = _code(one, clock)
    assert _post(two, good, "192.0.2.7") == (429, E.RATE_LIMITED)  # even a good code now
    assert _post(one, "ANY", "192.0.2.7") == (429, E.RATE_LIMITED)
    assert _post(one, good, "192.0.2.8")[0] == 200  # another address is not limited
    log = "\n".join(r.getMessage() for r in caplog.records)
    assert log.count("enrollment from 192.0.2.7 refused: ENROLL_CODE_INVALID") == MOST
    warned = [r for r in caplog.records if "more than 3 failed attempts" in r.getMessage()]
    assert [r.levelno for r in warned] == [logging.WARNING]  # once, not per refused attempt
    audit = _audit(one)
    refused = [a for a in audit if a[0] == "device.enroll_refused"]
    assert len(refused) == MOST and all(a[1] == "192.0.2.7" for a in refused)
    for guess in guesses:  # no code value reaches a log or the audit log
        assert guess not in log and guess not in json.dumps(audit)
    clock.offset += timedelta(minutes=16)  # the next window
    assert _post(two, _code(one, clock), "192.0.2.7")[0] == 200


def test_successful_enrollments_do_not_count(apps: tuple[Flask, Flask], clock: Clock) -> None:
    one, two = apps
    for i in range(2 * MOST):  # a whole office enrolling its PCs behind one address
        assert _post((one, two)[i % 2], _code(one, clock), "192.0.2.9")[0] == 200
    for _ in range(MOST):
        assert _post(one, "WRONG", "192.0.2.9") == (400, E.ENROLL_CODE_INVALID)
    assert _post(one, "WRONG", "192.0.2.9") == (429, E.RATE_LIMITED)


def test_concurrent_failed_enrollments_cannot_pass_the_limit(apps: tuple[Flask, Flask]) -> None:
    one, two = apps
    results: list[tuple[int, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def attempt(i: int) -> None:
        start.wait()
        got = _post((one, two)[i % 2], f"WRONG-{i}", "192.0.2.10")
        with lock:
            results.append(got)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == sorted(
        [(400, E.ENROLL_CODE_INVALID)] * MOST + [(429, E.RATE_LIMITED)] * (12 - MOST)
    )
