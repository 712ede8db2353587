"""The language can be switched in the main window too (View > Language), at once and
remembered; counts use each language's plural forms ("1 pendaftaran", "1 registration",
"2 registrations"), never "1 registrations" (issue 13, smaller items)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QMenu

from common.synthetic import generate
from desktop.application import LANG_KEY, ui_settings

from .conftest import OPERATOR, PASSWORD, focused_name, log_in


def test_switch_language_in_the_main_window(qtbot, gui_data_dir, start_app, keyboard) -> None:
    first, second = (s.applicant for s in generate(2, seed=51))
    loket = start_app(gui_data_dir)
    log_in(qtbot, keyboard, loket)
    window: Any = loket.main_window
    loket.service.save(first)
    window.list.refresh()
    assert window.list.count_label.text() == "1 pendaftaran"
    menus = [m.title() for m in window.menuBar().findChildren(QMenu)]
    assert "Bahasa" in menus
    keyboard.type(second["nik"])  # typing in progress survives the switch
    window.tabs.setCurrentIndex(1)

    window.language_actions["en"].trigger()
    qtbot.waitUntil(lambda: loket.main_window is not window and loket.main_window.isVisible())
    english: Any = loket.main_window
    assert "&File" in [m.title() for m in english.menuBar().findChildren(QMenu)]
    assert english.windowTitle().startswith("Registration — ")
    assert english.form.nik.text() == second["nik"] and english.form.dirty
    assert english.tabs.currentIndex() == 1
    assert english.language_actions["en"].isChecked()
    english.list.refresh()
    assert english.list.count_label.text() == "1 registration"
    loket.service.save(second)
    english.list.refresh()
    assert english.list.count_label.text() == "2 registrations"
    assert ui_settings(gui_data_dir).value(LANG_KEY) == "en"

    # remembered: the next start is in English, and switching back works the same way
    loket.shutdown()
    again = start_app(gui_data_dir)
    assert again.login.button.text() == "Log in"
    keyboard.type(OPERATOR)
    again.login.password.setText(PASSWORD)
    again.login.button.click()
    qtbot.waitUntil(
        lambda: again.main_window is not None and again.main_window.isVisible(), timeout=10_000
    )
    again.main_window.language_actions["id"].trigger()
    qtbot.waitUntil(
        lambda: (
            "&Berkas" in [m.title() for m in again.main_window.menuBar().findChildren(QMenu)]
            or again.main_window.list.count_label.text() == "2 pendaftaran"
        )
    )
    again.main_window.list.refresh()
    assert again.main_window.list.count_label.text() == "2 pendaftaran"
    assert ui_settings(gui_data_dir).value(LANG_KEY) == "id"
    assert QApplication.instance() is not None and focused_name() is not None
