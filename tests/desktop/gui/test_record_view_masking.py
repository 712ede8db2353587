"""The record window masks the family-card number as it masks the NIK (issue 13, smaller
items): first and last four digits only."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from common.nik import mask_nik
from common.synthetic import generate

from .conftest import log_in


def _texts(root: QWidget) -> list[str]:
    out = [w.text() for w in root.findChildren(QLabel)]
    for w in root.findChildren(QWidget):
        model = getattr(w, "model", None)
        if callable(model) and model() is not None and hasattr(model(), "rowCount"):
            m = model()
            for r in range(m.rowCount()):
                for c in range(m.columnCount()):
                    value = m.data(m.index(r, c))
                    if isinstance(value, str):
                        out.append(value)
    return out


def test_kk_is_masked_like_the_nik(qtbot, gui_data_dir, start_app, keyboard) -> None:
    a = generate(1, seed=77)[0].applicant
    loket = start_app(gui_data_dir)
    log_in(qtbot, keyboard, loket)
    window: Any = loket.main_window
    reg = loket.service.save(a).registration
    window.open_record(reg.id)
    qtbot.waitUntil(lambda: window.dialog("recordView") is not None)
    texts = _texts(window.dialog("recordView"))
    joined = "\n".join(texts)
    assert mask_nik(a["kk_number"]) in texts and mask_nik(a["nik"]) in texts
    assert a["kk_number"] not in joined and a["nik"] not in joined
