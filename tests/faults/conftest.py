"""Fixtures of the fault-injection suite: a real ``loket-server`` process (SQLite, two
workers), the central database seen from the test, and a tally of injected faults that the
terminal summary prints (the short suite must inject at least 200)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.harness import Central, central_url
from tests.support.liveserver import LiveServer

#: Faults injected by the scenarios of this session, by kind (filled by ``tally``).
INJECTED: Counter[str] = Counter()


def tally(counts: Counter[str] | dict[str, int]) -> None:
    INJECTED.update(counts)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    srv = LiveServer(tmp_path / "server", workers=2).start()
    try:
        yield srv
    finally:
        srv.stop()
        print(srv.log_path.read_text(errors="replace")[-4000:])  # shown when a test fails


@pytest.fixture
def central(server: LiveServer) -> Iterator[Central]:
    c = Central(central_url(server))
    try:
        yield c
    finally:
        c.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if INJECTED:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(INJECTED.items()))
        terminalreporter.write_line(
            f"fault suite: {sum(INJECTED.values())} faults injected ({kinds})"
        )
