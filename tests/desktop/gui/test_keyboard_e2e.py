"""Acceptance (issue 3): a clerk registers an applicant by keyboard only, on the real store.

Log in, type a synthetic applicant field by field (Tab/Enter order of the form), see the NIK
prefill, Ctrl+S, write the receipt PDF with Enter, find the record in the list with Ctrl+F;
close the app and start it again on the same folder: the record is still there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from common.enums import Disability, Education, EmploymentStatus, Skill
from common.synthetic import generate
from desktop.application import LoketApp

from .conftest import Keyboard, focused_name, log_in

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def assert_focus_visible() -> None:
    """The focused widget of the form lies wholly inside the form's scroll viewport."""
    w = QApplication.focusWidget()
    assert w is not None
    scroll = w.window().findChild(QScrollArea, "formScroll")
    assert scroll is not None and scroll.widget().isAncestorOf(w), w.objectName()
    # no processEvents() here: the form must scroll at once, before the next keystroke
    # (on the offscreen platform it would also let the hidden village popup take activation)
    viewport = scroll.viewport()
    rect = QRect(w.mapTo(viewport, QPoint(0, 0)), w.size())
    assert viewport.rect().contains(rect), (
        f"{w.objectName()} at {rect.getRect()} is outside the viewport {viewport.rect().getRect()}"
    )


def next_field(kb: Keyboard, expected: str, key: Qt.Key = Key.Key_Return) -> None:
    kb.press(key)
    assert focused_name() == f"field_{expected}", (
        f"{key.name} went to {focused_name()!r}, not {expected!r}"
    )
    assert_focus_visible()


def type_applicant(qtbot: Any, kb: Keyboard, loket: LoketApp, a: dict[str, Any]) -> None:
    form = loket.main_window.form
    qtbot.waitUntil(lambda: loket.areas is not None, timeout=20_000)  # village index built
    kb.type(a["nik"])
    # the NIK prefill: birth date and sex filled in, the suggestion shows the district
    qtbot.waitUntil(lambda: form.nik_hint.isVisible())
    assert form.birth_date.text() == a["birth_date"]
    assert form.sex.currentData() == a["sex"]
    district = loket.areas.full_path(a["village_code"][:8], loket.lang)
    assert district in form.nik_hint.text()

    next_field(kb, "kk_number")
    kb.type(a["kk_number"])
    next_field(kb, "full_name")
    kb.type(a["full_name"])
    next_field(kb, "birth_place")
    kb.type(a["birth_place"])
    next_field(kb, "birth_date")  # prefilled from the NIK
    next_field(kb, "sex")  # prefilled from the NIK
    next_field(kb, "mother_maiden_name")
    kb.type(a["mother_maiden_name"])
    next_field(kb, "phone")
    kb.type(a["phone"])
    next_field(kb, "email")
    kb.type(a["email"])
    next_field(kb, "street")
    kb.type(a["street"])
    next_field(kb, "rt")
    kb.type(a["rt"])
    next_field(kb, "rw")
    kb.type(a["rw"])
    next_field(kb, "village_code")

    village = form.village_code
    kb.type(loket.areas.name(a["village_code"]))
    qtbot.waitUntil(village.popup_visible)
    popup = village.completer().popup()
    for _ in range(20):  # the NIK's district comes first; walk down to the exact village
        if village.suggestions.code_at(popup.currentIndex().row()) == a["village_code"]:
            break
        qtbot.keyClick(popup, Key.Key_Down)
    assert village.suggestions.code_at(popup.currentIndex().row()) == a["village_code"]
    qtbot.keyClick(popup, Key.Key_Return)  # picks the village and moves on
    assert village.code() == a["village_code"]
    assert focused_name() == "field_postal_code"
    assert_focus_visible()
    kb.type(a["postal_code"])
    next_field(kb, "domicile_same")  # ticked: the domicile fields stay hidden and are skipped
    next_field(kb, "education")
    kb.press(Key.Key_Down, times=list(Education).index(Education(a["education"])) + 1)
    next_field(kb, "employment_status")
    kb.press(
        Key.Key_Down,
        times=list(EmploymentStatus).index(EmploymentStatus(a["employment_status"])) + 1,
    )
    next_field(kb, "disability")
    kb.press(Key.Key_Down, times=list(Disability).index(Disability(a["disability"])))
    next_field(kb, "former_migrant_worker")
    if a["former_migrant_worker"]:
        kb.press(Key.Key_Space)
    next_field(kb, "skills")
    row = 0
    for index in sorted(list(Skill).index(Skill(s)) for s in a["skills"]):
        kb.press(Key.Key_Down, times=index - row)
        row = index
        kb.press(Key.Key_Space)
    next_field(kb, "motivation")
    kb.type(a["motivation"])
    next_field(kb, "declaration_not_excluded")
    kb.press(Key.Key_Space)
    next_field(kb, "consent_given")
    kb.press(Key.Key_Space)

    raw = form.raw()
    for name in (
        "nik",
        "kk_number",
        "full_name",
        "birth_date",
        "sex",
        "village_code",
        "education",
        "employment_status",
        "disability",
        "postal_code",
    ):
        assert raw[name] == a[name], name
    assert sorted(raw["skills"]) == sorted(a["skills"])


def test_register_by_keyboard_and_find_it_after_restart(
    qtbot, gui_data_dir: Path, start_app, keyboard
):
    sample = generate(1, seed=3)[0].applicant
    kb = keyboard
    loket = start_app(gui_data_dir)
    log_in(qtbot, kb, loket)
    window = loket.main_window
    type_applicant(qtbot, kb, loket, sample)

    kb.press(Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: window.dialog("receiptDialog") is not None, timeout=10_000)
    receipt = window.dialog("receiptDialog")
    code = receipt.registration.code
    assert window.form.status_label.text().startswith("Tersimpan")  # only after the commit
    saved = loket.service.get_by_code(code)
    assert saved is not None and saved.applicant.nik == sample["nik"]

    receipt.activateWindow()
    qtbot.waitUntil(lambda: focused_name() == "savePdfButton")
    pdf = Path(receipt.path.text())
    with qtbot.waitSignal(receipt.pdfWritten, timeout=10_000):
        kb.press(Key.Key_Return)
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    kb.press(Key.Key_Escape)
    qtbot.waitUntil(lambda: window.dialog("receiptDialog") is None)

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    kb.press(Key.Key_F, CTRL)
    assert focused_name() == "listSearch"
    kb.type(sample["nik"])
    kb.press(Key.Key_Return)
    qtbot.waitUntil(lambda: window.list.model.total() == 1)
    assert window.list.model.row_at(0).code == code
    qtbot.waitUntil(lambda: window.dialog("recordView") is not None)  # the one hit opens
    window.dialog("recordView").reject()
    qtbot.waitUntil(lambda: window.dialog("recordView") is None)

    # close the app (window and store) and start it again on the same folder
    loket.shutdown()
    again = start_app(gui_data_dir)
    log_in(qtbot, kb, again)
    kb.press(Key.Key_F, CTRL)
    kb.type(sample["full_name"].split()[0])
    with qtbot.waitSignal(again.main_window.list.openRecord):  # the one hit opens at Enter
        kb.press(Key.Key_Return)
    assert again.main_window.list.model.total() == 1
    assert again.main_window.list.model.row_at(0).code == code
    qtbot.waitUntil(lambda: again.main_window.dialog("recordView") is not None)
    view = again.main_window.dialog("recordView")
    assert view.history.topLevelItemCount() == 1
    assert date.fromisoformat(sample["birth_date"])  # sanity


ORDER = [
    "nik",
    "kk_number",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "mother_maiden_name",
    "phone",
    "email",
    "street",
    "rt",
    "rw",
    "village_code",
    "postal_code",
    "domicile_same",
    "domicile_street",
    "domicile_rt",
    "domicile_rw",
    "domicile_village_code",
    "domicile_postal_code",
    "education",
    "employment_status",
    "disability",
    "former_migrant_worker",
    "skills",
    "motivation",
    "declaration_not_excluded",
    "consent_given",
]


def test_every_focused_field_is_visible_at_1366x768_with_enter_and_tab(
    qtbot, gui_data_dir: Path, start_app, keyboard
):
    """Issue 13 #3: Enter moved the focus below the viewport (after "Domisili" eight fields
    were typed blind); Tab scrolled. Both keys, both directions, the domicile rows shown."""
    kb = keyboard
    loket = start_app(gui_data_dir)
    log_in(qtbot, kb, loket)
    window = loket.main_window
    # the smallest office screen's size (on a smaller one the window is smaller still:
    # test_main_window_fits.py); this test process's offscreen screen is 800x800
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == (1366, 768))
    assert_focus_visible()
    for name in ORDER[1:]:
        if name == "domicile_street":
            assert window.form.domicile_same.isChecked()
            kb.press(Key.Key_Space)  # lives elsewhere: the domicile rows appear
        next_field(kb, name)
    # and back up with Shift+Tab, then down again with Tab
    for name in reversed(ORDER[:-1]):
        kb.press(Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
        assert focused_name() == f"field_{name}"
        assert_focus_visible()
    for name in ORDER[1:]:
        next_field(kb, name, Key.Key_Tab)
