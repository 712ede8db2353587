"""Every message the desktop shows comes from the catalog or tr() (issue 13, smaller items):
no English exception text inside an Indonesian sentence ("password must be at least 8
characters" in "Tidak dapat masuk ...")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from common import errors as E
from desktop.tasks import TaskManager

from .conftest import focused_name


def test_a_short_first_password_is_refused_in_indonesian(
    qtbot: Any, keyboard, start_app, tmp_path: Path
) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    loket = start_app(folder)
    login: Any = loket.login
    login.start_button.click()  # past the first start's welcome
    qtbot.waitUntil(lambda: login.repeat.isVisible())  # the first-operator form
    login.username.setFocus()
    qtbot.waitUntil(lambda: focused_name() == "loginUsername")
    keyboard.type("ani")
    login.full_name.setText("Ani Lestari")
    login.password.setText("pendek")
    login.repeat.setText("pendek")
    login.button.click()
    qtbot.waitUntil(
        lambda: (
            login.message.text() not in ("", login.tr("Creating…"))
            and "Membuat" not in login.message.text()
        ),
        timeout=10_000,
    )
    assert login.message.text() == E.message(E.PASSWORD_TOO_SHORT, {"min": 8}, "id")
    assert "password" not in login.message.text() and "least" not in login.message.text()


def test_the_same_message_in_english(qtbot: Any, keyboard, start_app, tmp_path: Path) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    loket = start_app(folder, lang="en")
    login: Any = loket.login
    login.start_button.click()  # past the first start's welcome
    qtbot.waitUntil(lambda: login.repeat.isVisible())
    login.username.setText("ani")
    login.password.setText("pendek")
    login.repeat.setText("pendek")
    login.button.click()
    qtbot.waitUntil(lambda: "least" in login.message.text(), timeout=10_000)
    assert login.message.text() == "The password must be at least 8 characters."


@pytest.mark.parametrize(
    "exc",
    [RuntimeError("database disk image is malformed"), OSError(28, "No space left on device")],
)
def test_an_unexpected_background_error_shows_no_english_text(qtbot: Any, exc: Exception) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    tasks = TaskManager(parent)
    tasks.set_dialog_parent(parent)
    tasks._show_error(exc)
    box = next(
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.objectName() == "taskErrorDialog" and w.isVisible()
    )
    assert str(exc) not in box.text() and "log" in box.text()
    box.close()
