"""Del on a draft asks before deleting it (issue 13, smaller items): Enter or Esc on the
question keeps the draft; only "Hapus" deletes it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from common.synthetic import generate

from .conftest import log_in

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def test_delete_key_asks_first(qtbot, gui_data_dir, start_app, keyboard) -> None:
    a = generate(1, seed=41)[0].applicant
    loket = start_app(gui_data_dir)
    log_in(qtbot, keyboard, loket)
    window: Any = loket.main_window
    loket.service.save_draft({"nik": a["nik"], "full_name": a["full_name"]})
    window.drafts.refresh()
    keyboard.press(Key.Key_3, CTRL)
    window.drafts.focus_table()
    qtbot.waitUntil(lambda: window.drafts.table.rowCount() == 1)
    qtbot.waitUntil(lambda: window.drafts.table.hasFocus())

    for answer in (Key.Key_Escape, Key.Key_Return):  # both keep the draft
        keyboard.press(Key.Key_Delete)
        qtbot.waitUntil(lambda: window.drafts.confirm is not None)
        box = window.drafts.confirm
        assert a["full_name"] in box.text()
        qtbot.waitUntil(lambda b=box: QApplication.activeModalWidget() is b)
        qtbot.keyClick(box, answer)
        qtbot.waitUntil(lambda: window.drafts.confirm is None)
        assert len(loket.service.list_drafts()) == 1
        window.drafts.focus_table()

    keyboard.press(Key.Key_Delete)
    qtbot.waitUntil(lambda: window.drafts.confirm is not None)
    window.drafts.confirm.findChild(object, "confirmDeleteButton").click()
    qtbot.waitUntil(lambda: loket.service.list_drafts() == [])
    qtbot.waitUntil(lambda: window.drafts.table.rowCount() == 0)
