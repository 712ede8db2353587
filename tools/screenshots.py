#!/usr/bin/env python3
"""Render the desktop app's main screens at 1366x768 into docs/screenshots/*.png.

    .venv/bin/python tools/screenshots.py            # re-runs itself under xvfb-run when no $DISPLAY
    .venv/bin/python tools/screenshots.py --lang en --out /tmp/shots

The app runs for real (QT_QPA_PLATFORM=xcb on an Xvfb screen of 1366x768, the smallest office
screen it must fit) on a temporary data folder with one operator and some synthetic
registrations; each shot is a grab of the whole screen, so popups (the village suggestions)
are in the picture. No window manager runs, so windows have no frames.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qtshots  # noqa: E402  (tools/ is sys.path[0])
from qtshots import HEIGHT, WIDTH, pump, start  # noqa: E402


def main() -> int:
    out, lang = start("screenshots", __doc__ or "", ROOT)

    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    import desktop.qt_compat  # noqa: F401
    from common.synthetic import generate
    from desktop.application import LoketApp, create_qapplication
    from desktop.services.device import set_local_identity
    from desktop.services.operators import create_first_operator
    from desktop.services.registrations import RegistrationService

    data_dir = Path(tempfile.mkdtemp(prefix="loket-shots-"))
    store, _ = create_first_operator(data_dir, "siti", "rahasia-123", full_name="Siti Rahayu")
    try:
        set_local_identity(store, "320101", 1)
        store.set_setting("enrolled", True)  # as enrolled: saving needs it (issue 13)
        store.set_setting("office_name", "Disnaker Kabupaten Bogor")
        from desktop.services.operators import Operator

        service = RegistrationService(store, Operator("siti", "Siti Rahayu"))
        samples = generate(41, seed=2026)
        for s in samples[1:]:
            service.save(s.applicant)
        service.save_draft({k: samples[0].applicant[k] for k in ("nik", "full_name", "phone")})
    finally:
        store.close()
    a = samples[0].applicant

    app = create_qapplication()
    loket = LoketApp(app, data_dir, lang)
    loket.start()

    def wait_until(pred: Callable[[], bool], timeout: float = 20.0) -> None:
        qtshots.wait_until("screenshots", pred, timeout, 50)

    def shot(name: str, settle_ms: int = 300) -> None:
        qtshots.shot("screenshots", out, name, settle_ms)

    def place(w: QWidget, maximise: bool = False) -> None:
        if maximise:
            w.setGeometry(0, 0, WIDTH, HEIGHT)
        else:
            w.move((WIDTH - w.width()) // 2, (HEIGHT - w.height()) // 3)
        w.raise_()
        w.activateWindow()

    backdrop = QWidget()  # a plain desktop behind the login window
    backdrop.setStyleSheet("background: #3b4a5a;")
    backdrop.setGeometry(0, 0, WIDTH, HEIGHT)
    backdrop.show()
    wait_until(lambda: loket.login is not None and loket.login.isVisible() and loket.ready)
    loket.login.raise_()
    place(loket.login)
    shot("01-login")

    loket.login.username.setText("siti")
    loket.login.password.setText("rahasia-123")
    QTest.keyClick(loket.login.password, Qt.Key.Key_Return)
    wait_until(lambda: loket.main_window is not None and loket.areas is not None)
    backdrop.hide()
    window = loket.main_window
    place(window, maximise=True)
    window.setFixedSize(WIDTH, HEIGHT)  # the office screen: nothing may depend on more room
    shot("02-form-empty")

    form = window.form
    form.nik.setFocus()
    QTest.keyClicks(form.nik, a["nik"])
    QTest.keyClicks(form.kk_number, a["kk_number"][:9])  # still being typed: shows its message
    form.kk_number.setFocus()
    QTest.keyClicks(form.full_name, a["full_name"])
    QTest.keyClicks(form.birth_place, a["birth_place"])
    form.full_name.setFocus()
    pump(400)
    shot("03-form-nik-prefill")

    for editor, value in (
        (form.phone, a["phone"]),
        (form.street, a["street"]),
        (form.rt, a["rt"]),
        (form.rw, a["rw"]),
    ):
        QTest.keyClicks(editor, value)
    form.focus_field("village_code")
    village_name = loket.areas.name(a["village_code"]) or ""
    QTest.keyClicks(form.village_code, village_name[:5])
    wait_until(form.village_code.popup_visible)
    shot("04-village-type-ahead")
    QTest.keyClick(form.village_code.completer().popup(), Qt.Key.Key_Escape)

    window.save()
    wait_until(lambda: window.dialog("saveProblemsDialog") is not None)
    place(window.dialog("saveProblemsDialog"))
    shot("05-save-problems")
    window.dialog("saveProblemsDialog").accept()
    pump()
    form.focus_field("education")
    shot("06-form-profile-consent")

    form.load(dict(a))
    window.save()
    wait_until(lambda: window.dialog("receiptDialog") is not None)
    place(window.dialog("receiptDialog"))
    shot("07-saved-receipt")
    window.dialog("receiptDialog").save_pdf()
    window.dialog("receiptDialog").reject()

    window.focus_search()
    wait_until(lambda: window.list.model.total() >= 40)
    shot("08-list")
    QTest.keyClicks(window.list.search, a["full_name"].split()[0])
    window.list.apply_filters()
    shot("09-list-search")

    window.list.search.clear()
    window.list.apply_filters()
    saved = loket.service.get_by_code(loket.service.search(limit=1)[0].code)
    window.open_record(saved.id)
    wait_until(lambda: window.dialog("recordView") is not None)
    place(window.dialog("recordView"))
    shot("10-record-history")
    window.dialog("recordView").reject()

    window.show_tab(2)
    wait_until(lambda: window.drafts.table.rowCount() >= 1)
    shot("11-drafts")

    window.open_import()
    place(window.dialog("importDialog"))
    shot("12-import")
    window.dialog("importDialog").reject()
    window.open_about()
    place(window.dialog("aboutDialog"))
    shot("13-about")
    window.dialog("aboutDialog").reject()

    loket.shutdown()
    QCoreApplication.processEvents()
    shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
