"""The GUI half of issue 7: first run creates the first operator (and the encrypted
database), login goes through the key slots, lock-out messages come from the catalog, and
the app locks itself after the idle time."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from common import errors as E
from common.i18n import Lang
from desktop.services.operators import unlock
from desktop.store.store import is_plaintext

from .conftest import OPERATOR, PASSWORD, focused_name, log_in


def test_first_run_creates_the_first_operator_and_an_encrypted_store(
    qtbot, tmp_path: Path, start_app, keyboard
) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    loket = start_app(folder)
    qtbot.waitUntil(lambda: loket.login.welcome.isVisible())  # the first start's welcome
    assert focused_name() == "loginWelcomeStart"
    keyboard.press(Qt.Key.Key_Return)  # "Mulai"
    qtbot.waitUntil(lambda: loket.login.full_name.isVisible())
    assert focused_name() == "loginUsername"
    keyboard.type("ani")
    keyboard.press(Qt.Key.Key_Return)
    assert focused_name() == "loginFullName"
    keyboard.type("Ani Lestari")
    keyboard.press(Qt.Key.Key_Return)
    keyboard.type("rahasia-123")
    keyboard.press(Qt.Key.Key_Return)
    assert focused_name() == "loginRepeat"
    keyboard.type("rahasia-124")
    keyboard.press(Qt.Key.Key_Return)
    assert loket.main_window is None  # the two passwords differ
    keyboard.type("rahasia-123")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("rahasia-123")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: loket.main_window is not None and loket.main_window.isVisible(), timeout=10_000
    )
    assert loket.operator.username == "ani"
    assert (folder / "keyslots.json").exists() and not is_plaintext(folder / "loket.db")


def test_lock_out_message_comes_from_the_catalog(
    qtbot, gui_data_dir: Path, start_app, keyboard
) -> None:
    loket = start_app(gui_data_dir, "en")
    login = loket.login
    keyboard.type(OPERATOR)
    keyboard.press(Qt.Key.Key_Tab)
    for _ in range(5):
        keyboard.type("wrong-password")
        keyboard.press(Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: login.button.isEnabled(), timeout=10_000)
    assert login.message.text() == E.message(E.ACCOUNT_LOCKED, {}, Lang.EN.value)
    assert loket.store is None  # nothing opened


def test_the_app_locks_after_the_idle_time_and_unlocks_with_a_slot(
    qtbot, gui_data_dir: Path, start_app, keyboard
) -> None:
    store, _ = unlock(gui_data_dir, OPERATOR, PASSWORD)
    store.set_setting("idle_lock_minutes", 0.01)  # 0.6 s
    store.close()
    loket = start_app(gui_data_dir)
    log_in(qtbot, keyboard, loket)
    window = loket.main_window
    qtbot.waitUntil(lambda: loket.login is not None and loket.login.isVisible(), timeout=10_000)
    assert not window.isVisible() and loket.store is not None  # hidden; the store stays open
    loket.login.activateWindow()
    qtbot.waitUntil(lambda: focused_name() == "loginUsername")
    keyboard.type(OPERATOR)
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("wrong-password")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: loket.login.button.isEnabled(), timeout=10_000)
    assert loket.login.isVisible() and not window.isVisible()
    keyboard.type(PASSWORD)
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.isVisible() and loket.login is None, timeout=10_000)
    assert loket.main_window is window  # the same window, as the clerk left it


def test_a_first_login_here_is_authorised_by_another_operator_in_the_same_window(
    qtbot, gui_data_dir: Path, start_app, keyboard
) -> None:
    from argon2 import PasswordHasher

    from common.protocol import Change, ChangeKind
    from desktop.store.keys import KeySlots
    from desktop.sync.engine import apply_change

    store, _ = unlock(gui_data_dir, OPERATOR, PASSWORD)
    data = {
        "username": "dewi",
        "full_name": "Dewi",
        "active": True,
        "password_hash": PasswordHasher().hash("dari-pusat-1"),
    }
    with store.session() as s:  # an account made at the centre, synced
        apply_change(s, Change(seq=1, kind=ChangeKind.OPERATOR, data=data), KeySlots(gui_data_dir))
    store.close()
    loket = start_app(gui_data_dir, "en")
    login = loket.login
    keyboard.type("dewi")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("dari-pusat-1")
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: login.auth_username.isVisible(), timeout=10_000)
    assert login.message.text() == E.message(E.OPERATOR_NEEDS_AUTHORISATION, {}, Lang.EN.value)
    assert loket.store is None and focused_name() == "loginPassword"
    keyboard.type("dari-pusat-1")
    keyboard.press(Qt.Key.Key_Return)
    assert focused_name() == "loginAuthUsername"
    keyboard.type(OPERATOR)
    keyboard.press(Qt.Key.Key_Return)
    assert focused_name() == "loginAuthPassword"
    keyboard.type(PASSWORD)
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: loket.main_window is not None and loket.main_window.isVisible(), timeout=10_000
    )
    assert loket.operator.username == "dewi" and KeySlots(gui_data_dir).version_of("dewi") == 2
