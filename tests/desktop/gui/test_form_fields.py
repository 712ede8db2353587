"""Issue 13, the form's fields as a clerk types them: the village field taken by Tab, no
character the record refuses can enter a text field (and the refusal names the character),
the NIK hint after the birth date is changed, the domicile rows in the main column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
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


def press(
    qtbot: Any,
    key: Qt.Key,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
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


def test_tab_sent_to_the_field_with_the_list_open_takes_the_highlighted_village(
    qtbot, gui_data_dir, start_app, keyboard
):
    """The same with the key delivered to the line edit itself (platforms where the open
    list does not grab the keyboard)."""
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    village = form.village_code
    village.setFocus()
    keyboard.type("Sukamaj")
    qtbot.waitUntil(village.popup_visible)
    highlighted = village.suggestions.code_at(village.completer().popup().currentIndex().row())
    qtbot.keyClick(village, Key.Key_Tab)
    assert focused_name() == "field_postal_code"
    assert village.code() == highlighted
    assert not village.popup_visible()


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


# --- no character saving refuses (issue 13 #8) -------------------------------------------
def paste(qtbot: Any, widget: Any, text: str) -> None:
    QApplication.clipboard().setText(text)
    widget.setFocus()
    qtbot.keyClick(widget, Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_reason_takes_no_line_break_typed_or_pasted(qtbot, gui_data_dir, start_app, keyboard):
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    form.motivation.setFocus()
    keyboard.type("Ingin bekerja")
    keyboard.press(Key.Key_Return, SHIFT)  # used to make a new line
    keyboard.press(Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    keyboard.type("di pabrik")
    assert "\n" not in form.motivation.toPlainText()
    form.motivation.moveCursor(form.motivation.textCursor().MoveOperation.End)
    paste(qtbot, form.motivation, " dan\r\nmenjahit\tbaju\u200b\u202e.")
    text = form.motivation.toPlainText()
    assert text.isprintable(), repr(text)
    assert "menjahit baju" in text
    form.run_check()
    assert form.boxes["motivation"].severity is None, form.boxes["motivation"].message_text()
    # an input method's commit, or text set by a program: cleaned all the same
    form.motivation.setPlainText("baris satu\nbaris dua\u2028tiga")
    assert form.motivation.toPlainText() == "baris satu baris dua tiga"


def test_every_line_field_cleans_pasted_text(qtbot, gui_data_dir, start_app, keyboard):
    from PySide6.QtWidgets import QLineEdit

    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    form.domicile_same.setChecked(False)
    edits = {n: b.editor for n, b in form.boxes.items() if isinstance(b.editor, QLineEdit)}
    assert len(edits) >= 17
    for name, edit in edits.items():
        edit.clear()
        digits = name in (
            "nik",
            "kk_number",
            "rt",
            "rw",
            "postal_code",
            "domicile_rt",
            "domicile_rw",
            "domicile_postal_code",
        )
        paste(qtbot, edit, "1\n2" if digits else "Jl\nMawar\t1\x00\u200b")
        assert edit.text().isprintable(), (name, edit.text())
        assert edit.text() == ("1 2" if digits else "Jl Mawar 1"), (name, edit.text())


def test_refusal_names_the_character(qtbot, gui_data_dir, start_app, keyboard):
    """A record loaded with a refused character (e.g. an old draft) or sent by another
    client: the message says which character, in both languages."""
    from common import errors as E
    from common.validation import check

    problems = check({"motivation": "satu\nnya", "full_name": "Budi\u202eSantoso"}).problems
    by_field = {p.field: p for p in problems if p.code == E.TEXT_CONTROL_CHARS}
    assert "baris baru" in by_field["motivation"].message("id")
    assert "line break" in by_field["motivation"].message("en")
    assert "U+202E" in by_field["full_name"].message("id")
    assert "U+202E" in by_field["full_name"].message("en")
    assert "{" not in by_field["full_name"].message("id")


# --- the NIK hint after the birth date is changed (issue 13 #11) ---------------------------
def test_the_nik_hint_never_says_a_changed_date_came_from_the_nik(
    qtbot, gui_data_dir, start_app, keyboard
):
    from common.synthetic import generate

    a = generate(1, seed=44)[0].applicant
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    keyboard.type(a["nik"])
    qtbot.waitUntil(form.nik_hint.isVisible)
    assert "Tanggal lahir dan jenis kelamin diisi dari NIK" in form.nik_hint.text()
    for typed, shown in (("01-01-2001", "2001-01-01"), ("2002-02-02", "2002-02-02")):
        form.birth_date.setFocus()
        form.birth_date.selectAll()
        keyboard.type(typed)  # day-first, normalised on leaving the field
        keyboard.press(Key.Key_Return)
        hint = form.nik_hint.text()
        assert f"Tidak cocok: tanggal lahir diketik {shown}" in hint, hint
        assert "Tanggal lahir" not in hint.split("\n", 1)[1].split("Tidak cocok")[0], hint
        assert "Jenis kelamin diisi dari NIK" in hint, hint
    # typed back to the NIK's date: no disagreement, and not "filled in" either
    form.birth_date.setFocus()
    form.birth_date.selectAll()
    keyboard.type(a["birth_date"])
    keyboard.press(Key.Key_Return)
    hint = form.nik_hint.text()
    assert "Tidak cocok" not in hint and "Tanggal lahir dan" not in hint, hint


# --- the domicile rows in the main column (issue 13 #11) -----------------------------------
@pytest.mark.parametrize("lang", ["id", "en"])
def test_domicile_editors_start_where_the_main_column_does(
    qtbot, gui_data_dir, start_app, keyboard, lang
):
    from PySide6.QtCore import QPoint

    loket = start_app(gui_data_dir, lang)
    log_in(qtbot, keyboard, loket)
    form = loket.main_window.form
    form.domicile_same.setChecked(False)
    QApplication.processEvents()
    body = form.scroll_area.widget()
    column = form.street.mapTo(body, QPoint(0, 0)).x()
    assert column == form.nik.mapTo(body, QPoint(0, 0)).x()
    for name in (
        "domicile_street",
        "domicile_rt",
        "domicile_rw",
        "domicile_village_code",
        "domicile_postal_code",
    ):
        assert form.boxes[name].editor.mapTo(body, QPoint(0, 0)).x() == column, name


# --- birth place suggested from the NIK's regency (issue 13, missing) ----------------------
def test_birth_place_is_suggested_from_the_niks_regency(qtbot, gui_data_dir, start_app, keyboard):
    from common.nik import parse_nik
    from common.synthetic import generate

    a = generate(1, seed=45)[0].applicant
    loket = started(qtbot, start_app, keyboard, gui_data_dir)
    form = loket.main_window.form
    regency = loket.areas.name(parse_nik(a["nik"]).district_code[:5])
    expected = regency.removeprefix("Kabupaten ").removeprefix("Kota ")
    keyboard.type(a["nik"])
    assert form.birth_place.text() == expected
    assert "Tempat lahir disarankan" in form.nik_hint.text()
    keyboard.press(Key.Key_Return)
    keyboard.press(Key.Key_Return)
    keyboard.press(Key.Key_Return)
    assert focused_name() == "field_birth_place"
    keyboard.type("Surabaya")  # typing replaces the suggestion
    assert form.birth_place.text() == "Surabaya"
    qtbot.waitUntil(lambda: "Tempat lahir disarankan" not in form.nik_hint.text())
    assert form.raw()["birth_place"] == "Surabaya"
    # a place typed before the NIK is kept
    form.clear()
    form.birth_place.setFocus()
    keyboard.type("Medan")
    form.nik.setFocus()
    keyboard.type(a["nik"])
    assert form.birth_place.text() == "Medan"
    # a click into the suggestion (not Tab) also replaces it when typing
    form.clear()
    form.nik.setFocus()
    keyboard.type(a["nik"])
    assert form.birth_place.text() == expected
    form.birth_place.setFocus(Qt.FocusReason.MouseFocusReason)
    keyboard.type("Solo")
    assert form.birth_place.text() == "Solo"
