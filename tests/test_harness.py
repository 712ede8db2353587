"""Proof that the shared harness works: PostgreSQL, Xvfb + Qt (xcb), Chromium via playwright."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import is_ci, unavailable
from tests.support.pgcluster import PgCluster


def test_qt_runs_offscreen_in_process(qapp) -> None:
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.platformName() == "offscreen"


def test_pg_url_is_a_real_postgresql_15(pg_url: str) -> None:
    assert pg_url.startswith("postgresql+psycopg://")
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("select version()")).scalar_one()
            db = conn.execute(sa.text("select current_database()")).scalar_one()
            addr = conn.execute(sa.text("select host(inet_server_addr())")).scalar_one()
    finally:
        engine.dispose()
    assert version.startswith("PostgreSQL 15"), version
    assert db == "loket_test"
    assert addr == "127.0.0.1"


@pytest.mark.parametrize("round_", [1, 2])
def test_pg_database_is_fresh_per_test(pg_database: str, round_: int) -> None:
    # The same table in both rounds: it would already exist if the database were reused.
    engine = sa.create_engine(pg_database)
    try:
        with engine.begin() as conn:
            assert (
                conn.execute(
                    sa.text("select count(*) from pg_tables where schemaname = 'public'")
                ).scalar_one()
                == 0
            )
            conn.execute(sa.text("create table t (id int primary key)"))
            conn.execute(sa.text("insert into t values (:r)"), {"r": round_})
    finally:
        engine.dispose()


def test_pg_database_is_dropped_even_with_open_connections(pg_cluster: PgCluster) -> None:
    name = pg_cluster.create_database()
    engine = sa.create_engine(pg_cluster.url(name))
    conn = engine.connect()  # left open on purpose: drop_database uses WITH (FORCE)
    conn.execute(sa.text("select 1"))
    pg_cluster.drop_database(name)
    with pg_cluster.connect() as admin:
        left = admin.execute("select count(*) from pg_database where datname = %s", (name,))
        assert left.fetchone() == (0,)
    conn.invalidate()
    engine.dispose()


def test_xvfb_display_answers(xvfb: str) -> None:
    assert xvfb.startswith(":")
    if shutil.which("xdpyinfo") is None:
        unavailable("xdpyinfo not found (apt-get install x11-utils)")
    out = subprocess.run(
        ["xdpyinfo", "-display", xvfb], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert "1280x800 pixels" in out


QT_WINDOW_SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv)
    label = QLabel("Loket")
    label.setStyleSheet("background: #ff0000; font-size: 32px")
    label.resize(240, 120)
    label.show()

    def grab():
        # Read the pixels back from the X server, not from Qt's own backing store.
        shot = app.primaryScreen().grabWindow(label.winId())
        shot.save(sys.argv[1])
        print(app.platformName(), label.isVisible(), shot.width(), shot.height(), flush=True)
        app.quit()

    QTimer.singleShot(300, grab)
    sys.exit(app.exec())
    """
)


def test_qt_window_on_xvfb(xvfb_server, tmp_path: Path) -> None:
    shot = tmp_path / "window.png"
    res = subprocess.run(
        [sys.executable, "-c", QT_WINDOW_SCRIPT, str(shot)],
        env=xvfb_server.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["xcb", "True", "240", "120"], (res.stdout, res.stderr)

    from PySide6.QtGui import QColor, QImage

    image = QImage(str(shot))
    assert not image.isNull()
    assert image.pixelColor(5, 5) == QColor("#ff0000")


def test_chromium_renders_a_page(chromium_browser, chromium_path: str) -> None:
    # the session's one Playwright instance (a second sync_playwright() in the same thread
    # fails while the first one's event loop is alive)
    assert chromium_browser.version
    page = chromium_browser.new_page()
    try:
        page.goto("data:text/html,<title>Loket harness</title><h1>Selamat datang</h1>")
        assert page.title() == "Loket harness"
        assert page.inner_text("h1") == "Selamat datang"
    finally:
        page.close()


def test_browser_page_fixture(browser_page) -> None:
    browser_page.set_content("<title>t</title><p id=x>ok</p>")
    assert browser_page.locator("#x").inner_text() == "ok"
    assert browser_page.evaluate("navigator.language") == "id-ID"


def test_missing_tool_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert is_ci()
    with pytest.raises(pytest.fail.Exception):
        unavailable("no such tool")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        unavailable("no such tool")
