"""The list's search finds what applicants say (issue 13, defect 9): a phone with spaces, a
part of the registration code, the last four NIK digits (the only ones the list shows); with
exactly one hit, Enter in the search box opens it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from common.synthetic import generate

from .conftest import focused_name, log_in

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def _search(qtbot: Any, keyboard: Any, window: Any, query: str) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    keyboard.press(Key.Key_F, CTRL)
    assert focused_name() == "listSearch"
    keyboard.press(Key.Key_A, CTRL)
    keyboard.type(query)
    keyboard.press(Key.Key_Return)


def _opened(qtbot: Any, window: Any, registration_id: str) -> None:
    qtbot.waitUntil(lambda: window.dialog("recordView") is not None, timeout=5_000)
    view = window.dialog("recordView")
    assert view.registration.id == registration_id
    view.reject()
    qtbot.waitUntil(lambda: window.dialog("recordView") is None)


def test_what_applicants_say_finds_them_and_enter_opens_the_one_hit(
    qtbot, keyboard, start_app, gui_data_dir: Path
) -> None:
    loket = start_app(gui_data_dir)
    log_in(qtbot, keyboard, loket)
    window: Any = loket.main_window
    people = [s.applicant for s in generate(12, seed=913)]
    regs = [loket.service.save(a).registration for a in people]
    window.list.refresh()
    target = regs[5]
    a = target.applicant
    local = "0" + a.phone[3:]

    queries = [
        f"{local[:4]} {local[4:8]} {local[8:]}",  # "0812 3456 7890"
        f"+62 {local[1:4]}-{local[4:8]}-{local[8:]}",
        "-".join(target.code.split("-")[1:3]),  # "007-000006"
        target.code.replace("-", " "),
    ]
    if sum(r.applicant.nik.endswith(a.nik[-4:]) for r in regs) == 1:
        queries.append(a.nik[-4:])  # what the list shows of the NIK
    for query in queries:
        _search(qtbot, keyboard, window, query)
        _opened(qtbot, window, target.id)
        assert window.list.model.total() == 1, query

    # several hits: Enter goes to the list instead, the first row selected, nothing opened
    _search(qtbot, keyboard, window, target.code.split("-")[0])
    assert window.dialog("recordView") is None
    if window.list.model.total() > 1:
        assert focused_name() == "listTable"
