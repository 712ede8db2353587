"""Issue 13 in the window, against a real server in its own process:

* defect 2: the form saves nothing before the device is enrolled (every device would give
  ``000000-000-000001-Y``); it says why, keeps what was typed and offers the enroll dialog;
  enrolled, the same form saves with the server's device number;
* a typo noticed after the record was synced is corrected as the next revision while no
  reviewer has decided; a verified record stays closed;
* a save is sent soon after, when the server answers (no F9, no 120 s wait), and several
  saves in a row are one sync;
* records returned or rejected by the central office: a status-bar badge with the count that
  opens their list, and "Berikutnya" in the record window goes through them one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from common import errors as E
from common.enums import Status
from common.synthetic import generate
from desktop.sync.engine import SyncOutcome
from tests.desktop.gui.test_sync_ui import Desk
from tests.support.liveserver import LiveServer

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def _person(seed: int) -> dict[str, Any]:
    return generate(1, seed, today=date.today())[0].applicant


def _decide(server: LiveServer, decisions: list[tuple[str, str, dict[str, Any]]]) -> None:
    from syncserver.db import make_engine, session_factory
    from syncserver.decisions import record_decision

    engine = make_engine(f"sqlite:///{server.data_dir / 'loket-server.db'}")
    try:
        with session_factory(engine)() as s:
            for rid, decision, kw in decisions:
                record_decision(s, rid, decision, "reviewer1", **kw)
            s.commit()
    finally:
        engine.dispose()


def _open_record(qtbot: Any, desk: Desk, rid: str) -> Any:
    desk.window.open_record(rid)
    qtbot.waitUntil(lambda: desk.window.dialog("recordView") is not None)
    return desk.window.dialog("recordView")


def _close_record(qtbot: Any, desk: Desk, view: Any) -> None:
    view.reject()
    qtbot.waitUntil(lambda: desk.window.dialog("recordView") is None)


def test_the_form_saves_nothing_before_enrollment_and_offers_to_enroll(
    qtbot, tmp_path: Path, live_server: LiveServer
) -> None:
    desk = Desk(qtbot, tmp_path / "new-desk", live_server, enroll=False)
    try:
        window, form = desk.window, desk.window.form
        person = _person(41)
        form.load(person)
        window.save()  # Ctrl+S
        qtbot.waitUntil(lambda: window.dialog("enrollNeededDialog") is not None)
        box = window.dialog("enrollNeededDialog")
        assert box.informativeText() == E.message(E.SAVE_NEEDS_ENROLLMENT, {}, "id")
        assert form.status_label.text() == "Tidak disimpan: perangkat ini belum didaftarkan."
        assert form.raw()["nik"] == person["nik"]  # nothing typed is lost
        assert desk.service.count() == 0 and desk.service.pending_count() == 0
        qtbot.mouseClick(box.enroll_button, Qt.MouseButton.LeftButton)  # "Daftarkan perangkat…"
        qtbot.waitUntil(lambda: window.dialog("enrollDialog") is not None)
        dialog = window.dialog("enrollDialog")
        dialog.url.setText(live_server.url)
        dialog.code.setText(live_server.office_and_code("320101", "32.01"))
        with qtbot.waitSignal(desk.sync.finished, timeout=60_000):
            dialog.submit()
        with qtbot.waitSignal(form.saved, timeout=20_000) as saved:
            window.save()  # the same form, now enrolled
        assert saved.args[0].code.startswith("320101-001-")
    finally:
        desk.close()


def test_a_synced_record_is_corrected_until_a_reviewer_decides(
    qtbot, tmp_path: Path, live_server: LiveServer
) -> None:
    desk = Desk(qtbot, tmp_path / "desk", live_server)
    try:
        typo, closed = desk.save(2, seed=42)
        assert desk.sync_and_wait(qtbot).outcome is SyncOutcome.OK
        assert desk.service.get(typo).provenance.status is Status.RECEIVED
        _decide(live_server, [(closed, "verified", {})])
        assert desk.sync_and_wait(qtbot).outcome is SyncOutcome.OK

        view = _open_record(qtbot, desk, closed)
        assert not view.edit_button.isEnabled()  # verified: the decision stands
        _close_record(qtbot, desk, view)

        view = _open_record(qtbot, desk, typo)
        assert view.edit_button.isEnabled()  # synced, undecided: a typo may be corrected
        qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        form = desk.window.form
        qtbot.waitUntil(lambda: form.registration_id == typo)
        form.boxes["street"].editor.setText("Jl. Mawar No. 12")
        with qtbot.waitSignal(form.saved, timeout=20_000) as saved:
            desk.window.save()
        assert saved.args[0].provenance.revision == 2
        report = desk.sync_and_wait(qtbot)
        assert report.outcome is SyncOutcome.OK and report.outcomes["accepted"] == 1, report
        state = desk.service.state(typo)
        assert state.registration.provenance.status is Status.RECEIVED and not state.conflict
        assert state.registration.applicant.street == "Jl. Mawar No. 12"
    finally:
        desk.close()


def test_a_save_is_sent_soon_when_online_and_saves_in_a_row_are_one_sync(
    qtbot, tmp_path: Path, live_server: LiveServer
) -> None:
    desk = Desk(qtbot, tmp_path / "desk", live_server)  # interval 3600 s: only saves trigger
    try:
        desk.sync.after_save_s = 0.2
        started: list[int] = []
        desk.sync.started.connect(lambda: started.append(1))
        form = desk.window.form
        form.load(_person(43))
        with qtbot.waitSignal(desk.sync.finished, timeout=60_000) as done:
            desk.window.save()  # Ctrl+S, no F9
        assert done.args[0].outcome is SyncOutcome.OK and done.args[0].sent == 1
        assert started == [1] and desk.sync.pending == 0

        desk.save(3, seed=44)  # three saves in a row (the form calls this after each)
        for _ in range(3):
            desk.sync.record_saved()
        with qtbot.waitSignal(desk.sync.finished, timeout=60_000) as done:
            pass
        assert done.args[0].sent == 3 and started == [1, 1]
        assert desk.sync.next_attempt_in_ms() is not None  # the schedule goes on (interval)
        assert desk.sync.next_attempt_in_ms() > 60_000  # no further sync queued by the saves
    finally:
        desk.close()


def test_returned_and_rejected_records_are_counted_and_opened_one_after_the_other(
    qtbot, tmp_path: Path, live_server: LiveServer
) -> None:
    desk = Desk(qtbot, tmp_path / "desk", live_server)
    try:
        window = desk.window
        badge = window.returned_badge
        first, second, third, fine = desk.save(4, seed=45)
        assert desk.sync_and_wait(qtbot).outcome is SyncOutcome.OK
        assert badge.isHidden()
        _decide(
            live_server,
            [
                (first, "returned", {"note": "Nama ibu salah"}),
                (second, "rejected", {"reason": "not_eligible"}),
                (third, "returned", {"note": "Alamat kurang"}),
            ],
        )
        assert desk.sync_and_wait(qtbot).changes_applied == 3
        qtbot.waitUntil(lambda: badge.isVisible() and badge.text() == "2 dikembalikan, 1 ditolak")

        qtbot.mouseClick(badge, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.dialog("returnedList") is not None)
        listing = window.dialog("returnedList")
        assert listing.ids() == [first, second, third]  # in the order they were decided
        assert listing.table.item(0, 3).text() == "Nama ibu salah"
        assert listing.table.item(1, 3).text() == "Tidak memenuhi persyaratan program"
        qtbot.keyClick(listing.table, Qt.Key.Key_Return)  # opens the first
        seen = []
        for expected in (first, second, third):
            qtbot.waitUntil(lambda e=expected: _current_record(window) == e)
            view = window.dialog("recordView")
            seen.append(view.registration.id)
            if expected != third:
                assert view.next_button is not None and view.next_button.text() == "Berikutnya"
                qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
            else:
                assert view.next_button is None  # the last one
        assert seen == [first, second, third]
        # the rejection was read: it leaves the count; the returned ones wait for correction
        qtbot.waitUntil(lambda: badge.text() == "2 dikembalikan")
        view = window.dialog("recordView")
        qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        form = window.form
        qtbot.waitUntil(lambda: form.registration_id == third)
        form.boxes["street"].editor.setText("Jl. Kenanga No. 8")
        with qtbot.waitSignal(form.saved, timeout=20_000):
            window.save()
        qtbot.waitUntil(lambda: badge.text() == "1 dikembalikan")
        assert fine not in [r.id for r in badge.rows]
    finally:
        desk.close()


def _current_record(window: Any) -> str | None:
    view = window.dialog("recordView")
    QApplication.processEvents()
    return view.registration.id if view is not None and view.isVisible() else None
