"""A form field with its validation message beside it (``FieldBox``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

ERROR_STYLE = "color: #b3261e;"
WARNING_STYLE = "color: #8a5a00;"
INVALID_EDITOR_STYLE = "border: 1px solid #b3261e;"


class FieldBox(QWidget):
    """An editor followed by an inline message (error in red, warning in amber).

    The message is also set as the editor's accessible description, so a screen reader reads
    it with the field. ``field`` is the record field name the box stands for.
    """

    def __init__(
        self,
        field: str,
        editor: QWidget,
        parent: QWidget | None = None,
        editor_width: int | None = 320,
    ) -> None:
        super().__init__(parent)
        self.field = field
        self.editor = editor
        self.message = QLabel(self)
        self.message.setObjectName(f"message_{field}")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.message.setProperty("loketData", True)  # text comes from common's catalog
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        if editor_width:
            editor.setMinimumWidth(editor_width)
            editor.setMaximumWidth(editor_width + 120)
        layout.addWidget(editor, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message, 1)
        self.setFocusProxy(editor)
        self._severity: str | None = None

    def set_message(self, text: str, severity: str | None) -> None:
        """Show ``text`` (``severity`` "error" or "warning"), or clear it with ``None``."""
        self._severity = severity if text else None
        if not text:
            self.message.clear()
            self.editor.setAccessibleDescription("")
            self.editor.setProperty("invalid", False)
            return
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if severity == "error" else WARNING_STYLE)
        self.editor.setAccessibleDescription(text)
        self.editor.setProperty("invalid", severity == "error")

    @property
    def severity(self) -> str | None:
        return self._severity

    def message_text(self) -> str:
        return self.message.text() if self._severity else ""
