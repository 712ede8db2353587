"""Pieces the fault scenarios, the model test and tools/faults.py + tools/soak.py share:
enrolled desktop devices (real stores) and central-side helpers (offices, enrollment codes,
decisions) on a running ``loket-server``'s database.

Central writes from the test process go through ``syncserver.db.make_engine``, so on SQLite
they take the same writer lock as the server processes.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from common.synthetic import Generator
from desktop.services.operators import Operator
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store import settings as S
from desktop.sync.client import SyncClient
from desktop.sync.commands import enroll_device
from desktop.sync.engine import BatchSizer, SyncEngine, SyncReport
from syncserver import db as server_db
from syncserver.decisions import record_decision
from syncserver.enrollment import issue_code
from syncserver.queries import devices as devices_q

TODAY = date.today()
#: The database key of every test device's store (SQLCipher; tests only).
TEST_KEY = bytes.fromhex("6c6f6b65742d66617574732d746573742d6b65792d3332627974657321212121")


def open_store(data_dir: Path, key: bytes = TEST_KEY) -> Store:
    """Open a device's store, encrypted with ``key``."""
    return Store.open(data_dir, key)


def central_url(server: Any) -> str:
    """The database URL of a tests.support.liveserver.LiveServer."""
    return server.database or f"sqlite:///{server.data_dir / 'loket-server.db'}"


class Central:
    """The central database, from the test's side: codes, decisions, plain reads."""

    def __init__(self, url: str):
        self.url = url
        self.engine = server_db.make_engine(url, pool_size=2)
        self.sessions = server_db.session_factory(self.engine)
        # reads: a plain engine (on SQLite no BEGIN IMMEDIATE, no writer lock)
        self.reader: Engine = create_engine(url, pool_size=2, max_overflow=2)
        self._lock = threading.Lock()

    def close(self) -> None:
        self.engine.dispose()
        self.reader.dispose()

    def enrollment_codes(self, office: str, n: int, name: str = "Disnaker Uji") -> list[str]:
        """``n`` one-time codes for ``office`` (created when missing)."""
        now = datetime.now(UTC)
        with self._lock, server_db.transaction(self.sessions) as s:
            if devices_q.get_office(s, office) is None:
                devices_q.add_office(s, office, f"{office[:2]}.{office[2:4]}", name, now)
            return [issue_code(s, office, now, timedelta(hours=2)) for _ in range(n)]

    def decide(self, registration_id: str, decision: str, reviewer: str = "penguji") -> None:
        with self._lock, server_db.transaction(self.sessions) as s:
            note = "Mohon perbaiki alamat" if decision == "returned" else ""
            reason = "not_eligible" if decision == "rejected" else ""
            record_decision(s, registration_id, decision, reviewer, reason=reason, note=note)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.reader.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.reader.connect() as conn:
            return list(conn.execute(text(sql), params).all())


class Device:
    """One desktop installation: a real store in ``data_dir``, enrolled with the server, and
    pointed at ``sync_url`` (a fault proxy, or the server itself)."""

    def __init__(
        self,
        data_dir: Path,
        server_url: str,
        code: str,
        *,
        sync_url: str | None = None,
        seed: int = 1,
    ):
        self.data_dir = Path(data_dir)
        self.store = open_store(self.data_dir)
        self.operator = Operator("petugas", "Petugas Uji")
        self.service = RegistrationService(self.store, self.operator)
        self.info = enroll_device(self.store, server_url, code, device_name=self.data_dir.name)
        self.sync_url = sync_url or server_url
        self.store.set_setting("server_url", self.sync_url)
        self.generator = Generator(seed, TODAY)
        self.ids: list[str] = []

    @property
    def device_id(self) -> str:
        return self.info.device_id

    def close(self) -> None:
        self.store.close()

    def client(self) -> SyncClient:
        with self.store.session() as s:
            credential = S.DEVICE_CREDENTIAL.get(s)
        return SyncClient(self.sync_url, credential, read_timeout=60)

    def engine(
        self,
        client: SyncClient | None = None,
        *,
        batch: int = 8,
        retries: int = 3,
        backoff_s: float = 0.02,
    ) -> SyncEngine:
        return SyncEngine(
            self.store,
            client or self.client(),
            sizer=BatchSizer(initial=batch, minimum=1, maximum=batch),
            retries=retries,
            backoff_s=backoff_s,
        )

    def register(self, n: int = 1) -> list[str]:
        made = []
        for _ in range(n):
            while True:
                result = self.service.save(self.generator.applicant())
                if result.ok:
                    break
                assert result.existing_id, result.problems  # a NIK drawn twice: draw again
            assert result.registration is not None
            made.append(result.registration.id)
        self.ids.extend(made)
        return made

    def edit(self, registration_id: str, salt: int) -> bool:
        """A new revision (a changed street address); False when it cannot be edited now."""
        state = self.service.state(registration_id)
        if state is None or not state.editable:
            return False
        raw = state.registration.applicant.to_dict()
        raw["street"] = f"Jl. Perbaikan No. {salt % 997 + 1}"
        result = self.service.save(raw, registration_id=registration_id)
        assert result.ok, result.problems
        return result.changed

    def pending(self) -> int:
        return self.service.pending_count()

    def drain(self, client: SyncClient | None = None, rounds: int = 60) -> SyncReport:
        """Sync until the outbox is empty and a full run succeeds (faults allowed meanwhile)."""
        engine = self.engine(client)
        report = engine.run()
        for _ in range(rounds):
            if report.outcome.value == "ok":
                return report
            report = engine.run()
        raise AssertionError(f"device {self.device_id} did not drain: {report}")


def make_devices(
    root: Path,
    server: Any,
    central: Central,
    n: int,
    *,
    office: str = "320101",
    sync_urls: list[str] | None = None,
    seed: int = 1,
) -> list[Device]:
    codes = central.enrollment_codes(office, n)
    return [
        Device(
            root / f"desk{i}",
            server.url,
            codes[i],
            sync_url=(sync_urls[i] if sync_urls else None),
            seed=seed * 100 + i,
        )
        for i in range(n)
    ]
