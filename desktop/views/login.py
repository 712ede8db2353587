"""Operator login (``LoginView``): user name, password, Enter logs in. The password check
(opening the operator's key slot: argon2id) runs on the database worker; the window stays
responsive. The language can be switched here (Bahasa Indonesia by default).

On a new data folder the same window becomes "create the first operator" (full name and the
password twice; :meth:`LoginView.show_first_operator_form`): that operator's password wraps
the new database key. An operator who has no key slot on this computer yet (an account made
at the centre, at its first login here) is told so, and the window then asks for another
operator's name and password, who authorises that first login
(:meth:`LoginView.show_authoriser_form`, security issue 12). :class:`IdleWatcher` locks the app after a quiet period (the shell shows
this window again over the hidden main window)."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
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
from desktop.i18n import arg
from desktop.widgets.form_rows import buddy_label


class LoginView(QWidget):
    """Emits ``loginRequested(username, password)``; the shell answers with
    :meth:`show_error` or closes the window."""

    loginRequested = Signal(str, str)
    #: (username, password, authorising operator, their password)
    authorisedLoginRequested = Signal(str, str, str, str)
    createRequested = Signal(str, str, str)  # username, full name, password
    languageChanged = Signal(str)

    def __init__(self, lang: Lang, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginView")
        self.setWindowTitle(self.tr("Operator login"))  # Qt adds "— Loket" itself
        self._busy = False
        self._creating = False
        self._authorising = False

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

        user_label = buddy_label(self.tr("User name"), self.username)
        pass_label = buddy_label(self.tr("Password"), self.password)
        lang_label = buddy_label(self.tr("Language"), self.language)
        # the first-run fields (hidden until show_first_operator_form)
        self.full_name = QLineEdit(self)
        self.full_name.setObjectName("loginFullName")
        self.full_name.setAccessibleName(self.tr("Full name"))
        self.repeat = QLineEdit(self)
        self.repeat.setObjectName("loginRepeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName(self.tr("Repeat the password"))
        self._name_label = buddy_label(self.tr("Full name"), self.full_name)
        self._repeat_label = buddy_label(self.tr("Repeat the password"), self.repeat)
        for w in (self.full_name, self.repeat, self._name_label, self._repeat_label):
            w.hide()
        # another operator who authorises a first login (hidden until show_authoriser_form)
        self.auth_username = QLineEdit(self)
        self.auth_username.setObjectName("loginAuthUsername")
        self.auth_username.setAccessibleName(self.tr("Authorising operator"))
        self.auth_password = QLineEdit(self)
        self.auth_password.setObjectName("loginAuthPassword")
        self.auth_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.auth_password.setAccessibleName(self.tr("Authorising operator's password"))
        self._auth_user_label = buddy_label(self.tr("Authorising operator"), self.auth_username)
        self._auth_pass_label = buddy_label(self.tr("Their password"), self.auth_password)
        self._auth_widgets = (
            self.auth_username,
            self.auth_password,
            self._auth_user_label,
            self._auth_pass_label,
        )
        for w in self._auth_widgets:
            w.hide()
        tab_order = (
            self.username,
            self.full_name,
            self.password,
            self.repeat,
            self.auth_username,
            self.auth_password,
            self.language,
        )
        for first, second in pairwise(tab_order):
            QWidget.setTabOrder(first, second)
        form = QFormLayout()
        form.addRow(user_label, self.username)
        form.addRow(self._name_label, self.full_name)
        form.addRow(pass_label, self.password)
        form.addRow(self._repeat_label, self.repeat)
        form.addRow(self._auth_user_label, self.auth_username)
        form.addRow(self._auth_pass_label, self.auth_password)

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
        self.username.returnPressed.connect(self._next_after_username)
        self.full_name.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._after_password)
        self.repeat.returnPressed.connect(self._submit)
        self.auth_username.returnPressed.connect(self.auth_password.setFocus)
        self.auth_password.returnPressed.connect(self._submit)

        card = QFrame(self)
        card.setObjectName("loginCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.addWidget(title)
        inner.addWidget(subtitle)
        inner.addSpacing(12)
        # the guided first start (issue 18): a welcome first, then this form as step 1
        self.welcome = QWidget(card)
        self.welcome.setObjectName("loginWelcome")
        welcome_box = QVBoxLayout(self.welcome)
        welcome_box.setContentsMargins(0, 0, 0, 0)
        welcome_title = QLabel(self.tr("Welcome to Loket"), self.welcome)
        welcome_title.setObjectName("loginWelcomeTitle")
        welcome_title.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.welcome_text = QLabel(
            self.tr(
                "This computer is new to Loket. Two short steps get it ready, here in the app:\n"
                "1. Create the first operator: your user name and a password (at least 8 "
                "characters). The password also protects the data on this computer, so keep "
                "it safe.\n"
                "2. Connect this computer to the server with the one-time code from the "
                "central office. This can also be done later.\n"
                "Then you log in and start registering."
            ),
            self.welcome,
        )
        self.welcome_text.setObjectName("loginWelcomeText")
        self.welcome_text.setWordWrap(True)
        self.start_button = QPushButton(self.tr("Start"), self.welcome)
        self.start_button.setObjectName("loginWelcomeStart")
        self.start_button.clicked.connect(self.show_first_step)
        welcome_row = QHBoxLayout()
        welcome_row.addStretch(1)
        welcome_row.addWidget(self.start_button)
        welcome_box.addWidget(welcome_title)
        welcome_box.addWidget(self.welcome_text)
        welcome_box.addLayout(welcome_row)
        self.welcome.hide()
        self.step = QLabel(self.tr("Step 1 of 2: the first operator"), card)
        self.step.setObjectName("loginStep")
        self.step.setStyleSheet("font-weight: bold;")
        self.step.hide()
        inner.addWidget(self.welcome)
        inner.addWidget(self.step)
        self.form_box = QWidget(card)
        self.form_box.setObjectName("loginFormBox")
        box = QVBoxLayout(self.form_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        box.addLayout(row)
        inner.addWidget(self.form_box)
        # the language, also on the first start's welcome (outside the form box)
        lang_form = QFormLayout()
        lang_form.addRow(lang_label, self.language)
        inner.addLayout(lang_form)
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
        if self._creating:
            if self.password.text() != self.repeat.text():
                self.show_error(self.tr("The two passwords differ."))
                return
            self.set_busy(True)
            self.message.setText(self.tr("Creating the operator and the encrypted database…"))
            self.message.setStyleSheet("")
            self.createRequested.emit(user, self.full_name.text(), self.password.text())
            return
        if self._authorising:
            if not self.auth_username.text().strip():
                self.auth_username.setFocus()
                return
            self.set_busy(True)
            self.message.setText(self.tr("Checking…"))
            self.message.setStyleSheet("")
            self.authorisedLoginRequested.emit(
                user,
                self.password.text(),
                self.auth_username.text().strip(),
                self.auth_password.text(),
            )
            return
        self.set_busy(True)
        self.message.setText(self.tr("Checking…"))
        self.message.setStyleSheet("")
        self.loginRequested.emit(user, self.password.text())

    def _next_after_username(self) -> None:
        (self.full_name if self._creating else self.password).setFocus()

    def _after_password(self) -> None:
        if self._creating:
            self.repeat.setFocus()
        elif self._authorising:
            self.auth_username.setFocus()
        else:
            self._submit()

    def show_welcome(self) -> None:
        """A new data folder: the welcome of the guided first start; "Start" shows the first
        operator's form (:meth:`show_first_step`)."""
        self.show_first_operator_form()
        self.form_box.hide()
        self.step.hide()
        self.welcome.show()
        self.start_button.setDefault(True)
        self.start_button.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter on the welcome goes on to the first step (like a dialog's default button)."""
        if self.welcome.isVisible() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.show_first_step()
            return
        super().keyPressEvent(event)

    def show_first_step(self) -> None:
        """Step 1 of the first start: the first operator's form."""
        self.welcome.hide()
        self.step.show()
        self.form_box.show()
        self.start_button.setDefault(False)
        self.button.setDefault(True)
        self.username.setFocus()

    def show_first_operator_form(self) -> None:
        """No operator can open this device yet: the form creates the first one."""
        self._creating = True
        for w in (self.full_name, self.repeat, self._name_label, self._repeat_label):
            w.show()
        self.button.setText(self.tr("Create the first operator"))
        self.hint.setText(
            self.tr(
                "No operator account exists on this computer yet. Create the first one: its "
                "password protects the encrypted database (at least 8 characters)."
            )
        )
        self.hint.show()
        self.username.setFocus()

    def show_authoriser_form(self, text: str) -> None:
        """The operator has no key slot here yet: ``text`` (the catalog's message) says so, and
        another operator's name and password are asked for in the same window."""
        self._authorising = True
        for w in self._auth_widgets:
            w.show()
        self.hint.setText(
            self.tr(
                "Enter your password again, and let another operator who has logged in on this "
                "computer before enter their name and password."
            )
        )
        self.hint.show()
        self.show_error(text)

    def show_locked(self, operator_name: str) -> None:
        """Shown over the hidden main window after the idle time."""
        self.hint.setText(
            arg(
                self.tr("Locked after a period without use. %1 or another operator can unlock."),
                operator_name,
            )
        )
        self.hint.show()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.button.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.set_busy(False)
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setText(text)
        self.password.clear()
        self.repeat.clear()
        self.auth_password.clear()
        self.password.setFocus()

    def show_no_operators_hint(self) -> None:
        self.hint.setText(
            self.tr(
                "No operator account exists on this computer yet. Create one with: loket-desk add-operator NAME"
            )
        )
        self.hint.show()


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without keyboard or mouse input anywhere in the app
    (an application-wide event filter restarts the timer on every input event)."""

    idle = Signal()
    _INPUT = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
        }
    )

    def __init__(self, app: QObject, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, int(minutes * 60_000)))
        self.timer.timeout.connect(self.idle)
        app.installEventFilter(self)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._INPUT and self.timer.isActive():
            self.timer.start()  # restart
        return False

    def remove(self) -> None:
        self.timer.stop()
        self._app.removeEventFilter(self)
