"""The form's status line (issue 13, smaller items): a failure is never shown in the green of
"Tersimpan", and "Tersimpan" does not stay once the clerk types the next applicant."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from common.synthetic import generate

from .conftest import log_in

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
GREEN = "#1b5e20"
RED = "#b3261e"


def _focus_form(qtbot: Any, window: Any) -> None:
    window.activateWindow()
    window.form.focus_first()
    qtbot.waitUntil(lambda: window.form.nik.hasFocus())


def test_failures_are_red_and_saved_goes_stale(qtbot, gui_data_dir, start_app, keyboard) -> None:
    first, second = (s.applicant for s in generate(2, seed=31))
    loket = start_app(gui_data_dir)
    log_in(qtbot, keyboard, loket)
    window: Any = loket.main_window
    form = window.form
    label = form.status_label

    form.load(dict(first))
    keyboard.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: label.text().startswith("Tersimpan"), timeout=10_000)
    assert GREEN in label.styleSheet()
    receipt = window.dialog("receiptDialog")
    if receipt is not None:
        receipt.reject()
        qtbot.waitUntil(lambda: window.dialog("receiptDialog") is None)

    # the next applicant: the first keystroke makes "Tersimpan" old news
    form.activateWindow()
    form.focus_first()
    qtbot.waitUntil(lambda: form.nik.hasFocus())
    keyboard.type(second["nik"][:3])
    assert label.text() == "" and GREEN not in label.styleSheet()

    # a failed save (problems): red, never the green of the earlier save
    bad = dict(second, phone="12")
    form.load(bad)
    assert label.text() == ""
    _focus_form(qtbot, window)
    keyboard.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.dialog("saveProblemsDialog") is not None, timeout=10_000)
    assert label.text() == "Belum tersimpan: perbaiki masalah yang tercantum."
    assert RED in label.styleSheet() and GREEN not in label.styleSheet()
    window.dialog("saveProblemsDialog").reject()

    # a duplicate NIK is a failure too
    form.load(dict(first))
    _focus_form(qtbot, window)
    keyboard.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: "sudah terdaftar" in label.text(), timeout=10_000)
    assert RED in label.styleSheet()
