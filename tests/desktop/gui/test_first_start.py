"""The first start needs no terminal (issue 18 #4): on a fresh data folder the app walks the
clerk through it in Indonesian: a welcome, the first operator (step 1; the store is encrypted
and that operator's password opens it, and enrolling writes into it, so the operator comes
first), enrolling with the server (step 2; in the background, with plain words and what to do
when the server cannot be reached), then work; the operator logs in again afterwards.

The whole app (``LoketApp``) offscreen on a real store; a real server in its own process; the
unreachable server is a closed port on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from common import errors as E
from desktop.services.operators import list_operators
from desktop.store import settings as S
from tests.desktop.gui.conftest import focused_name
from tests.support.liveserver import LiveServer
from tests.support.netutil import free_port

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()
    print(server.log_path.read_text(errors="replace")[-4000:])  # shown when a test fails


def _step_1(qtbot: Any, keyboard: Any, loket: Any) -> Any:
    """Welcome, then the first operator through the keyboard; returns the enroll dialog."""
    login = loket.login
    qtbot.waitUntil(login.welcome.isVisible)
    assert not login.form_box.isVisible()
    assert login.welcome.findChild(QLabel, "loginWelcomeTitle").text() == "Selamat datang di Loket"
    assert "operator pertama" in login.welcome_text.text()
    assert login.start_button.text() == "Mulai"
    assert focused_name() == "loginWelcomeStart"
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(login.form_box.isVisible)
    assert login.step.text() == "Langkah 1 dari 2: operator pertama"
    assert login.button.text() == "Buat operator pertama"
    keyboard.type("ani")
    keyboard.press(Qt.Key.Key_Return)
    keyboard.type("Ani Lestari")
    keyboard.press(Qt.Key.Key_Return)
    keyboard.type("rahasia-123")
    keyboard.press(Qt.Key.Key_Return)
    keyboard.type("rahasia-123")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: loket.main_window is not None, timeout=20_000)
    window = loket.main_window
    qtbot.waitUntil(lambda: window.dialog("enrollDialog") is not None, timeout=10_000)
    dialog = window.dialog("enrollDialog")
    assert dialog.first_start
    assert dialog.step.text() == "Langkah 2 dari 2: hubungkan komputer ini ke server"
    assert dialog.welcome.isVisible() and "kode sekali pakai" in dialog.welcome.text()
    # what skipping means, in the catalog's words
    assert E.message(E.SAVE_NEEDS_ENROLLMENT, {}, "id") in dialog.skip_note.text()
    assert dialog.skip_button.text() == "Lewati dulu (daftar nanti)"
    return dialog


def _log_in_again(qtbot: Any, loket: Any) -> None:
    loket.logout()
    qtbot.waitUntil(lambda: loket.login is not None and loket.login.isVisible())
    login = loket.login
    assert not login.welcome.isVisible() and login.button.text() == "Masuk"
    login.username.setText("ani")
    login.password.setText("rahasia-123")
    login.button.click()
    qtbot.waitUntil(
        lambda: loket.main_window is not None and loket.main_window.isVisible(), timeout=20_000
    )
    assert loket.operator.username == "ani"


def test_a_fresh_folder_is_walked_through_to_enrolled_and_logged_in(
    qtbot: Any, keyboard: Any, start_app: Any, tmp_path: Path, live_server: LiveServer
) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    loket = start_app(folder)  # Indonesian by default
    dialog = _step_1(qtbot, keyboard, loket)
    dialog.url.setText(live_server.url)
    dialog.code.setText(live_server.office_and_code("320101", "32.01", "Disnaker Kab. Bogor"))
    dialog.enroll_button.click()
    window = loket.main_window
    qtbot.waitUntil(lambda: window.dialog("enrollDialog") is None, timeout=30_000)
    with loket.store.read() as s:
        assert S.ENROLLED.get(s) and S.OFFICE_CODE.get(s) == "320101"
    assert [o.username for o in list_operators(loket.store)] == ["ani"]
    assert "Disnaker Kab. Bogor" in window.windowTitle()
    _log_in_again(qtbot, loket)


def test_an_unreachable_server_is_explained_and_the_flow_can_retry_or_continue(
    qtbot: Any, keyboard: Any, start_app: Any, tmp_path: Path, live_server: LiveServer
) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    loket = start_app(folder)
    dialog = _step_1(qtbot, keyboard, loket)
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    dialog.url.setText(closed)
    dialog.code.setText("ABCD-EFGH-JKLM-NPQR")
    dialog.enroll_button.click()
    qtbot.waitUntil(dialog.help.isVisible, timeout=30_000)
    # after the attempts a slow link may need, in enrollment's own words (not the sync's
    # "records will be sent later")
    assert dialog.error.text() == E.message(E.ENROLL_UNREACHABLE, {"attempts": 4}, "id")
    help_text = dialog.help.text()
    assert "jaringan" in help_text and "kabel" in help_text  # check the network / the cable
    assert "Daftar lagi" in help_text or "Daftarkan" in help_text  # try again
    assert "menu Sinkronisasi" in help_text  # or continue offline, enroll later
    assert "petugas TI" in help_text and closed in help_text  # or call IT with the address
    assert dialog.enroll_button.isEnabled() and dialog.skip_button.isEnabled()
    # try again, now with the right address: it enrolls
    dialog.url.setText(live_server.url)
    dialog.code.setText(live_server.office_and_code("320101", "32.01", "Disnaker Kab. Bogor"))
    dialog.enroll_button.click()
    window = loket.main_window
    qtbot.waitUntil(lambda: window.dialog("enrollDialog") is None, timeout=30_000)
    with loket.store.read() as s:
        assert S.ENROLLED.get(s)


def test_continuing_offline_leaves_a_working_app_that_enrolls_later(
    qtbot: Any, keyboard: Any, start_app: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    loket = start_app(folder)
    dialog = _step_1(qtbot, keyboard, loket)
    dialog.url.setText(f"http://127.0.0.1:{free_port()}")
    dialog.code.setText("ABCD-EFGH-JKLM-NPQR")
    dialog.enroll_button.click()
    qtbot.waitUntil(dialog.help.isVisible, timeout=30_000)
    dialog.skip_button.click()  # continue offline
    window = loket.main_window
    qtbot.waitUntil(lambda: window.dialog("enrollDialog") is None)
    with loket.store.read() as s:
        assert not S.ENROLLED.get(s)
    assert window.act_enroll.isEnabled()  # enroll later: menu Sinkronisasi
    window.act_enroll.trigger()
    qtbot.waitUntil(lambda: window.dialog("enrollDialog") is not None)
    later = window.dialog("enrollDialog")
    assert not later.first_start and not later.step.isVisible()
    later.reject()
    _log_in_again(qtbot, loket)


def test_the_first_start_in_english(qtbot: Any, start_app: Any, tmp_path: Path) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    loket = start_app(folder, lang="en")
    login = loket.login
    qtbot.waitUntil(login.welcome.isVisible)
    assert login.start_button.text() == "Start"
    login.start_button.click()
    assert login.step.text() == "Step 1 of 2: the first operator"


def test_the_language_can_be_chosen_on_the_welcome(
    qtbot: Any, start_app: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    loket = start_app(folder)
    login = loket.login
    qtbot.waitUntil(login.welcome.isVisible)
    assert login.language.isVisible() and login.start_button.text() == "Mulai"
    login.language.setCurrentIndex(1)  # English: the window is rebuilt, still on the welcome
    qtbot.waitUntil(lambda: loket.login is not login and loket.login is not None)
    qtbot.waitUntil(loket.login.welcome.isVisible)
    assert loket.login.start_button.text() == "Start"
    assert not loket.login.form_box.isVisible()
