"""Bad-input fixtures: one real ``loket-server`` per module, a device enrolled with it (its
credential), and a full dump of the central database to prove a refused request changed
nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import create_engine, inspect, text

from tests.faults.harness import Central, central_url
from tests.support.liveserver import LiveServer


@dataclass(frozen=True)
class Api:
    server: LiveServer
    central: Central
    device_id: str
    office_code: str
    credential: str

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential}"}


def enrolled_api(server: LiveServer) -> Api:
    central = Central(central_url(server))
    (code,) = central.enrollment_codes("320101", 1)
    r = requests.post(
        server.url + "/api/v1/devices/enroll", json={"code": code, "device_name": "uji"}, timeout=30
    )
    r.raise_for_status()
    body = r.json()
    return Api(server, central, body["device_id"], body["office_code"], body["credential"])


#: Fuzzing sends hundreds of failed enrollments from one address: lift their limit, so the
#: endpoint is explored instead of answering 429 (tests/syncserver/test_enroll_limit.py).
FUZZ_ENV = {"LOKET_ENROLL_MAX_FAILURES": "10000"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    server = LiveServer(
        tmp_path_factory.mktemp("badinput") / "server", workers=1, env=FUZZ_ENV
    ).start()
    a = enrolled_api(server)
    try:
        yield a
    finally:
        a.central.close()
        server.stop()
        print(server.log_path.read_text(errors="replace")[-4000:])


@pytest.fixture(scope="module")
def pg_api(tmp_path_factory: pytest.TempPathFactory, pg_cluster) -> Iterator[Api]:
    """The same on PostgreSQL, which refuses what SQLite stores (NUL in text, ...)."""
    database = pg_cluster.url(pg_cluster.create_database())
    server = LiveServer(
        tmp_path_factory.mktemp("badinput-pg") / "server",
        database=database,
        workers=1,
        env=FUZZ_ENV,
    )
    server.cli("migrate")
    server.start()
    a = enrolled_api(server)
    try:
        yield a
    finally:
        a.central.close()
        server.stop()
        print(server.log_path.read_text(errors="replace")[-4000:])


def dump(url: str, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), except the tables in ``skip``."""
    engine = create_engine(url)
    try:
        out: dict[str, list[tuple]] = {}
        with engine.connect() as conn:
            for table in sorted(inspect(conn).get_table_names()):
                if table in skip:
                    continue
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                out[table] = sorted((tuple(r) for r in rows), key=repr)
        return out
    finally:
        engine.dispose()


def dump_but_refusals(url: str) -> dict[str, list[tuple]]:
    """:func:`dump` without what a refused enrollment rightly writes: its count in
    ``login_throttle`` (its attempt counter) and its ``device.enroll_refused`` audit entry."""
    out = dump(url, skip=frozenset({"login_throttle"}))
    out["audit_log"] = [r for r in out["audit_log"] if "device.enroll_refused" not in r]
    return out
