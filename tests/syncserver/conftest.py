"""Sync server fixtures: an app on a fresh database of each backend, a test client, and a
small ``api`` helper that speaks the protocol (offices, enrollment, push, pull, decisions).

``backend`` is parametrized over SQLite and PostgreSQL (``pg_database`` from tests/conftest.py:
a real PostgreSQL; under CI=true a missing PostgreSQL fails instead of skipping).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from common import protocol as P
from common import wire
from common.bundle import KeyPair
from common.record import content_hash, new_registration_id
from common.regcode import make_code
from common.synthetic import generate
from syncserver import db
from syncserver.app import create_app
from syncserver.decisions import record_decision
from syncserver.enrollment import issue_code
from syncserver.queries import devices as devices_q
from tests.support.bundles import BundleDevice, device_key
from tests.support.integrity import integrity_problems


class Clock:
    """The server's clock seam: real time unless a test moves it."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'loket-server.db'}"
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(db_url: str, tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    application = create_app({"database": db_url, "data_dir": str(tmp_path), "clock": clock})
    ext = application.extensions["loket"]
    db.migrate(ext.engine)
    yield application
    with ext.engine.connect() as conn:  # whatever the test did, nothing points at nothing
        assert integrity_problems(conn) == []
    ext.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class Device:
    id: str
    credential: str
    office_code: str
    device_no: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential}"}


@dataclass
class Pushed:
    status: int
    body: dict[str, Any]
    response: P.PushResponse | None = None
    outcomes: list[str] = field(default_factory=list)


class Api:
    """Protocol-speaking helper over the Flask test client."""

    def __init__(self, app: Flask, client: FlaskClient, clock: Clock) -> None:
        self.app, self.client, self.clock = app, client, clock
        self.ext = app.extensions["loket"]
        self._code_no = 0

    # central side ----------------------------------------------------------------------
    def office(self, code: str = "320101", name: str = "Disnaker Kab. Bogor") -> str:
        with db.transaction(self.ext.sessions) as s:
            if devices_q.get_office(s, code) is None:
                devices_q.add_office(s, code, f"{code[:2]}.{code[2:4]}", name, self.clock())
        return code

    def enroll_code(self, office: str, ttl: timedelta = timedelta(days=7)) -> str:
        with db.transaction(self.ext.sessions) as s:
            return issue_code(s, office, self.clock(), ttl)

    def enroll(self, office: str = "320101", name: str = "PC loket 1") -> Device:
        self.office(office)
        r = self.client.post(
            "/api/v1/devices/enroll", json={"code": self.enroll_code(office), "device_name": name}
        )
        assert r.status_code == 200, r.data
        e = P.decode(P.EnrollResponse, r.get_json())
        return Device(e.device_id, e.credential, e.office_code, e.device_no)

    def enroll_bundles(self, office: str = "320101", name: str = "Laptop lapangan") -> BundleDevice:
        """A device enrolled with its bundle keys (issue 16), as the desktop enrolls now."""
        self.office(office)
        pair = KeyPair.generate()
        r = self.client.post(
            "/api/v1/devices/enroll",
            json={
                "code": self.enroll_code(office),
                "device_name": name,
                "device_key": device_key(pair),
            },
        )
        assert r.status_code == 200, r.data
        e = P.decode(P.EnrollResponse, r.get_json())
        assert e.bundle_keys
        return BundleDevice(
            e.device_id, e.office_code, e.device_no, e.credential, pair, e.bundle_keys
        )

    def decide(self, registration_id: str, decision: str, **kw: Any) -> Any:
        """Decide as a reviewer who has just read the record: on its current revision unless
        ``seen_revision`` says otherwise."""
        with db.transaction(self.ext.sessions) as s:
            if "seen_revision" not in kw:
                kw["seen_revision"] = s.execute(
                    text("select revision from registrations where id = :i"), {"i": registration_id}
                ).scalar()
            return record_decision(s, registration_id, decision, "reviewer1", **kw)

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.ext.engine.connect() as conn:
            return list(conn.execute(text(query), params).all())

    # device side -----------------------------------------------------------------------
    def record(self, applicant: dict[str, Any], device: Device, **kw: Any) -> P.PushRecord:
        self._code_no += 1
        values: dict[str, Any] = {
            "id": new_registration_id(),
            "code": make_code(device.office_code, device.device_no, self._code_no),
            "revision": 1,
            "base_revision": 0,
            "content_hash": content_hash(applicant),
            "applicant": applicant,
            "operator": "petugas",
            "channel": "counter",
            "device_time": "2026-01-05T09:00:00+07:00",
        }
        if "id" in kw and "code" not in kw:  # a new revision keeps the record's code
            held = self.sql("select code from registrations where id = :i", i=kw["id"])
            if held:
                values["code"] = held[0][0]
        values.update(kw)
        return P.PushRecord(**values)

    def body(
        self, device: Device, records: list[P.PushRecord], batch_id: str | None = None
    ) -> dict[str, Any]:
        req = P.PushRequest(device.id, device.office_code, batch_id or str(uuid.uuid4()), records)
        data: dict[str, Any] = wire.loads(wire.dumps(req))
        return data

    def push_raw(
        self,
        device: Device | None,
        data: bytes,
        encoding: str | None = "zstd",
        headers: dict[str, str] | None = None,
    ) -> Any:
        h = dict(device.headers if device else {})
        if encoding:
            h["Content-Encoding"] = encoding
        h.update(headers or {})
        return self.client.post(
            "/api/v1/sync/push", data=data, headers=h, content_type="application/json"
        )

    def push(
        self,
        device: Device,
        records: list[P.PushRecord],
        batch_id: str | None = None,
        encoding: str = "zstd",
        body: dict[str, Any] | None = None,
    ) -> Pushed:
        data = wire.compress(wire.dumps(body or self.body(device, records, batch_id)), encoding)
        r = self.push_raw(device, data, encoding)
        payload = json.loads(wire.decompress(r.data, r.headers.get("Content-Encoding")))
        if r.status_code != 200:
            return Pushed(r.status_code, payload)
        resp = P.decode(P.PushResponse, payload)
        return Pushed(r.status_code, payload, resp, [x.outcome.value for x in resp.results])

    def pull(
        self, device: Device, cursor: str | None = None, limit: int | str | None = None
    ) -> Any:
        params = {}
        if cursor is not None:
            params["cursor"] = cursor
        if limit is not None:
            params["limit"] = str(limit)
        return self.client.get("/api/v1/sync/pull", query_string=params, headers=device.headers)


@pytest.fixture
def api(app: Flask, client: FlaskClient, clock: Clock) -> Api:
    return Api(app, client, clock)


@pytest.fixture(scope="session")
def people() -> list[dict[str, Any]]:
    """Valid, distinct synthetic applicants (no planted duplicates)."""
    return [s.applicant for s in generate(300, seed=404)]


def dump_tables(engine: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: for before/after comparisons."""
    from syncserver.models import Base

    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(table.select()).all()
            out[table.name] = sorted(tuple(repr(v) for v in r) for r in rows)
    return out
