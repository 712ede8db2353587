"""Enroll this device with a server (``EnrollDialog``): the server's address, the one-time
code from the console, and optionally the office's CA bundle (offices behind their own
certificate authority). Shown at start while the device is not enrolled ("Work offline"
skips it: forms can be kept as drafts, but a registration is saved only once the device is
enrolled, since its code needs the device number the server gives; issue 13), from the menu
"Enroll device…" and from the message of a save refused before enrollment.

Given ``enroll(server_url, code, ca_bundle) -> DeviceInfo`` (``commands.enroll_device`` bound
to the store) and the task manager; the request runs on the I/O pool, errors are shown in
the catalog's words. When the server cannot be reached (``ENROLL_UNREACHABLE`` after the
attempts of ``commands.enroll_device``, ``SERVER_UNREACHABLE``, ``TLS_ERROR``) a plain-words
panel says what to do: check the network, try again, continue offline and
enroll later from the Sync menu, or call the office's IT with the address shown.

``first_start=True``: the second step of the guided first start on a new data folder (issue
18; after the first operator, since enrollment writes into the encrypted store that operator
opens): a step heading, a welcome in plain words, and a skip button that says what skipping
means (``SAVE_NEEDS_ENROLLMENT``: registrations are kept as drafts until the device is
enrolled).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common import errors as E
from common.errors import ApiError
from common.i18n import Lang, as_lang
from desktop.i18n import arg
from desktop.widgets.form_rows import buddy_label, path_row

#: the failures where the panel "what to do when the server cannot be reached" is shown
UNREACHABLE_CODES = frozenset({E.SERVER_UNREACHABLE, E.ENROLL_UNREACHABLE, E.TLS_ERROR})

if TYPE_CHECKING:
    from desktop.services.device import DeviceInfo
    from desktop.tasks import TaskManager

log = logging.getLogger(__name__)


class EnrollDialog(QDialog):
    enrolled = Signal(object)  # DeviceInfo

    def __init__(
        self,
        enroll: Callable[[str, str, str | None], DeviceInfo],
        tasks: TaskManager,
        lang: Lang | str = "id",
        server_url: str = "",
        parent: QWidget | None = None,
        first_start: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("enrollDialog")
        self.setWindowTitle(self.tr("Enroll this device"))
        self._enroll = enroll
        self._tasks = tasks
        self._lang = as_lang(lang)
        self.first_start = first_start
        self.result_info: DeviceInfo | None = None
        self.step = QLabel(self.tr("Step 2 of 2: connect this computer to the server"), self)
        self.step.setObjectName("enrollStep")
        self.step.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.step.setVisible(first_start)
        self.welcome = QLabel(
            self.tr(
                "The first operator is ready. Now connect this computer to the programme's "
                "server, once: type the server's address and the one-time code you received "
                "from the central office (on paper or by message), then click Enroll. This "
                "needs the network; after it, the app also works without one."
            ),
            self,
        )
        self.welcome.setObjectName("enrollWelcome")
        self.welcome.setWordWrap(True)
        self.welcome.setVisible(first_start)

        intro = QLabel(
            self.tr(
                "Connect this computer to the programme's server so registrations are sent "
                "automatically. Ask the central office for a one-time enrollment code."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.url = QLineEdit(server_url, self)
        self.url.setObjectName("enrollUrl")
        self.url.setPlaceholderText(self.tr("for example https://loket.kemnaker.go.id"))
        self.code = QLineEdit(self)
        self.code.setObjectName("enrollCode")
        self.code.setPlaceholderText(self.tr("One-time code from the console"))
        self.ca = QLineEdit(self)
        self.ca.setObjectName("enrollCa")
        self.ca.setPlaceholderText(self.tr("Optional: the office's certificate file (.pem)"))
        ca_row = path_row(self.ca, self.tr("Browse…"), self._browse)

        form = QFormLayout()
        form.addRow(buddy_label(self.tr("Server address"), self.url), self.url)
        form.addRow(buddy_label(self.tr("Enrollment code"), self.code), self.code)
        form.addRow(buddy_label(self.tr("CA bundle"), self.ca), ca_row)

        self.error = QLabel(self)
        self.error.setObjectName("enrollError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setProperty("loketData", True)  # the error catalog's words (bilingual)
        self.error.hide()
        # what to do when the server cannot be reached (shown after such a failure)
        self.help = QLabel(self)
        self.help.setObjectName("enrollUnreachableHelp")
        self.help.setWordWrap(True)
        self.help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.help.hide()
        self.skip_note = QLabel(
            arg(
                self.tr("If you skip this step: %1"),
                E.message(E.SAVE_NEEDS_ENROLLMENT, {}, self._lang),
            ),
            self,
        )
        self.skip_note.setObjectName("enrollSkipNote")
        self.skip_note.setWordWrap(True)
        self.skip_note.setStyleSheet("color: #5f6368;")
        self.skip_note.setVisible(first_start)

        self.enroll_button = QPushButton(self.tr("Enroll"), self)
        self.enroll_button.setObjectName("enrollButton")
        self.enroll_button.setDefault(True)
        self.enroll_button.clicked.connect(self.submit)
        self.skip_button = QPushButton(
            self.tr("Skip for now (enroll later)")
            if first_start
            else self.tr("Work offline for now"),
            self,
        )
        self.skip_button.setObjectName("enrollSkip")
        self.skip_button.setAutoDefault(False)
        self.skip_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.enroll_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.step)
        layout.addWidget(self.welcome)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.help)
        layout.addWidget(self.skip_note)
        layout.addLayout(buttons)
        self.resize(560, 0)
        (self.code if server_url else self.url).setFocus()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Certificate file"),
            "",
            self.tr("Certificates (*.pem *.crt);;All files (*)"),
        )
        if path:
            self.ca.setText(path)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def show_unreachable_help(self, url: str) -> None:
        """What the clerk can do when the server at ``url`` does not answer, in plain words."""
        self.help.setText(
            arg(
                self.tr(
                    "What you can do:\n"
                    "• Check that this computer is on the network (the cable is plugged in, or "
                    "the Wi-Fi is connected), then click Enroll again.\n"
                    "• Or continue offline and enroll later: menu Sync, Enroll device.\n"
                    "• If it still does not work, call the office's IT staff and tell them "
                    "the server address: %1"
                ),
                url,
            )
        )
        self.help.show()
        self.skip_note.show()

    def set_busy(self, busy: bool) -> None:
        for w in (self.url, self.code, self.ca, self.enroll_button, self.skip_button):
            w.setEnabled(not busy)
        self.enroll_button.setText(self.tr("Enrolling…") if busy else self.tr("Enroll"))

    def submit(self) -> None:
        url, code, ca = self.url.text().strip(), self.code.text().strip(), self.ca.text().strip()
        if not url.startswith(("https://", "http://")):
            self.show_error(self.tr("Enter the server address, starting with https://"))
            self.url.setFocus()
            return
        if not code:
            self.show_error(self.tr("Enter the enrollment code."))
            self.code.setFocus()
            return
        self.error.hide()
        self.help.hide()
        self.set_busy(True)
        self._tasks.run_io(
            self._enroll, url, code, ca or None, on_done=self._done, on_error=self._failed
        )

    def _done(self, info: DeviceInfo) -> None:
        self.result_info = info
        self.set_busy(False)
        self.enrolled.emit(info)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        if isinstance(exc, ApiError):
            self.show_error(exc.message(self._lang))
            if exc.code in UNREACHABLE_CODES:
                self.show_unreachable_help(self.url.text().strip())
        else:  # never the exception's own (English) text inside the sentence
            log.error("enrollment failed: %r", exc)
            self.show_error(
                self.tr("The device could not be enrolled. The details are in the app's log.")
            )
        self.code.setFocus()
