"""Issue 15 #6: the form is built from one field table. Its texts, translated in their own
contexts (FormFields, NikHint, NikDuplicate) since the split, are still Indonesian; the tab
order and the form's values follow the table."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from .conftest import log_in


def test_the_tables_texts_are_indonesian_and_its_order_is_the_forms(
    qtbot, gui_data_dir: Path, start_app, keyboard
) -> None:
    loket = start_app(gui_data_dir)  # Indonesian, the default
    log_in(qtbot, keyboard, loket)
    form = loket.main_window.form

    def label(name: str) -> str:
        found = form.findChild(QLabel, f"label_{name}")
        assert found is not None, name
        return found.text()

    assert label("full_name") == "Nama lengkap"
    assert label("domicile_village_code") == "Desa/kelurahan domisili"  # hidden rows too
    assert form.full_name.placeholderText() == "Sesuai KTP"
    assert form.sex.itemText(0) == "(pilih)"
    assert form.domicile_same.text() == "Tinggal di alamat sesuai KTP"
    assert form.nik_hint.accessibleName() == "Keterangan dari NIK"
    assert form.nik_duplicate.open_button.text() == "Buka data yang sudah ada (Ctrl+O)"

    # one table: the tab order, the rows and the values name the same fields in one order
    names = list(form.editors)
    assert names == list(form.boxes)
    first = widget = form.boxes[names[0]].editor
    chain: list[str] = []
    while True:  # the editors' places in the focus chain (their inner parts left out)
        if widget.objectName().startswith("field_") and widget.objectName() not in chain:
            chain.append(widget.objectName())
        widget = widget.nextInFocusChain()
        if widget is first:
            break
    assert chain == [f"field_{n}" for n in names]
    raw = form.raw()
    assert [n for n in raw if n in form.editors] == names
    assert set(raw) - set(names) == {"consent_version", "consent_at"}
