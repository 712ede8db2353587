"""Wording a clerk stumbled on (issue 13, smaller items): the device's enrollment code is never
called the same as an applicant's registration code, no "rekaman", and no window title that
names "Loket" itself (Qt adds the application's name, so it showed twice)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from .conftest import log_in
from .test_translations import ts_messages


def test_enrollment_code_and_registration_code_are_named_apart(
    qtbot, gui_data_dir, start_app, keyboard
) -> None:
    loket = start_app(gui_data_dir)
    assert "Loket" not in loket.login.windowTitle()
    log_in(qtbot, keyboard, loket)
    window: Any = loket.main_window
    assert "Loket" not in window.windowTitle() and window.windowTitle()
    header = window.list.model.headerData(0, Qt.Orientation.Horizontal)
    assert header == "Kode pendaftaran"
    window.open_enroll()
    qtbot.waitUntil(lambda: window.dialog("enrollDialog") is not None)
    dialog = window.dialog("enrollDialog")
    texts = [w.text() for w in dialog.findChildren(QLabel)]
    assert "Kode pendaftaran perangkat" in texts
    assert "Kode pendaftaran" not in texts
    assert all("kode pendaftaran sekali" not in t for t in texts)
    assert "Loket" not in dialog.windowTitle()
    dialog.reject()
    window.open_about()
    about = window.dialog("aboutDialog")
    if about is not None:
        assert "Loket" not in about.windowTitle()
        about.reject()
    assert QApplication.applicationDisplayName() in ("", "Loket", QApplication.applicationName())


def test_translations_say_data_not_rekaman_and_name_the_device_code() -> None:
    for _ctx, source, translation, _kind in ts_messages("id"):
        assert "rekaman" not in translation.casefold(), source
        if "enrollment code" in source.casefold():
            assert "kode pendaftaran perangkat" in translation.casefold(), source
        elif "registration code" in source.casefold():
            assert "perangkat" not in translation.casefold(), source
