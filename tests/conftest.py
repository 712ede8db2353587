"""Top-level pytest configuration for Loket: environment and the shared harness fixtures.

Fixtures (see docs/DEVELOPING.md):

    pg_cluster      session   tests.support.pgcluster.PgCluster, a real PostgreSQL cluster
    pg_url          session   str, SQLAlchemy URL postgresql+psycopg://... of database loket_test
    pg_database     function  str, SQLAlchemy URL of a fresh empty database, dropped afterwards
    chromium_path   session   str, path of Debian's Chromium (/usr/bin/chromium)
    chromium_browser session  playwright Browser (headless Debian Chromium)
    browser_page    function  playwright Page in a fresh BrowserContext, closed afterwards
    xvfb_server     session   tests.support.xvfb.Xvfb, a private Xvfb server
    xvfb            session   str, its DISPLAY (":N")

When PostgreSQL, Chromium or Xvfb is missing, the tests using them are skipped, except when
CI=true: then they fail (tests.support.unavailable). Tests using these fixtures get the markers
postgres / browser / display automatically, so ``-m "not browser"`` works.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Before anything imports Qt: the test process draws offscreen. A real window needs the xvfb
# fixture and a subprocess with QT_QPA_PLATFORM=xcb (see tests/support/xvfb.py).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Keep tests away from the real home: platformdirs/Qt write under these. One folder per session.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="loket-test-home-"))
for _var, _sub in (
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_DATA_HOME", "data"),
    ("XDG_CACHE_HOME", "cache"),
    ("XDG_STATE_HOME", "state"),
    ("XDG_RUNTIME_DIR", "runtime"),
    ("XDG_DOCUMENTS_DIR", "documents"),  # where the receipt dialog proposes to save
):
    _path = _SESSION_HOME / _sub
    _path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ[_var] = str(_path)

import pytest  # noqa: E402

from tests.support import unavailable  # noqa: E402
from tests.support.browser import find_chromium, launch_kwargs  # noqa: E402
from tests.support.pgcluster import PgCluster, PgNotAvailable  # noqa: E402
from tests.support.pgcluster import unavailable_reason as pg_unavailable_reason  # noqa: E402
from tests.support.xvfb import Xvfb, find_xvfb  # noqa: E402

_FIXTURE_MARKERS = {
    "pg_cluster": "postgres",
    "pg_url": "postgres",
    "pg_database": "postgres",
    "chromium_path": "browser",
    "chromium_browser": "browser",
    "browser_page": "browser",
    "xvfb_server": "display",
    "xvfb": "display",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for marker in {m for f, m in _FIXTURE_MARKERS.items() if f in names}:
            item.add_marker(marker)


def pytest_report_header(config: pytest.Config) -> list[str]:
    ci = os.environ.get("CI", "")
    pg = pg_unavailable_reason() or "available"
    return [
        f"loket harness: CI={ci!r} QT_QPA_PLATFORM={os.environ.get('QT_QPA_PLATFORM')}",
        f"loket harness: postgres {pg}; chromium {find_chromium() or 'missing'}; "
        f"Xvfb {find_xvfb() or 'missing'}",
    ]


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    shutil.rmtree(_SESSION_HOME, ignore_errors=True)


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A real PostgreSQL cluster for the whole session (temp dir, free port, 127.0.0.1)."""
    reason = pg_unavailable_reason()
    if reason:
        unavailable(reason)
    try:
        cluster = PgCluster().start()
    except PgNotAvailable as exc:
        unavailable(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_url(pg_cluster: PgCluster) -> str:
    """SQLAlchemy URL (postgresql+psycopg://...) of the session's database ``loket_test``."""
    return pg_cluster.url(pg_cluster.create_database("loket_test"))


@pytest.fixture
def pg_database(pg_cluster: PgCluster) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database for this test; dropped (FORCE) afterwards."""
    name = pg_cluster.create_database()
    try:
        yield pg_cluster.url(name)
    finally:
        pg_cluster.drop_database(name)


# -- Chromium --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium (``$LOKET_CHROMIUM`` or /usr/bin/chromium)."""
    path = find_chromium()
    if path is None:
        where = os.environ.get("LOKET_CHROMIUM") or "/usr/bin/chromium"
        unavailable(f"Chromium not found at {where} (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def chromium_browser(chromium_path: str) -> Iterator[Any]:
    """A headless playwright ``Browser`` on Debian's Chromium, shared by the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_kwargs(chromium_path))
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser: Any) -> Iterator[Any]:
    """A playwright ``Page`` in its own fresh context (cookies, storage), closed afterwards."""
    context = chromium_browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    try:
        yield context.new_page()
    finally:
        context.close()


# -- Xvfb ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def xvfb_server() -> Iterator[Xvfb]:
    """A private Xvfb server (1280x800x24) on a free display number, for the session."""
    if find_xvfb() is None:
        unavailable("Xvfb not found (apt-get install xvfb xauth)")
    server = Xvfb().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def xvfb(xvfb_server: Xvfb) -> str:
    """The DISPLAY string (":N") of the session's Xvfb server."""
    assert xvfb_server.display is not None
    return xvfb_server.display
