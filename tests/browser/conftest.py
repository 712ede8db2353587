"""Browser-test fixtures: the real server in its own process with staff accounts, and real
desktop installations (store, operator, sync engine) enrolled with it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.support.liveserver import LiveServer

STAFF_PASSWORD = "kata-sandi-konsol"


@pytest.fixture
def console_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    for name, role in (("admin", "admin"), ("rina", "reviewer"), ("lihat", "viewer")):
        server.cli("add-user", name, "--role", role, password=STAFF_PASSWORD)
    yield server
    server.stop()
    print(server.log_path.read_text(errors="replace")[-4000:])  # shown when a test fails


class Desk:
    """One desktop installation: its encrypted store, an operator, enrolled with the server."""

    def __init__(self, data_dir: Path, server: LiveServer, office: str, office_name: str):
        from desktop.services.operators import add_operator, authenticate
        from desktop.services.registrations import RegistrationService
        from desktop.store import Store
        from desktop.sync.commands import enroll_device, make_client
        from desktop.sync.engine import SyncEngine

        # the store is a SQLCipher database under a random key
        self.store = Store.open(data_dir, secrets.token_bytes(32))
        add_operator(self.store, "petugas", "rahasia-sekali", "Petugas Satu")
        self.service = RegistrationService(
            self.store, authenticate(self.store, "petugas", "rahasia-sekali")
        )
        regency = f"{office[:2]}.{office[2:4]}"
        enroll_device(self.store, server.url, server.office_and_code(office, regency, office_name))
        self.engine = SyncEngine(self.store, make_client(self.store))

    def save(self, applicant: dict[str, Any]) -> str:
        result = self.service.save(applicant)
        assert result.ok, result.problems
        return str(result.registration.id)

    def sync(self) -> Any:
        from desktop.sync.engine import SyncOutcome

        report = self.engine.run()
        assert report.outcome is SyncOutcome.OK, report
        return report

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def desks(tmp_path: Path, console_server: LiveServer) -> Iterator[dict[str, Desk]]:
    made = {
        "bogor": Desk(tmp_path / "bogor", console_server, "320101", "Disnaker Kab. Bogor"),
        "makassar": Desk(tmp_path / "makassar", console_server, "737101", "Disnaker Kota Makassar"),
    }
    yield made
    for d in made.values():
        d.close()


@pytest.fixture
def applicants() -> list[dict[str, Any]]:
    from common.synthetic import generate

    return [s.applicant for s in generate(30, seed=2026, today=date.today())]
