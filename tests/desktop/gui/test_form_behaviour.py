"""The form's behaviour on the real store: NIK prefill and disagreement, every problem listed
on a failed save with the first one focused, an already registered NIK opening the existing
record, edits making new revisions, drafts kept and resumed, Ctrl+N never losing typing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from common import errors as E
from common.synthetic import generate

from .conftest import focused_name, log_in

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def started(qtbot: Any, start_app: Any, keyboard: Any, folder: Path) -> Any:
    loket = start_app(folder)
    log_in(qtbot, keyboard, loket)
    qtbot.waitUntil(lambda: loket.areas is not None, timeout=20_000)
    return loket


def test_nik_prefills_and_flags_disagreement(qtbot, gui_data_dir, start_app, keyboard):
    a = generate(1, seed=5)[0].applicant
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    keyboard.type(a["nik"])
    qtbot.waitUntil(form.nik_hint.isVisible)
    assert form.birth_date.text() == a["birth_date"]
    assert "diisi dari NIK" in form.nik_hint.text()
    # the clerk types another date: the hint and the field both say it disagrees
    form.birth_date.setFocus()
    form.birth_date.selectAll()
    keyboard.type("2001-01-01")
    keyboard.press(Key.Key_Return)
    qtbot.waitUntil(lambda: "Tidak cocok" in form.nik_hint.text())
    qtbot.waitUntil(lambda: form.boxes["birth_date"].severity == "error")
    assert "NIK" in form.boxes["birth_date"].message.text()


def test_failed_save_lists_every_problem_and_focuses_the_first(
    qtbot, gui_data_dir, start_app, keyboard
):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    window = loket.main_window
    keyboard.type("3201")  # a NIK too short, nothing else
    keyboard.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.dialog("saveProblemsDialog") is not None)
    dialog = window.dialog("saveProblemsDialog")
    codes = {p.code for p in dialog.problems}
    assert {E.NIK_FORMAT, E.REQUIRED, E.CONSENT_REQUIRED, E.SKILLS_REQUIRED} <= codes
    assert dialog.list.count() == len(dialog.problems)
    assert loket.service.count() == 0
    # every problem is also shown beside its field
    assert window.form.boxes["full_name"].severity == "error"
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focused_name() == "problemList")
    keyboard.press(Key.Key_Return)
    qtbot.waitUntil(lambda: window.dialog("saveProblemsDialog") is None)
    qtbot.waitUntil(lambda: focused_name() == "field_nik")


def test_registered_nik_opens_the_existing_record(qtbot, gui_data_dir, start_app, keyboard):
    a = generate(1, seed=7)[0].applicant
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    first = loket.service.save(a)
    assert first.ok
    window = loket.main_window
    window.form.load(dict(a))
    keyboard.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.dialog("recordView") is not None)
    assert window.dialog("recordView").registration.id == first.registration.id
    assert loket.service.count() == 1


def test_edit_before_sync_makes_a_new_revision(qtbot, gui_data_dir, start_app, keyboard):
    a = generate(1, seed=8)[0].applicant
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    saved = loket.service.save(a).registration
    window = loket.main_window
    window.open_record(saved.id)
    qtbot.waitUntil(lambda: window.dialog("recordView") is not None)
    view = window.dialog("recordView")
    view.activateWindow()
    qtbot.waitUntil(lambda: view.isActiveWindow())
    keyboard.press(Key.Key_E, CTRL)  # edit
    qtbot.waitUntil(lambda: window.form.registration_id == saved.id)
    assert "revisi 2" in window.form.mode_label.text()
    qtbot.waitUntil(lambda: focused_name() == "field_nik")
    form = window.form
    form.phone.setFocus()
    form.phone.selectAll()
    keyboard.type("081299990000")
    keyboard.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.dialog("receiptDialog") is not None)
    history = loket.service.history(saved.id)
    assert [h.revision for h in history] == [1, 2]
    assert "phone" in history[1].changed_fields
    assert loket.service.count() == 1


def test_draft_kept_by_ctrl_n_and_resumed(qtbot, gui_data_dir, start_app, keyboard):
    a = generate(1, seed=9)[0].applicant
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    window = loket.main_window
    keyboard.type(a["nik"])
    keyboard.press(Key.Key_Return)
    keyboard.press(Key.Key_Return)
    keyboard.type(a["full_name"])
    keyboard.press(Key.Key_N, CTRL)  # new applicant: the typing is kept as a draft
    qtbot.waitUntil(lambda: len(loket.service.list_drafts()) == 1)
    assert window.form.nik.text() == ""
    assert loket.service.count() == 0  # drafts are not registrations (never in the outbox)
    keyboard.press(Key.Key_3, CTRL)
    qtbot.waitUntil(lambda: window.drafts.table.rowCount() == 1)
    assert focused_name() == "draftsTable"
    keyboard.press(Key.Key_Return)
    qtbot.waitUntil(lambda: window.form.draft_id is not None)
    assert window.form.nik.text() == a["nik"]
    assert window.form.full_name.text() == a["full_name"]
    # complete it and save: the draft goes in the same transaction
    window.form.load({**a}, draft_id=window.form.draft_id)
    keyboard.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.dialog("receiptDialog") is not None)
    assert loket.service.list_drafts() == []
    assert loket.service.pending_count() == 1


def test_list_filters_by_status_and_sorts(qtbot, gui_data_dir, start_app, keyboard):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    for s in generate(5, seed=12):
        assert loket.service.save(s.applicant).ok
    window = loket.main_window
    keyboard.press(Key.Key_F, CTRL)
    qtbot.waitUntil(lambda: window.list.model.total() == 5)
    keyboard.press(Key.Key_Tab)
    assert focused_name() == "listStatus"
    keyboard.press(Key.Key_Down, times=2)  # "received": none yet
    qtbot.waitUntil(lambda: window.list.model.total() == 0)
    keyboard.press(Key.Key_Up)  # "saved"
    qtbot.waitUntil(lambda: window.list.model.total() == 5)
    window.list.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # by name
    names = [window.list.model.row_at(i).full_name for i in range(5)]
    assert names == sorted(names)
