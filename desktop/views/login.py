"""Operator login (``LoginView``): user name, password, Enter logs in. The password check
(argon2id) runs on the database worker; the window stays responsive. The language can be
switched here (Bahasa Indonesia by default)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.i18n import Lang


class LoginView(QWidget):
    """Emits ``loginRequested(username, password)``; the shell answers with
    :meth:`show_error` or closes the window."""

    loginRequested = Signal(str, str)  # noqa: N815
    languageChanged = Signal(str)  # noqa: N815

    def __init__(self, lang: Lang, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginView")
        self.setWindowTitle(self.tr("Loket — operator login"))
        self._busy = False

        title = QLabel(self.tr("Loket"), self)
        title.setObjectName("loginTitle")
        title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        subtitle = QLabel(self.tr("Pre-employment training programme registration"), self)
        subtitle.setWordWrap(True)

        self.username = QLineEdit(self)
        self.username.setObjectName("loginUsername")
        self.username.setAccessibleName(self.tr("User name"))
        self.password = QLineEdit(self)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.language = QComboBox(self)
        self.language.setObjectName("loginLanguage")
        self.language.setAccessibleName(self.tr("Language"))
        self.language.addItem("Bahasa Indonesia", Lang.ID.value)
        self.language.addItem("English", Lang.EN.value)
        self.language.setCurrentIndex(0 if lang is Lang.ID else 1)
        self.language.setProperty("loketData", True)  # language names are written in themselves
        self.language.currentIndexChanged.connect(
            lambda _i: self.languageChanged.emit(str(self.language.currentData()))
        )

        user_label = QLabel(self.tr("User name"), self)
        user_label.setBuddy(self.username)
        pass_label = QLabel(self.tr("Password"), self)
        pass_label.setBuddy(self.password)
        lang_label = QLabel(self.tr("Language"), self)
        lang_label.setBuddy(self.language)
        form = QFormLayout()
        form.addRow(user_label, self.username)
        form.addRow(pass_label, self.password)
        form.addRow(lang_label, self.language)

        self.message = QLabel(self)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setProperty("loketData", True)
        self.hint = QLabel(self)
        self.hint.setObjectName("loginHint")
        self.hint.setWordWrap(True)
        self.hint.hide()

        self.button = QPushButton(self.tr("Log in"), self)
        self.button.setObjectName("loginButton")
        self.button.setDefault(True)
        self.button.clicked.connect(self._submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._submit)

        card = QFrame(self)
        card.setObjectName("loginCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.addWidget(title)
        inner.addWidget(subtitle)
        inner.addSpacing(12)
        inner.addLayout(form)
        inner.addWidget(self.message)
        inner.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        inner.addLayout(row)
        card.setMaximumWidth(460)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        mid = QHBoxLayout()
        mid.addStretch(1)
        mid.addWidget(card, 2)
        mid.addStretch(1)
        outer.addLayout(mid)
        outer.addStretch(1)
        self.resize(560, 420)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def _submit(self) -> None:
        if self._busy:
            return
        user = self.username.text().strip()
        if not user:
            self.username.setFocus()
            return
        self.set_busy(True)
        self.message.setText(self.tr("Checking…"))
        self.message.setStyleSheet("")
        self.loginRequested.emit(user, self.password.text())

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.button.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setText(text)
        self.password.clear()
        self.password.setFocus()

    def show_no_operators_hint(self) -> None:
        self.hint.setText(
            self.tr(
                "No operator account exists on this computer yet. Create one with: loket-desk add-operator NAME"
            )
        )
        self.hint.show()
