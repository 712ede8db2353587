"""Fixtures for the desktop's store, services and CLI tests (a fresh SQLite per test).

The GUI tests in tests/desktop/gui/ may use them too: ``store``, ``operator``, ``service``,
``applicant`` (a valid raw applicant dict), ``clock`` (a settable fake clock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from common.synthetic import Generator
from desktop.services.operators import Operator
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store.keys import KeySlots
from tests.support.enrolled import enroll_offline

OFFICE = "320101"
DEVICE_NO = 7


class FakeClock:
    """A clock the test moves by hand (``clock.advance(minutes=5)``)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def generator() -> Generator:
    return Generator(seed=20260302, today=date(2026, 3, 2))


@pytest.fixture
def applicant(generator: Generator) -> Callable[[], dict[str, Any]]:
    """A factory of valid raw applicants (each call a new person)."""
    return generator.applicant


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "desk"
    path.mkdir()
    return path


@pytest.fixture
def db_key() -> bytes:
    """The database key of the test's store (a fresh random one, as a new device makes)."""
    return KeySlots.new_key()


@pytest.fixture
def store(data_dir: Path, db_key: bytes) -> Iterator[Store]:
    s = Store.open(data_dir, db_key)
    enroll_offline(s, OFFICE, DEVICE_NO)  # saving needs an enrolled device (issue 13)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def operator() -> Operator:
    return Operator("ani", "Ani Lestari")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(store: Store, operator: Operator, clock: FakeClock) -> RegistrationService:
    return RegistrationService(store, operator, clock)
