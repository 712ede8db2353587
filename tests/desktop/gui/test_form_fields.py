"""Issue 13, the form's fields as a clerk types them: the village field taken by Tab, no
character the record refuses can enter a text field (and the refusal names the character),
the NIK hint after the birth date is changed, the domicile rows in the main column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from common.regions import Level

from .conftest import focused_name, log_in

Key = Qt.Key
SHIFT = Qt.KeyboardModifier.ShiftModifier


def started(qtbot: Any, start_app: Any, keyboard: Any, folder: Path) -> Any:
    loket = start_app(folder)
    log_in(qtbot, keyboard, loket)
    qtbot.waitUntil(lambda: loket.areas is not None, timeout=20_000)
    return loket


def press(qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
          ) -> None:  # fmt: skip
    """A real keyboard's key: an open popup list (it grabs the keyboard) gets it first."""
    target = QApplication.activePopupWidget() or QApplication.focusWidget()
    assert target is not None
    qtbot.keyClick(target, key, modifier)


def unique_village_query(areas: Any) -> tuple[str, str]:
    """A village name that the type-ahead answers with exactly one village."""
    for province in areas.children(""):
        for regency in areas.children(province.code)[:3]:
            for district in areas.children(regency.code)[:3]:
                for village in areas.children(district.code):
                    assert village.level is Level.VILLAGE
                    found = areas.search(village.name, limit=3)
                    if len(found) == 1 and found[0].code == village.code:
                        return village.name, village.code
    raise AssertionError("no village with a unique name")


def test_tab_in_the_open_village_list_takes_the_highlighted_village(
    qtbot, gui_data_dir, start_app, keyboard
):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    village = form.village_code
    village.setFocus()
    keyboard.type("Sukamaj")
    qtbot.waitUntil(village.popup_visible)
    press(qtbot, Key.Key_Down)
    highlighted = village.suggestions.code_at(village.completer().popup().currentIndex().row())
    press(qtbot, Key.Key_Tab)
    assert village.code() == highlighted
    assert focused_name() == "field_postal_code"
    assert form.raw()["village_code"] == highlighted
    # Shift+Tab back, retype, Shift+Tab out of the open list: also taken
    press(qtbot, Key.Key_Tab, SHIFT)
    assert focused_name() == "field_village_code"
    village.selectAll()
    keyboard.type("Sukamaj")
    qtbot.waitUntil(village.popup_visible)
    first = village.suggestions.code_at(0)
    press(qtbot, Key.Key_Tab, SHIFT)
    assert village.code() == first
    assert focused_name() == "field_rw"


def test_tab_with_the_list_closed_takes_the_only_match(qtbot, gui_data_dir, start_app, keyboard):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    name, code = unique_village_query(loket.areas)
    village = form.village_code
    village.setFocus()
    keyboard.type(name)
    qtbot.waitUntil(village.popup_visible)
    press(qtbot, Key.Key_Escape)  # the clerk closed the list
    assert not village.popup_visible()
    press(qtbot, Key.Key_Tab)
    assert village.code() == code
    assert form.raw()["village_code"] == code


def test_tab_out_of_an_unchosen_village_says_to_pick_one(qtbot, gui_data_dir, start_app, keyboard):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    village = form.village_code
    village.setFocus()
    keyboard.type("Sukamaj")  # many villages
    qtbot.waitUntil(village.popup_visible)
    press(qtbot, Key.Key_Escape)
    press(qtbot, Key.Key_Tab)
    assert village.code() == "" and village.text() == "Sukamaj"
    qtbot.waitUntil(lambda: form.boxes["village_code"].severity == "error")
    message = form.boxes["village_code"].message_text()
    assert "pilih satu dari daftar" in message
    assert "wajib diisi" not in message
    # Ctrl+S lists the same advice
    form.save()
    qtbot.waitUntil(lambda: loket.main_window.dialog("saveProblemsDialog") is not None)
    dialog = loket.main_window.dialog("saveProblemsDialog")
    village_problems = [p for p in dialog.problems if p.field == "village_code"]
    assert [p.code for p in village_problems] == ["VILLAGE_NOT_CHOSEN"]
