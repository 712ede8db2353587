"""No NIK, name or phone reaches the server's log (issue 12, finding 8), even from the worst
database error: one raised while the batch's registrations are inserted, whose statement
carries every record's values and whose PostgreSQL message quotes the failing row
(``DETAIL: Failing row contains (...)``). Checked in the app's log records (caplog) and in
the stderr of a real server process, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from common import errors as E
from common import protocol as P
from common import wire
from common.record import content_hash, new_registration_id
from common.regcode import make_code
from tests.faults.harness import central_url
from tests.support.liveserver import LiveServer
from tests.syncserver.conftest import Api

_SQLITE_BOOM = (
    "CREATE TRIGGER boom BEFORE INSERT ON registrations BEGIN SELECT RAISE(ABORT, 'boom'); END"
)
#: NOT VALID: only new rows are checked; the message quotes the whole failing row
_PG_BOOM = "ALTER TABLE registrations ADD CONSTRAINT boom CHECK (nik = 'x') NOT VALID"


def _break_inserts(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(_SQLITE_BOOM if engine.dialect.name == "sqlite" else _PG_BOOM))
    finally:
        engine.dispose()


def _secrets(people: list[dict]) -> list[str]:
    return [v for a in people for v in (a["nik"], a["kk_number"], a["full_name"], a["phone"])]


def _assert_clean(log: str, people: list[dict]) -> None:
    found = [s for s in _secrets(people) if s in log]
    assert not found, f"personal data in the log: {found[:3]}"


def test_a_database_error_logs_no_personal_data(
    api: Api, people: list[dict], caplog: pytest.LogCaptureFixture
) -> None:
    dev = api.enroll()
    _break_inserts(str(api.ext.engine.url.render_as_string(hide_password=False)))
    batch = people[:5]
    with caplog.at_level(logging.DEBUG):
        got = api.push(dev, [api.record(a, dev) for a in batch])
    assert got.status == 500 and got.body["code"] == E.INTERNAL_ERROR
    assert "unhandled error" in caplog.text  # the error is logged, only without the data
    _assert_clean(caplog.text, batch)
    _assert_clean(str(got.body), batch)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_real_server_logs_no_personal_data(
    tmp_path: Path, people: list[dict], backend: str, request: pytest.FixtureRequest
) -> None:
    database = str(request.getfixturevalue("pg_database")) if backend == "postgres" else None
    server = LiveServer(tmp_path / "server", database=database, workers=1)
    if database:
        server.cli("migrate")
    server.start()
    try:
        code = server.office_and_code()
        r = requests.post(server.url + "/api/v1/devices/enroll", json={"code": code}, timeout=30)
        r.raise_for_status()
        dev = r.json()
        _break_inserts(central_url(server))
        batch = people[10:15]
        records = [
            wire.loads(
                wire.dumps(
                    P.PushRecord(
                        new_registration_id(),
                        make_code(dev["office_code"], dev["device_no"], i + 1),
                        1,
                        0,
                        content_hash(a),
                        a,
                        "petugas",
                        "counter",
                        "2026-01-05T09:00:00Z",
                    )
                )
            )
            for i, a in enumerate(batch)
        ]
        body = {
            "device_id": dev["device_id"],
            "office_code": dev["office_code"],
            "batch_id": str(uuid.uuid4()),
            "records": records,
        }
        r = requests.post(
            server.url + "/api/v1/sync/push",
            data=wire.compress(wire.dumps(body)),
            headers={
                "Authorization": f"Bearer {dev['credential']}",
                "Content-Encoding": "zstd",
                "Content-Type": "application/json",
            },
            timeout=60,
        )
        assert r.status_code == 500
        _assert_clean(r.text, batch)
    finally:
        server.stop()
    log = server.log_path.read_text(errors="replace")
    assert "unhandled error" in log
    _assert_clean(log, batch)
