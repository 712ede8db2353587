"""End-to-end fixtures: a real server in its own process and a real desktop store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from desktop.services.operators import create_first_operator
from desktop.services.registrations import RegistrationService
from desktop.sync.commands import enroll_device
from syncserver.db import make_engine, session_factory
from tests.support.liveserver import LiveServer


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()
    print(server.log_path.read_text(errors="replace")[-6000:])  # shown when a test fails


@pytest.fixture
def server_db(live_server: LiveServer) -> Iterator[Session]:
    """A session on the live server's own database (SQLite file), for central-side actions."""
    engine = make_engine(
        live_server.database or f"sqlite:///{live_server.data_dir / 'loket-server.db'}"
    )
    factory = session_factory(engine)
    with factory() as s:
        yield s
    engine.dispose()


class Device:
    """A desktop installation: its store, an operator's service, enrolled with the server."""

    def __init__(
        self, data_dir: Path, server: LiveServer, office: str = "320101", enrolled: bool = True
    ):
        self.data_dir = data_dir
        self.server, self.office = server, office
        # a new data folder: the first operator makes the database key (store/keys.py)
        self.store, self.operator = create_first_operator(
            data_dir, "petugas", "rahasia-sekali", "Petugas Satu"
        )
        self.service = RegistrationService(self.store, self.operator)
        if enrolled:
            self.enroll()

    def enroll(self) -> None:
        """Enroll with the server (a device not enrolled yet saves no registration: it has no
        device number of its own for the codes; drafts only)."""
        regency = f"{self.office[:2]}.{self.office[2:4]}"
        code = self.server.office_and_code(self.office, regency)
        self.info = enroll_device(self.store, self.server.url, code)

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def device(tmp_path: Path, live_server: LiveServer) -> Iterator[Device]:
    d = Device(tmp_path / "desk", live_server)
    yield d
    d.close()
