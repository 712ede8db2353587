#!/usr/bin/env python3
"""Render the sync client's screens into docs/screenshots/ (14-…): the status bar during and
after a sync, the record view of a record returned for correction, the sync history with a
failed attempt, and the enroll dialog.

    .venv/bin/python tools/sync_screenshots.py            # re-runs itself under xvfb-run
    .venv/bin/python tools/sync_screenshots.py --lang en --out /tmp/shots

A real server runs in its own process (tests/support/liveserver.py) on a temporary folder; the
device's store is enrolled with it; the main window is built with the real sync controller
(the same wiring as the app, without the login step).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qtshots  # noqa: E402  (tools/ is sys.path[0])
from qtshots import HEIGHT, WIDTH, pump, start  # noqa: E402


def main() -> int:
    out, lang_code = start("sync_screenshots", __doc__ or "", ROOT)

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

    import desktop.qt_compat  # noqa: F401
    from common import errors as E
    from common.i18n import Lang
    from common.synthetic import generate
    from desktop.application import create_qapplication, install_translator
    from desktop.services.operators import Operator
    from desktop.services.registrations import RegistrationService
    from desktop.store import Store
    from desktop.sync.commands import enroll_device
    from desktop.sync.controller import SyncController
    from desktop.sync.engine import BatchSizer
    from desktop.sync.schedule import SyncSchedule
    from desktop.tasks import TaskManager
    from desktop.views.context import DeskContext
    from desktop.views.main_window import MainWindow
    from syncserver.db import make_engine, session_factory
    from syncserver.decisions import record_decision
    from tests.support.liveserver import LiveServer

    lang = Lang(lang_code)
    tmp = Path(tempfile.mkdtemp(prefix="loket-sync-shots-"))
    server = LiveServer(tmp / "server").start()
    app = create_qapplication()
    translator = install_translator(app, lang)

    from desktop.store.keys import KeySlots

    store = Store.open(tmp / "desk", KeySlots.new_key())
    enroll_device(
        store, server.url, server.office_and_code("320101", "32.01", "Disnaker Kabupaten Bogor")
    )
    operator = Operator("siti", "Siti Rahayu")
    service = RegistrationService(store, operator)
    tasks = TaskManager()
    # small batches over loopback so the sync lasts long enough to be seen
    sync = SyncController(
        store,
        tasks,
        schedule=SyncSchedule(interval_s=3600),
        sizer=BatchSizer(initial=5, minimum=5, maximum=5),
        lang=lang.value,
        use_network_information=False,
    )
    ctx = DeskContext(
        operator=operator,
        lang=lang,
        data_dir=tmp / "desk",
        office_name="Disnaker Kabupaten Bogor",
        write_receipt=lambda reg, path: path,
        import_csv=lambda *a, **k: None,
    )
    window = MainWindow(service, tasks, ctx, None, sync=sync)
    window.setGeometry(0, 0, WIDTH, HEIGHT)
    window.setFixedSize(WIDTH, HEIGHT)
    window.show()

    def wait_until(pred: Callable[[], bool], timeout: float = 60.0) -> None:
        qtshots.wait_until("sync_screenshots", pred, timeout, 20)

    def shot(name: str, settle_ms: int = 300) -> None:
        qtshots.shot("sync_screenshots", out, name, settle_ms)

    def place(w: QWidget) -> None:
        w.move((WIDTH - w.width()) // 2, (HEIGHT - w.height()) // 3)
        w.raise_()
        w.activateWindow()

    done: list[object] = []
    sync.finished.connect(done.append)

    def sync_and_wait() -> object:
        n = len(done)
        sync.sync_now()
        wait_until(lambda: len(done) > n)
        return done[-1]

    try:
        sync.start()
        wait_until(lambda: len(done) == 1)  # the automatic first sync (nothing to send)
        ids = []
        for sample in generate(400, 2026, today=date.today()):
            saved = service.save(sample.applicant).registration
            assert saved is not None
            ids.append(saved.id)
        window.update_pending()
        window.list.refresh()
        window.show_tab(1)
        pump(500)

        n = len(done)
        sync.sync_now()
        wait_until(
            lambda: window.sync_status.bar.isVisible() and window.sync_status.bar.value() > 60
        )
        shot("14-sync-status-during", settle_ms=0)
        wait_until(lambda: len(done) > n)
        window.list.refresh()
        shot("15-sync-status-after")

        engine = make_engine(f"sqlite:///{server.data_dir / 'loket-server.db'}")
        with session_factory(engine)() as s:
            record_decision(
                s,
                ids[0],
                "returned",
                "reviewer1",
                note="Nama ibu kandung salah ketik; mohon dicek dengan KTP.",
            )
            record_decision(s, ids[1], "rejected", "reviewer1", reason="not_eligible")
            s.commit()
        engine.dispose()
        sync_and_wait()
        window.open_record(ids[0])
        wait_until(lambda: window.dialog("recordView") is not None)
        place(window.dialog("recordView"))
        shot("16-record-returned")
        window.dialog("recordView").reject()

        server.stop()
        service.save(generate(1, 77, today=date.today())[0].applicant)
        window.update_pending()
        sync_and_wait()
        window.open_sync_history()
        wait_until(lambda: window.dialog("syncHistoryView") is not None)
        history = window.dialog("syncHistoryView")
        wait_until(lambda: history.table.rowCount() >= 4)
        place(history)
        shot("17-sync-history")
        history.reject()

        window.open_enroll()
        wait_until(lambda: window.dialog("enrollDialog") is not None)
        dialog = window.dialog("enrollDialog")
        dialog.url.setText("https://loket.kemnaker.go.id")
        dialog.code.setText("XXXX-0000")
        dialog.show_error(E.message(E.ENROLL_CODE_USED, {}, lang))
        place(dialog)
        shot("18-enroll-dialog")
        dialog.reject()
    finally:
        sync.stop()
        window.close()
        tasks.shutdown(wait=True)
        store.close()
        server.stop()
        if translator is not None:
            app.removeTranslator(translator)
        QCoreApplication.processEvents()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
