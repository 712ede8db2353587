"""Every visible string of the main screens has an Indonesian translation (issue 3).

1. ``loket_id.ts`` has a finished, non-empty translation for every source string, different
   from the English unless the words are the same in both languages (NIK, RT, Email …), with
   the same ``%1`` placeholders; the compiled ``loket_id.qm`` gives the same translations.
2. With the app running in its default language, every text a widget shows (text,
   placeholder, tooltip, window and group titles, accessible names, tab and menu texts, item
   and header texts) on the login window, the main window's form / list / drafts, and the
   dialogs, is an Indonesian translation or data (from common's bilingual labels, or marked
   ``loketData`` because it shows a record's values).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from common.enums import CONSENT_VERSIONS, LABELS
from common.record import FIELD_LABELS
from common.synthetic import generate
from desktop.i18n import I18N_DIR, qm_path

from .conftest import OPERATOR, PASSWORD

#: Sources whose Indonesian is the same words.
SAME_IN_BOTH = {
    "Loket",
    "Loket %1",
    "Loket — %1",
    "NIK",
    "RT",
    "RW",
    "Email",
    "Status",
    "Operator",
    "Operator: %1",
    "%1, NIK %2",
    "%1 — %2",
    "%1: %2",
}
_PLACEHOLDER = re.compile(r"%\d")


def ts_messages(lang: str = "id") -> list[tuple[str, str, str, str | None]]:
    """(context, source, translation, type attribute) of every message in loket_<lang>.ts."""
    tree = ET.parse(I18N_DIR / f"loket_{lang}.ts")
    out = []
    for ctx in tree.getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            tr = m.find("translation")
            assert tr is not None
            forms = [f.text or "" for f in tr.iter("numerusform")]  # plural forms (tr with n)
            text = " / ".join(forms) if forms else tr.text or ""
            out.append((name, m.findtext("source") or "", text, tr.get("type")))
    return out


def test_ts_entries_are_finished_and_compiled() -> None:
    messages = ts_messages("id")
    assert len(messages) > 150
    translator = QTranslator()
    assert translator.load(str(qm_path("id")))
    for context, source, translation, kind in messages:
        assert kind is None, f"{context}: {source!r} is {kind}"
        assert translation.strip(), f"{context}: {source!r} has no translation"
        if source not in SAME_IN_BOTH:
            assert translation != source, f"{context}: {source!r} is not translated"
        assert sorted(_PLACEHOLDER.findall(source)) == sorted(_PLACEHOLDER.findall(translation)), (
            source
        )
        if "%n" in source or "%Ln" in source:  # a plural: check the compiled form for 1
            assert translator.translate(context, source, None, 1), f"{context}: {source!r}"
            continue
        assert translator.translate(context, source) == translation, (
            f"{context}: {source!r} not in the .qm"
        )


# --- what the screens show ------------------------------------------------------------------------
def allowed_texts() -> tuple[set[str], list[re.Pattern[str]]]:
    exact: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for _ctx, _src, translation, _kind in ts_messages("id"):
        if _PLACEHOLDER.search(translation):
            patterns.append(
                re.compile(
                    _PLACEHOLDER.sub(".+", re.escape(translation).replace("%", "%")), re.DOTALL
                )
            )
        else:
            exact.add(translation)
            exact.add(translation.replace("&", ""))
    # data in Indonesian from common (bilingual labels), never an English interface string
    for table in LABELS.values():
        exact.update(label[0] for label in table.values())
    exact.update(label[0] for label in FIELD_LABELS.values())
    exact.update(text[0] for text in CONSENT_VERSIONS.values())
    exact.update({"Bahasa Indonesia", "English"})  # each language named in itself
    return exact, patterns


def widget_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every visible string under ``root`` (data widgets skipped)."""
    out: list[tuple[str, str]] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not w.isVisibleTo(root) and w is not root:
            continue
        if w.property("loketData"):
            continue
        where = f"{type(w).__name__}#{w.objectName()}"
        texts = [w.toolTip(), w.accessibleName(), w.whatsThis()]
        if w.isWindow():
            texts.append(w.windowTitle())
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        if isinstance(w, (QLineEdit, QPlainTextEdit)):
            texts.append(w.placeholderText())
        if isinstance(w, QGroupBox):
            texts.append(w.title())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            texts += model_texts(w.model())
        if isinstance(w, QMainWindow):
            for menu in w.menuBar().findChildren(QMenu):
                texts.append(menu.title())
                texts += [a.text() for a in menu.actions() if not a.isSeparator()]
        out += [(where, t) for t in texts if t and t.strip()]
    return out


def model_texts(model: QAbstractItemModel) -> list[str]:
    texts: list[str] = []
    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # list models (QListWidget's) have one column, privately
        columns = 1
    for c in range(columns):
        header = model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        if isinstance(header, str):
            texts.append(header)
    if type(model).__name__ == "QStandardItemModel" or model.rowCount(QModelIndex()) <= 20:
        if type(model).__name__ not in ("RegistrationTableModel",):  # rows are data
            for r in range(min(model.rowCount(QModelIndex()), 20)):
                value = model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole)
                if isinstance(value, str):
                    texts.append(value)
    return texts


def assert_indonesian(root: QWidget, seen: list[str]) -> None:
    exact, patterns = allowed_texts()
    bad = []
    for where, text in widget_texts(root):
        seen.append(text)
        plain = text.replace("&", "") if "&" in text and "&&" not in text else text
        if text in exact or plain in exact or any(p.fullmatch(text) for p in patterns):
            continue
        if re.fullmatch(r"[\d\s.,:%/+-]*", text):
            continue  # numbers, dates
        bad.append(f"{where}: {text!r}")
    assert not bad, "texts without an Indonesian translation:\n" + "\n".join(bad)


def test_every_visible_string_is_indonesian(qtbot, gui_data_dir: Path, start_app, keyboard) -> None:
    seen: list[str] = []
    loket = start_app(gui_data_dir)  # no --lang, no setting: Indonesian
    login = loket.login
    assert login.button.text() == "Masuk"
    assert_indonesian(login, seen)
    login.show_no_operators_hint()
    assert_indonesian(login, seen)

    keyboard.type(OPERATOR)
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type(PASSWORD)
    keyboard.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: loket.main_window is not None, timeout=10_000)
    window = loket.main_window
    qtbot.waitUntil(lambda: loket.areas is not None, timeout=20_000)
    assert_indonesian(window, seen)  # the form (tab 0), menus, status bar

    # the form with its messages showing: a failed save lists the problems in a dialog
    window.activateWindow()
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.dialog("saveProblemsDialog") is not None)
    assert_indonesian(window.dialog("saveProblemsDialog"), seen)
    window.dialog("saveProblemsDialog").reject()

    # a saved record: the receipt dialog, the list with a row, the record view
    service = loket.service
    result = service.save(generate(1, seed=11)[0].applicant)
    assert result.ok, result.problems
    window.open_receipt(result.registration)
    assert_indonesian(window.dialog("receiptDialog"), seen)
    window.dialog("receiptDialog").reject()
    window.show_tab(1)
    window.list.refresh()
    assert_indonesian(window, seen)
    window.open_record(result.registration.id)
    qtbot.waitUntil(lambda: window.dialog("recordView") is not None)
    assert_indonesian(window.dialog("recordView"), seen)
    window.dialog("recordView").reject()

    # drafts, import, about
    service.save_draft({"nik": "3201", "full_name": "Draf"})
    window.show_tab(2)
    qtbot.waitUntil(lambda: window.drafts.table.rowCount() == 1)
    assert_indonesian(window, seen)
    window.open_import()
    assert_indonesian(window.dialog("importDialog"), seen)
    window.open_about()
    assert_indonesian(window.dialog("aboutDialog"), seen)
    # the domicile fields appear when the box is unticked
    window.show_tab(0)
    window.form.domicile_same.setChecked(False)
    assert_indonesian(window, seen)
    assert len(seen) > 150


def test_english_is_selectable(qtbot, gui_data_dir: Path, start_app) -> None:
    loket = start_app(gui_data_dir, lang="en")
    assert loket.login.button.text() == "Log in"
    # the choice on the login window is remembered for the next start
    loket.login.language.setCurrentIndex(0)
    qtbot.waitUntil(lambda: loket.login is not None and loket.login.button.text() == "Masuk")
    assert loket.settings.value("ui/language") == "id"


def _unused(*_: Any) -> None:  # keep imports honest for linters
    QApplication.instance()


def test_the_walker_catches_an_english_string(qtbot) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    QLabel("Save the receipt as", root)
    try:
        assert_indonesian(root, [])
    except AssertionError as exc:
        assert "Save the receipt as" in str(exc)
    else:
        raise AssertionError("an English label went unnoticed")
