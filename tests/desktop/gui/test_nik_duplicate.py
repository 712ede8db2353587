"""Issue 13 #4: an already registered NIK is found right after its 16th digit, not at Ctrl+S:
the local store at once, the server (a real one, in its own process) for the other counters
of the office; a NIK of another office says nothing; offline, the local answer alone; the
existing record opens from the warning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from common.synthetic import generate
from desktop.sync.commands import enroll_device
from desktop.sync.controller import ConnectionState
from tests.desktop.gui.test_sync_ui import Desk
from tests.support.liveserver import LiveServer

from .conftest import focused_name, log_in

Key = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def type_nik(qtbot: Any, form: Any, nik: str) -> None:
    form.window().activateWindow()
    qtbot.waitUntil(form.window().isActiveWindow)
    form.nik.setFocus()
    qtbot.keyClicks(form.nik, nik)


def test_a_nik_on_this_device_is_flagged_at_the_16th_digit(
    qtbot, gui_data_dir, start_app, keyboard
):
    a = generate(1, seed=31)[0].applicant
    loket = start_app(gui_data_dir)
    log_in(qtbot, keyboard, loket)
    first = loket.service.save(a).registration
    window = loket.main_window
    form = window.form
    with qtbot.waitSignal(form.nikChecked, timeout=10_000):
        keyboard.type(a["nik"][:15])
        assert not form.nik_duplicate.isVisible()
        keyboard.type(a["nik"][15])
    assert form.nik_duplicate.isVisible()
    assert first.code in form.nik_duplicate.label.text()
    assert "sudah terdaftar di perangkat ini" in form.nik_duplicate.label.text()
    assert focused_name() == "field_nik"  # the clerk was not moved anywhere
    keyboard.press(Key.Key_O, CTRL)  # open the existing record
    qtbot.waitUntil(lambda: window.dialog("recordView") is not None)
    assert window.dialog("recordView").registration.id == first.id
    # another digit: no longer that NIK, no warning
    form.nik.setFocus()
    form.nik.end(False)
    form.nik.backspace()
    assert not form.nik_duplicate.isVisible()


@pytest.fixture
def server(tmp_path: Path):
    live = LiveServer(tmp_path / "server").start()
    yield live
    live.stop()


def test_the_server_flags_a_nik_of_another_counter_of_the_office_only(
    qtbot, tmp_path: Path, server: LiveServer
) -> None:
    a = generate(1, seed=32)[0].applicant
    first = Desk(qtbot, tmp_path / "desk1", server)
    second = Desk(qtbot, tmp_path / "desk2", server)
    elsewhere = Desk(qtbot, tmp_path / "desk3", server, enroll=False)
    try:
        enroll_device(
            elsewhere.store,
            server.url,
            server.office_and_code("320102", "32.01", "Kantor Cibinong"),
        )
        with qtbot.waitSignal(elsewhere.sync.finished, timeout=30_000):
            elsewhere.sync.device_enrolled()
        assert elsewhere.sync.state is ConnectionState.ONLINE
        saved = first.service.save(a).registration
        first.sync_and_wait(qtbot)

        form = second.window.form
        with qtbot.waitSignal(
            form.nikChecked, timeout=20_000, check_params_cb=lambda kind: kind == "remote"
        ):
            type_nik(qtbot, form, a["nik"])
        assert form.nik_duplicate.isVisible()
        assert saved.code in form.nik_duplicate.label.text()
        assert "di kantor ini" in form.nik_duplicate.label.text()
        assert not form.nik_duplicate.open_button.isVisible()  # not on this device

        other = elsewhere.window.form
        with qtbot.waitSignal(
            other.nikChecked, timeout=20_000, check_params_cb=lambda kind: kind == "remote"
        ):
            type_nik(qtbot, other, a["nik"])
        assert not other.nik_duplicate.isVisible()  # another office: as an unknown NIK

        # the server stops: the local answer alone, no error in the clerk's way
        server.stop()
        form.clear()
        with qtbot.waitSignal(
            form.nikChecked, timeout=20_000, check_params_cb=lambda kind: kind != "local"
        ):
            type_nik(qtbot, form, a["nik"])
        assert not form.nik_duplicate.isVisible()
        assert form.nik.text() == a["nik"]
    finally:
        for desk in (first, second, elsewhere):
            desk.close()
