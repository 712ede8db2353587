"""One handler for every exception nobody caught: in a Qt slot, a timer, a signal's lambda.

PySide6 hands an exception raised in a slot to ``sys.excepthook`` and carries on, so without a
hook of ours it would reach stderr only (nothing a clerk sees, nothing in the app's log). The
hook writes the traceback to the app's log (``paths.setup_logging``: no applicant data is in a
traceback's text, only code locations and the exception's message) and shows the clerk a plain
message. Nothing is lost: every save is its own transaction, so what was saved stays saved.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("desktop")

Hook = Callable[[type[BaseException], BaseException, TracebackType | None], None]

# Messages on screen: a parentless box must be kept referenced, or Python deletes it at once.
_shown: list[QMessageBox] = []


def report(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """Log the exception with its traceback and tell the clerk, without blocking the caller
    (the message box is window-modal to nothing and opened, not exec'd)."""
    if issubclass(kind, KeyboardInterrupt):
        QCoreApplication.quit()
        return
    log.error("unexpected error", exc_info=(kind, error, tb))
    if QApplication.instance() is None:
        return
    box = QMessageBox(QApplication.activeWindow())
    box.setObjectName("crashMessage")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QCoreApplication.translate("Crash", "Something went wrong"))
    box.setText(
        QCoreApplication.translate(
            "Crash",
            "Something went wrong and that action did not finish. What was already saved is "
            "safe. If it happens again, tell the helpdesk: the details are in the app's log.",
        )
    )
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    _shown.append(box)
    box.finished.connect(lambda _result: _shown.remove(box) if box in _shown else None)
    box.open()


def install() -> Hook:
    """Make :func:`report` the process's ``sys.excepthook``; returns the hook it replaced."""
    previous = sys.excepthook
    sys.excepthook = report
    return previous
