"""Issue 13 #5: nothing typed is thrown away silently by Ctrl+N or by closing the window.
A new applicant's typing (any field) is kept as a draft; changes to a saved record make the
form ask: save, discard, or back to the form."""

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


def edit_saved(qtbot: Any, loket: Any, keyboard: Any, seed: int) -> Any:
    """A saved record opened for editing, its phone changed by typing."""
    saved = loket.service.save(generate(1, seed=seed)[0].applicant).registration
    window = loket.main_window
    window.edit_registration(saved)
    qtbot.waitUntil(lambda: window.form.registration_id == saved.id)
    form = window.form
    form.phone.setFocus()
    form.phone.selectAll()
    keyboard.type("081299990000")
    assert form.has_unsaved()
    return saved


def question(qtbot: Any, form: Any) -> Any:
    qtbot.waitUntil(lambda: form.unsaved_dialog is not None and form.unsaved_dialog.isVisible())
    box = form.unsaved_dialog
    box.activateWindow()
    qtbot.waitUntil(box.isActiveWindow)
    return box


def test_ctrl_n_keeps_any_typing_of_a_new_applicant_as_a_draft(
    qtbot, gui_data_dir, start_app, keyboard
):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    form.street.setFocus()
    keyboard.type("Jl. Melati 5")  # no NIK, name or phone yet
    keyboard.press(Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: len(loket.service.list_drafts()) == 1)
    draft = loket.service.load_draft(loket.service.list_drafts()[0].id)
    assert draft["street"] == "Jl. Melati 5"
    assert form.street.text() == "" and focused_name() == "field_nik"
    assert "draf" in form.status_label.text()


def test_ctrl_n_on_changed_record_asks(qtbot, gui_data_dir, start_app, keyboard):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    saved = edit_saved(qtbot, loket, keyboard, seed=21)

    keyboard.press(Key.Key_N, CTRL)
    box = question(qtbot, form)
    assert saved.code in box.text()
    keyboard.press(Key.Key_Escape)  # back to the form: nothing lost
    qtbot.waitUntil(lambda: form.unsaved_dialog is None)
    assert form.registration_id == saved.id and form.phone.text() == "081299990000"
    qtbot.waitUntil(lambda: focused_name() == "field_phone")  # where the clerk was

    keyboard.press(Key.Key_N, CTRL)
    box = question(qtbot, form)
    keyboard.press(Key.Key_Return)  # the default: save
    qtbot.waitUntil(lambda: len(loket.service.history(saved.id)) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: form.registration_id is None)
    assert form.phone.text() == ""
    assert loket.service.get(saved.id).applicant.phone.endswith("81299990000")

    window = loket.main_window
    qtbot.waitUntil(lambda: window.dialog("receiptDialog") is not None)
    window.dialog("receiptDialog").reject()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    # discard: the record keeps its saved data, the form starts over
    again = loket.service.get(saved.id)
    loket.main_window.edit_registration(again)
    qtbot.waitUntil(lambda: form.registration_id == saved.id)
    form.full_name.setFocus()
    form.full_name.selectAll()
    keyboard.type("Nama Lain")
    keyboard.press(Key.Key_N, CTRL)
    box = question(qtbot, form)
    box.findChild(type(box.defaultButton()), "unsavedDiscardButton").click()
    qtbot.waitUntil(lambda: form.registration_id is None)
    assert loket.service.get(saved.id).applicant.full_name == again.applicant.full_name
    assert len(loket.service.history(saved.id)) == 2


def test_closing_with_changes_asks_and_keeps_drafts(qtbot, gui_data_dir, start_app, keyboard):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    window = loket.main_window
    form = window.form
    saved = edit_saved(qtbot, loket, keyboard, seed=22)

    window.close()
    question(qtbot, form)
    assert window.isVisible()  # the window waits for the answer
    keyboard.press(Key.Key_Escape)
    qtbot.waitUntil(lambda: form.unsaved_dialog is None)
    assert window.isVisible() and form.phone.text() == "081299990000"
    qtbot.waitUntil(lambda: focused_name() == "field_phone")

    keyboard.press(Key.Key_Q, CTRL)  # Quit asks the same
    question(qtbot, form)
    keyboard.press(Key.Key_Return)  # save
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert len(loket.service.history(saved.id)) == 2


def test_closing_keeps_a_new_applicants_typing_as_a_draft(qtbot, gui_data_dir, start_app, keyboard):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    window = loket.main_window
    window.form.email.setFocus()
    keyboard.type("calon@contoh.id")
    window.close()
    assert not window.isVisible()
    loket.shutdown()  # waits for queued database work
    again = start_app(gui_data_dir)
    log_in(qtbot, keyboard, again)
    drafts = again.service.list_drafts()
    assert len(drafts) == 1
    assert again.service.load_draft(drafts[0].id)["email"] == "calon@contoh.id"
