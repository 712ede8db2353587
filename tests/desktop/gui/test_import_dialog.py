"""The import dialog shows the rejected rows with their reasons (row, field, message) and names
the error file as the docs and the CLI do (issue 13, defect 6); a file as Indonesian Excel
saves it (``;``, Windows-1252, day-first dates) imports from the dialog."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget

from common import errors as E
from common.csvformat import COLUMNS, to_row
from common.synthetic import Generator

from .conftest import focused_name, log_in


def _excel_file(path: Path) -> Path:
    gen = Generator(seed=1313, today=date.today())
    good = to_row(gen.applicant())
    born = date.fromisoformat(good["birth_date"])
    good["birth_date"] = f"{born.day}/{born.month}/{born.year}"
    good["full_name"] = "Renée Sitompul"
    serial = to_row(gen.applicant())
    serial["birth_date"] = str((date.fromisoformat(serial["birth_date"]) - date(1899, 12, 30)).days)
    ambiguous = to_row(gen.applicant())
    ambiguous["birth_date"] = "15/03/01"
    bad_phone = to_row(gen.applicant())
    bad_phone["phone"] = "12345"
    body = io.StringIO(newline="")
    writer = csv.DictWriter(body, fieldnames=list(COLUMNS), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows([good, serial, ambiguous, bad_phone])
    path.write_bytes(body.getvalue().encode("cp1252"))
    return path


def _cells(table: QTableWidget) -> list[tuple[str, str, str]]:
    return [
        cast(tuple[str, str, str], tuple(table.item(r, c).text() for c in range(3)))
        for r in range(table.rowCount())
    ]


def test_rejected_rows_are_listed_in_the_dialog(
    qtbot: Any, keyboard, start_app, gui_data_dir: Path, tmp_path: Path
) -> None:
    src = _excel_file(tmp_path / "formulir.csv")
    loket = start_app(gui_data_dir)
    log_in(qtbot, keyboard, loket)
    window: Any = loket.main_window
    keyboard.press(Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.dialog("importDialog") is not None)
    dialog: Any = window.dialog("importDialog")
    dialog.activateWindow()
    dialog.file.setFocus()
    qtbot.waitUntil(lambda: focused_name() == "importFile")
    keyboard.type(str(src))
    keyboard.press(Qt.Key.Key_Return)  # the Import button is the default
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)

    report = dialog.report
    assert (report.total, report.saved, report.rejected) == (4, 2, 2), report.rejections
    table: QTableWidget = dialog.rejections
    assert table.isVisible()
    rows = _cells(table)
    assert [r[:2] for r in rows] == [("4", "Tanggal lahir"), ("5", "Nomor HP")]
    assert "15/03/01" in rows[0][2] and "tahun 4 angka" in rows[0][2]
    assert rows[1][2] == E.message(E.PHONE_INVALID, {}, "id")
    # one name for the error file: the dialog, the CLI and docs/IMPORT.md
    assert report.errors_path == tmp_path / "formulir.errors.csv"
    assert "formulir.errors.csv" in dialog.result_label.text()
    assert dialog.result_label.text().startswith(
        "4 baris dibaca: 2 tersimpan, 0 sudah ada, 2 ditolak."
    )
    doc = (Path(__file__).resolve().parents[3] / "docs" / "IMPORT.md").read_text(encoding="utf-8")
    assert "<file>.errors.csv" in doc and ".errors.csv" in dialog.errors.placeholderText()
    # the error file answers in the input's dialect: ';' and Windows-1252
    text = report.errors_path.read_bytes().decode("cp1252")
    assert text.startswith("nik;kk_number;")
    # and the record is there, with its accented name
    assert loket.service.find_by_nik(to_row_nik(src, 0)).applicant.full_name == "Renée Sitompul"

    QApplication.processEvents()


def to_row_nik(src: Path, index: int) -> str:
    text = src.read_bytes().decode("cp1252")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))[index]["nik"]


def test_the_dialog_lists_reasons_in_english_too(
    qtbot: Any, keyboard, start_app, gui_data_dir: Path, tmp_path: Path
) -> None:
    src = _excel_file(tmp_path / "forms.csv")
    loket = start_app(gui_data_dir, lang="en")
    log_in(qtbot, keyboard, loket)
    window: Any = loket.main_window
    window.open_import()
    dialog: Any = window.dialog("importDialog")
    dialog.file.setText(str(src))
    dialog.dry_run.setChecked(True)
    dialog.run_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    rows = _cells(dialog.rejections)
    assert dialog.result_label.text().startswith(
        "4 rows checked: 2 valid, 0 already present, 2 rej"
    )
    assert [r[:2] for r in rows] == [("4", "Date of birth"), ("5", "Mobile phone")]
    assert rows[1][2] == E.message(E.PHONE_INVALID, {}, "en")
