"""Text editors that cannot hold what saving refuses (issue 13 #8).

Saving refuses control characters in every text field (``common.validation``: no field of
the record is multi-line). A field that lets the clerk type or paste one and then refuses it
at Ctrl+S is a trap, so the editors clean text as it comes in, with the same rule
(:func:`common.validation.clean_typed_text`): a line break or tab becomes a space, other
invisible characters are dropped.

``CleanTextValidator`` does it for a ``QLineEdit`` (a validator may rewrite the input), with an
optional pattern the cleaned text must match (digits-only fields). ``OneLineTextEdit`` is a
wrapping editor for longer single-line text (the reason for joining): Enter and Shift+Enter
never make a new line, pasted text is cleaned.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QObject, QRegularExpression, Qt
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from common.validation import clean_typed_text


class CleanTextValidator(QValidator):
    """Rewrites typed/pasted text with :func:`clean_typed_text`; with ``pattern``, the cleaned
    text must match it wholly (else the edit is refused, as QRegularExpressionValidator)."""

    def __init__(self, pattern: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pattern = QRegularExpression(f"\\A(?:{pattern})\\z") if pattern else None

    def validate(self, text: str, pos: int) -> object:
        cleaned = clean_typed_text(text)
        if cleaned != text:
            # keep the cursor after what was inserted: count what survived before it
            pos = len(clean_typed_text(text[:pos]))
        if self._pattern is not None and not self._pattern.match(cleaned).hasMatch():
            return (QValidator.State.Invalid, text, pos)
        return (QValidator.State.Acceptable, cleaned, pos)


class OneLineTextEdit(QPlainTextEdit):
    """A wrapping editor whose text is one line: no Enter makes a line break, and pasted or
    dropped text has its breaks turned into spaces."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._cleaning = False
        # the catch-all for paths that bypass keys and paste (an input method's commit,
        # setPlainText): the text is cleaned in place, the cursor kept where it was
        self.textChanged.connect(self._clean_in_place)

    def _clean_in_place(self) -> None:
        text = self.toPlainText()
        if self._cleaning or text.isprintable():
            return
        cleaned = clean_typed_text(text)
        if cleaned == text:
            return
        cursor = self.textCursor()
        pos = len(clean_typed_text(text[: cursor.position()]))
        self._cleaning = True
        try:
            self.setPlainText(cleaned)
        finally:
            self._cleaning = False
        cursor = self.textCursor()
        cursor.setPosition(min(pos, len(cleaned)))
        self.setTextCursor(cursor)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.ignore()  # to the form (Enter moves on), never a line break
            return
        super().keyPressEvent(event)  # other keys insert printable text only (or edit)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            self.insertPlainText(clean_typed_text(source.text()))

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasText()
