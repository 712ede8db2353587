"""Issue 13 (missing): the optional review before saving. Off by default; the Registration
menu turns it on and the data folder keeps it. With it on, Ctrl+S on a record without errors
shows a compact summary to read back to the applicant: Enter saves, Esc goes back to the form
with nothing saved; a record with errors goes straight to the list of problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from common.synthetic import generate

from .conftest import focused_name, log_in

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def started(qtbot: Any, start_app: Any, keyboard: Any, folder: Path) -> Any:
    loket = start_app(folder)
    log_in(qtbot, keyboard, loket)
    qtbot.waitUntil(lambda: loket.areas is not None, timeout=20_000)
    return loket


def review(qtbot: Any, form: Any) -> Any:
    qtbot.waitUntil(lambda: form.review_dialog is not None and form.review_dialog.isVisible())
    dialog = form.review_dialog
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_review_is_off_by_default(qtbot, gui_data_dir, start_app, keyboard):
    a = generate(1, seed=51)[0].applicant
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    window = loket.main_window
    assert not window.act_review.isChecked() and not window.form.review_before_save
    window.form.load(dict(a))
    keyboard.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.dialog("receiptDialog") is not None, timeout=10_000)
    assert window.form.review_dialog is None


def test_enter_saves_esc_goes_back_and_the_setting_is_kept(
    qtbot, gui_data_dir, start_app, keyboard
):
    a = generate(1, seed=52)[0].applicant
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    window = loket.main_window
    form = window.form
    window.act_review.trigger()  # Registration > Review before saving
    assert form.review_before_save

    form.load(dict(a))
    form.phone.setFocus()
    keyboard.press(Key.Key_S, CTRL)
    dialog = review(qtbot, form)
    assert dialog.values["full_name"] == a["full_name"]
    assert dialog.values["nik"] == " ".join(a["nik"][i : i + 4] for i in range(0, 16, 4))
    assert loket.areas.name(a["village_code"]) in dialog.values["village_code"]
    keyboard.press(Key.Key_Escape)  # back to the form: nothing saved
    qtbot.waitUntil(lambda: form.review_dialog is None)
    assert loket.service.count() == 0
    qtbot.waitUntil(lambda: focused_name() == "field_phone")
    assert form.full_name.text() == a["full_name"]

    keyboard.press(Key.Key_S, CTRL)
    review(qtbot, form)
    keyboard.press(Key.Key_Return)  # read back and agreed: save
    qtbot.waitUntil(lambda: window.dialog("receiptDialog") is not None, timeout=10_000)
    assert loket.service.count() == 1

    # kept for the next start of the app
    loket.shutdown()
    again = started(qtbot, start_app, keyboard, gui_data_dir)
    assert again.main_window.act_review.isChecked()
    assert again.main_window.form.review_before_save


def test_a_record_with_errors_goes_straight_to_its_problems(
    qtbot, gui_data_dir, start_app, keyboard
):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    window = loket.main_window
    window.act_review.trigger()
    keyboard.type("3201")
    keyboard.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.dialog("saveProblemsDialog") is not None)
    assert window.form.review_dialog is None
