"""Fixtures for the desktop GUI tests: a data folder with a real store and one operator, the
app shell started on it, and small keyboard helpers that type into whatever has focus (the
way a clerk's keyboard does; no mouse anywhere)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.application import OFFER_ENROLL_KEY, LoketApp, ui_settings
from tests.support.enrolled import enroll_offline

OPERATOR = "clerk"
PASSWORD = "rahasia-123"


def _data_dir(tmp_path: Path, enrolled: bool) -> Path:
    from desktop.services.operators import create_first_operator

    folder = tmp_path / "desk"
    folder.mkdir()
    store, _ = create_first_operator(folder, OPERATOR, PASSWORD, full_name="Siti Rahayu")
    if enrolled:
        enroll_offline(store)  # saving needs an enrolled device (issue 13 defect 2)
    store.close()
    # a clerk who chose "work offline" before: no enroll dialog over the form at login
    settings = ui_settings(folder)
    settings.setValue(OFFER_ENROLL_KEY, False)
    settings.sync()
    return folder


@pytest.fixture
def gui_data_dir(tmp_path: Path) -> Path:
    """A data folder whose store has the operator ``clerk`` (real Store, real migrations),
    enrolled in office 320101 without a server (it can save, a sync says NOT_ENROLLED)."""
    return _data_dir(tmp_path, enrolled=True)


@pytest.fixture
def unenrolled_data_dir(tmp_path: Path) -> Path:
    """The same store before any enrollment (office 000000, saving refused)."""
    return _data_dir(tmp_path, enrolled=False)


class Keyboard:
    """Keys go to the focused widget, as on a real keyboard."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot

    @staticmethod
    def focus() -> QWidget:
        w = QApplication.focusWidget()
        assert w is not None, "nothing has keyboard focus"
        return w

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focus(), text)

    def press(
        self,
        key: Qt.Key,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
        times: int = 1,
    ) -> None:
        for _ in range(times):
            self.qtbot.keyClick(self.focus(), key, modifier)


def focused_name() -> str:
    w = QApplication.focusWidget()
    return w.objectName() if w is not None else ""


def log_in(qtbot: Any, kb: Keyboard, loket: LoketApp) -> None:
    assert focused_name() == "loginUsername"
    kb.type(OPERATOR)
    kb.press(Qt.Key.Key_Tab)
    assert focused_name() == "loginPassword"
    kb.type(PASSWORD)
    kb.press(Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: loket.main_window is not None and loket.main_window.isVisible(), timeout=10_000
    )
    loket.main_window.activateWindow()
    qtbot.waitUntil(lambda: focused_name() == "field_nik")


@pytest.fixture
def keyboard(qtbot: QtBot) -> Keyboard:
    return Keyboard(qtbot)


@pytest.fixture
def start_app(qtbot: QtBot) -> Iterator[Callable[..., LoketApp]]:
    """``start_app(data_dir, lang=None)`` -> a started LoketApp with its login window shown;
    every app started is shut down (windows closed, store closed) at the end."""
    started: list[LoketApp] = []

    def start(folder: Path, lang: str | None = None) -> LoketApp:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        loket = LoketApp(app, folder, lang)
        started.append(loket)
        loket.start()
        qtbot.waitUntil(lambda: loket.login is not None and loket.login.isVisible())
        # the store is encrypted and opens at login; wait for the first-run check instead
        qtbot.waitUntil(lambda: loket.ready, timeout=10_000)
        assert loket.login is not None
        loket.login.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
        return loket

    yield start
    for loket in started:
        loket.shutdown()
