"""The registration form (``RegistrationFormView``): Identity, Contact, Address, Profile, Consent.

Keyboard-first: the tab order follows the paper form, Enter moves to the next field (no field
takes a line break or any character saving refuses: desktop.widgets.clean_text), Space ticks
boxes and skills, the main window's Ctrl+S saves and Ctrl+N starts a new applicant. Validation from ``common.validation`` runs as the
clerk types and is shown beside each field (for fields already visited; all of them after a
save attempt). Typing a NIK shows what it says (birth date, sex, district) and prefills
what is still empty.

Saving goes through the task manager's database worker; "Tersimpan" is shown only when the
service has returned, i.e. the transaction is committed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from common import errors as E
from common.digits import is_digits
from common.enums import CONSENT_VERSIONS, CURRENT_CONSENT_VERSION
from common.errors import Severity
from common.i18n import Lang, pick
from common.nik import parse_nik
from common.regions import Regions
from common.validation import Problem
from desktop.i18n import arg
from desktop.views.registration_form.editors import AnyEditor, Build, parse_typed_date
from desktop.views.registration_form.fields import DOMICILE, Field, FormFields, Group
from desktop.views.registration_form.nik_hint import NikDuplicate, NikHint
from desktop.widgets.field_box import FieldBox
from desktop.widgets.village_edit import VillageEdit

if TYPE_CHECKING:
    from common.protocol import NikMatch
    from common.record import Applicant, Registration
    from desktop.services.registrations import RegistrationService, SaveResult
    from desktop.tasks import TaskManager

LABEL_WIDTH = 200  # one label column across the groups

# Problems on these fields are shown at the widget of another field.
_FIELD_ALIAS = {"consent_version": "consent_given", "consent_at": "consent_given"}


class RegistrationFormView(QWidget):
    """The form. ``service`` needs ``check``, ``save`` and ``save_draft``; ``tasks`` is the
    :class:`desktop.tasks.TaskManager`.

    Its fields are those of the table (:mod:`.fields`): ``boxes[name]`` is a field's row (editor
    and message), ``editors[name]`` its adapter, and ``self.<name>`` its editor widget.
    """

    # the editors the form's own reactions use (set with every field's, from the table)
    nik: QLineEdit
    birth_place: QLineEdit
    birth_date: QLineEdit
    sex: QComboBox
    village_code: VillageEdit
    domicile_village_code: VillageEdit
    domicile_same: QCheckBox
    consent_given: QCheckBox

    saved = Signal(object)  # Registration, after the commit
    existingFound = Signal(str)  # registration id of the same NIK on this device
    draftSaved = Signal(str)
    problemsFound = Signal(list)  # list[Problem] that blocked a save
    statusMessage = Signal(str)
    enrollmentNeeded = Signal()  # not saved: the device is not enrolled yet
    # a NIK check answered: "local", "remote", or "remote-failed" (offline: local only)
    nikChecked = Signal(str)

    def __init__(
        self,
        service: RegistrationService,
        tasks: TaskManager,
        lang: Lang,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("registrationForm")
        self._service = service
        self._tasks = tasks
        self._lang = lang
        self._areas: Regions | None = None
        self.registration_id: str | None = None
        self.draft_id: str | None = None
        self._touched: set[str] = set()
        self._show_all = False
        self._saving = False
        self._loading = False
        self._dirty = False
        self._baseline: dict[str, Any] = {}  # the form as loaded/cleared (has_unsaved)
        self._generation = 0  # counts clear()/load(): which applicant a late answer is for
        self._after_save: Callable[[], None] | None = None  # what "Save" in the question continues
        self.unsaved_dialog: QMessageBox | None = None
        # the optional read-back before saving (desktop.dialogs.review; off by default)
        self.review_before_save = False
        self.review_dialog: QDialog | None = None
        # NIK -> the office's registrations with it at the server (None: no server check)
        self._remote_check: Callable[[str], list[NikMatch]] | None = None
        self._remote_online: Callable[[], bool] = lambda: False
        self._dup_nik = ""  # the NIK the duplicate warning is about
        self._dup_local: Registration | None = None  # on this device, with that NIK
        self._dup_remote: list[NikMatch] = []  # other devices of the office
        self._auto: dict[str, str] = {}  # field -> value we prefilled from the NIK
        self._consent_at: str | None = None
        self.boxes: dict[str, FieldBox] = {}
        self.editors: dict[str, AnyEditor] = {}  # in the table's order (the tab order)
        self._domicile: list[str] = []  # the domicile fields: empty while it is the ID card's
        self._edit_code = ""  # the record being edited, as the mode line names it
        self._edit_revision = 0
        self.last_problems: list[Problem] = []

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(150)
        self._check_timer.timeout.connect(self.run_check)

        self._build()

    # ===== building ==========================================================================
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        header = QHBoxLayout()
        header.setContentsMargins(12, 8, 12, 0)
        self.mode_label = QLabel(self)
        self.mode_label.setObjectName("formModeLabel")
        self.mode_label.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.status_label = QLabel(self)
        self._status_tone = ""
        self.status_label.setObjectName("formStatusLabel")
        self.status_label.setAccessibleName(self.tr("Form status"))
        self.status_label.setProperty("loketData", True)
        header.addWidget(self.mode_label)
        header.addStretch(1)
        header.addWidget(self.status_label)
        outer.addLayout(header)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("formScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self.scroll_area)
        body.setObjectName("formBody")
        col = QVBoxLayout(body)
        col.setContentsMargins(12, 8, 12, 12)
        col.setSpacing(10)
        groups = {group.name: group for group in FormFields().groups()}
        ui = Build(self, self._lang, self._areas)
        for group in groups.values():
            if group.name != DOMICILE:  # its rows are in the address group
                col.addWidget(self._group(group, body, ui, groups[DOMICILE]))
        col.addStretch(1)
        self.scroll_area.setWidget(body)
        outer.addWidget(self.scroll_area, 1)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(12, 4, 12, 8)
        self.new_button = QPushButton(self.tr("New applicant (Ctrl+N)"), self)
        self.new_button.setObjectName("newButton")
        self.draft_button = QPushButton(self.tr("Keep as draft (Ctrl+Shift+S)"), self)
        self.draft_button.setObjectName("draftButton")
        self.save_button = QPushButton(self.tr("Save (Ctrl+S)"), self)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(False)
        for b in (self.new_button, self.draft_button, self.save_button):
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.new_button.clicked.connect(self.new_applicant)
        self.draft_button.clicked.connect(self.save_draft)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)

        # the editors in the table's order, then the buttons
        chain: list[QWidget] = [editor.widget for editor in self.editors.values()]
        chain += [self.save_button, self.draft_button, self.new_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.nik.textChanged.connect(self._on_nik_changed)
        self.birth_date.editingFinished.connect(self._normalise_birth_date)
        self.domicile_same.toggled.connect(self._on_domicile_toggled)
        self.consent_given.toggled.connect(self._on_consent_toggled)
        self._update_mode_label()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._keep_focus_visible)

    def _keep_focus_visible(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Scroll the focused field into view, whatever moved the focus (Tab, Enter, a click,
        a problem list): QScrollArea does it only for Tab, so Enter typed off-screen."""
        body = self.scroll_area.widget()
        if new is None or body is None or not body.isAncestorOf(new):
            return
        # rows just shown (domicile) and messages just set get their place before we measure:
        # the pending layout requests resize the body and the scroll range
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        target: QWidget = new
        box = next((b for b in self.boxes.values() if b.editor is new), None)
        if box is not None:
            target = box  # the editor and its message
        viewport = self.scroll_area.viewport()
        height = viewport.height() if viewport is not None else 0
        margin = max(0, min(40, (height - target.height()) // 2))
        self.scroll_area.ensureWidgetVisible(target, 0, margin)

    def _form_layout(self, parent: QWidget) -> QFormLayout:
        form = QFormLayout(parent)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)
        return form

    def _group(self, group: Group, parent: QWidget, ui: Build, domicile: Group) -> QGroupBox:
        """A group of the table, with the rows that are not fields: the NIK's duplicate
        warning and hint, the consent text, the domicile rows."""
        box = QGroupBox(group.title, parent)
        box.setObjectName(group.name)
        form = self._form_layout(box)
        if group.intro:
            intro = QLabel(group.intro, self)
            intro.setObjectName("declarationText")
            intro.setWordWrap(True)
            form.addRow(intro)
        for field in group.fields:
            self._add(form, field, ui)
            if field.name == "nik":
                self.nik_duplicate = NikDuplicate(self)
                self.nik_duplicate.open_button.clicked.connect(self._open_existing)
                form.addRow("", self.nik_duplicate)
                self.nik_hint = NikHint(self)
                form.addRow("", self.nik_hint)
            elif field.name == "declaration_not_excluded":
                consent = pick(CONSENT_VERSIONS[CURRENT_CONSENT_VERSION], self._lang)
                consent_text = QLabel(consent, self)
                consent_text.setObjectName("consentText")
                consent_text.setWordWrap(True)
                consent_text.setProperty("loketData", True)  # the published text, from common
                form.addRow(consent_text)
            elif field.name == "domicile_same":
                self._domicile_rows(box, form, domicile, ui)
        return box

    def _domicile_rows(self, box: QGroupBox, form: QFormLayout, group: Group, ui: Build) -> None:
        """The domicile rows under "Domicile", shown while it is not the ID card's address."""
        self.domicile_frame = QWidget(self)
        self.domicile_frame.setObjectName(group.name)
        dform = self._form_layout(self.domicile_frame)
        dform.setContentsMargins(0, 0, 0, 0)
        for field in group.fields:
            self._add(dform, field, ui)
            self._domicile.append(field.name)
        form.addRow(self.domicile_frame)
        # one label column for the group and the nested domicile rows: the widest label
        labels = box.findChildren(QLabel, options=Qt.FindChildOption.FindChildrenRecursively)
        labels = [lab for lab in labels if lab.objectName().startswith("label_")]
        widest = max([LABEL_WIDTH, *(lab.sizeHint().width() for lab in labels)])
        for lab in labels:
            lab.setMinimumWidth(widest)
        self.domicile_frame.setVisible(False)

    def _add(self, form: QFormLayout, field: Field, ui: Build) -> None:
        """One row: a label (buddy of the editor), the editor, its inline message."""
        editor = field.editor(ui)
        widget = editor.widget
        widget.setObjectName(f"field_{field.name}")
        widget.setAccessibleName(field.label)
        box = FieldBox(field.name, widget, self, editor_width=field.width)
        lab = QLabel(field.label, self)
        lab.setObjectName(f"label_{field.name}")
        lab.setMinimumWidth(LABEL_WIDTH)
        lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        lab.setBuddy(widget)
        form.addRow(lab, box)
        self.boxes[field.name] = box
        self.editors[field.name] = editor
        setattr(self, field.name, widget)  # form.phone: the phone's editor
        widget.installEventFilter(self)
        editor.connect_changed(lambda: self._changed(field.name))
        editor.connect_finished(self._focus_next)

    def _changed(self, field: str) -> None:
        """The clerk changed ``field`` (a program filling the form is not a change)."""
        if self._loading:
            return
        self._dirty = True
        self._touched.add(field)
        if self._status_tone == "ok":  # typing the next applicant: "Saved" is old news
            self._set_status("")
        if field in self._auto and self._value_text(field) != self._auto[field]:
            del self._auto[field]  # the clerk changed a prefilled value: theirs now
        self.schedule_check()

    # ===== keyboard ==========================================================================
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        editor = next((e for e in self.editors.values() if e.widget is obj), None)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if enter and mods == Qt.KeyboardModifier.NoModifier:
                if editor is not None and editor.keeps_enter():
                    return False
                self.focusNextChild()
                return True
            if enter and editor is not None and editor.refuses_enter():
                return True
        if (
            event.type() == QEvent.Type.FocusIn
            and obj is self.birth_place
            and self._auto.get("birth_place") == self.birth_place.text()
        ):
            self.birth_place.selectAll()  # a suggestion: typing replaces it, however focused
        if event.type() == QEvent.Type.FocusOut:
            name = next((n for n, e in self.editors.items() if e is editor), None)
            if name and self._value_text(name):
                self._touched.add(name)
                self.schedule_check()
        return super().eventFilter(obj, event)

    def _focus_next(self) -> None:
        self.focusNextChild()

    def focus_first(self) -> None:
        bar = self.scroll_area.verticalScrollBar()
        if bar is not None:
            bar.setValue(0)
        self.window().activateWindow()
        self.nik.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_field(self, field: str) -> None:
        box = self.boxes.get(_FIELD_ALIAS.get(field, field))
        if box is None:
            return
        if field.startswith("domicile_") and field != "domicile_same":
            self.domicile_frame.setVisible(True)
        self.scroll_area.ensureWidgetVisible(box, 50, 80)
        self.window().activateWindow()  # back from a dialog
        box.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # ===== values ============================================================================
    def _value_text(self, field: str) -> str:
        return self.editors[field].text()

    def raw(self) -> dict[str, Any]:
        """The form as raw input for ``common.validation.check`` / ``RegistrationService.save``."""
        raw: dict[str, Any] = {name: editor.value() for name, editor in self.editors.items()}
        if raw["domicile_same"]:
            raw.update(dict.fromkeys(self._domicile, ""))
        raw["consent_version"] = CURRENT_CONSENT_VERSION
        raw["consent_at"] = self._consent_at if raw["consent_given"] else ""
        return raw

    def load(
        self,
        data: dict[str, Any],
        *,
        registration_id: str | None = None,
        draft_id: str | None = None,
        code: str = "",
        revision: int = 0,
    ) -> None:
        """Fill the form from an applicant dict (a draft's raw dict or ``Applicant.to_dict()``)."""
        self.clear()
        self._set_status("")  # what the line said was about the form before
        self._loading = True
        try:
            for name, editor in self.editors.items():
                editor.load(data.get(name))
            self._consent_at = str(data.get("consent_at") or "") or None
        finally:
            self._loading = False
        self.registration_id = registration_id
        self.draft_id = draft_id
        self._edit_code = code
        self._edit_revision = revision
        self._dirty = False
        self._touched = {n for n in self.boxes if self._value_text(n)}
        self._on_nik_changed(self.nik.text())
        self._update_mode_label()
        self.run_check()
        self._baseline = self._snapshot()

    def clear(self) -> None:
        """An empty form for the next applicant."""
        self._generation += 1
        self._loading = True
        try:
            for name, box in self.boxes.items():
                self.editors[name].clear()
                box.set_message("", None)
        finally:
            self._loading = False
        self.registration_id = None
        self.draft_id = None
        self._edit_code = ""
        self._edit_revision = 0
        self._touched.clear()
        self._show_all = False
        self._dirty = False
        self._auto.clear()
        self._consent_at = None
        self.last_problems = []
        self.nik_hint.hide()
        self._dup_nik, self._dup_local, self._dup_remote = "", None, []
        self.nik_duplicate.hide()
        self.village_code.set_preferred_district("")
        self._update_mode_label()
        self._baseline = self._snapshot()

    def _snapshot(self) -> dict[str, Any]:
        raw = self.raw()
        raw.pop("consent_at", None)  # a time, not typing
        for name, editor in self.editors.items():
            typed = editor.typed()
            if typed is not None:
                raw[f"typed {name}"] = typed
        return raw

    def has_unsaved(self) -> bool:
        """Whether the form holds typing that is neither saved nor kept as a draft."""
        return self._dirty and self._snapshot() != self._baseline

    def leave(self, then: Callable[[], None]) -> None:
        """Run ``then`` (start over, close the window, open another record) once nothing the
        clerk typed can be lost: a new applicant's typing is kept as a draft at once; changes
        to a saved record (a draft cannot hold those) are saved, discarded or kept on
        screen as the clerk answers."""
        if not self.has_unsaved():
            then()
        elif self.registration_id is None:
            self.keep_draft_now()
            then()
        else:
            self._ask_unsaved(then)

    def keep_draft_now(self) -> None:
        """Queue the form as a draft (the database worker; the app waits for it on exit)."""
        generation = self._generation

        def done(draft_id: str) -> None:
            if self._generation == generation:  # the same applicant is still on screen
                self.draft_id = draft_id
            if self.window().isVisible():  # not after the window closed (the app may be gone)
                self.draftSaved.emit(draft_id)

        self._tasks.run_db(self._service.save_draft, self.raw(), self.draft_id, on_done=done)
        self._dirty = False  # kept: a close right after must not keep it twice
        self._baseline = self._snapshot()

    def _ask_unsaved(self, then: Callable[[], None]) -> None:
        box = QMessageBox(self.window())
        box.setObjectName("unsavedChangesDialog")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Unsaved changes"))
        box.setText(
            arg(self.tr("The changes to %1 are not saved yet. Save them?"), self._edit_code)
        )
        save = box.addButton(self.tr("Save"), QMessageBox.ButtonRole.AcceptRole)
        save.setObjectName("unsavedSaveButton")
        discard = box.addButton(
            self.tr("Discard the changes"), QMessageBox.ButtonRole.DestructiveRole
        )
        discard.setObjectName("unsavedDiscardButton")
        cancel = box.addButton(self.tr("Back to the form"), QMessageBox.ButtonRole.RejectRole)
        cancel.setObjectName("unsavedCancelButton")
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            self.unsaved_dialog = None
            box.deleteLater()
            if clicked is save:
                self._after_save = then
                self.save()
            elif clicked is discard:
                self._dirty = False
                then()
            else:
                self.window().activateWindow()

        box.finished.connect(answered)
        self.unsaved_dialog = box
        box.open()

    @property
    def dirty(self) -> bool:
        """Whether the clerk typed something not saved yet (as a record or a draft)."""
        return self._dirty

    @property
    def saving(self) -> bool:
        return self._saving

    def set_regions(self, areas: Regions) -> None:
        self._areas = areas
        self.village_code.set_regions(areas)
        self.domicile_village_code.set_regions(areas)
        self._on_nik_changed(self.nik.text())

    # ===== reactions =========================================================================
    def _on_domicile_toggled(self, same: bool) -> None:
        self.domicile_frame.setVisible(not same)

    def _on_consent_toggled(self, checked: bool) -> None:
        if checked and not self._loading:
            self._consent_at = (
                datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
            )

    def _normalise_birth_date(self) -> None:
        iso = parse_typed_date(self.birth_date.text())
        if iso != self.birth_date.text() and re.match(r"^\d{4}-\d{2}-\d{2}$", iso):
            self.birth_date.setText(iso)
        self._update_nik_hint()

    # --- an already registered NIK -----------------------------------------------------------
    def set_remote_nik_check(
        self, check: Callable[[str], list[Any]] | None, online: Callable[[], bool]
    ) -> None:
        """``check(nik)`` asks the server (on the I/O pool) while ``online()`` says so."""
        self._remote_check = check
        self._remote_online = online

    def _check_duplicate(self, nik: str) -> None:
        """Right after the 16th digit: the local store at once, the server in the background
        (never blocking typing: a late or failed answer is dropped or ignored)."""
        if nik == self._dup_nik:
            return
        self._dup_nik = nik
        self._dup_local = None
        self._dup_remote = []
        self._show_duplicate()
        if len(nik) != 16 or not is_digits(nik):
            return
        self._tasks.run_db(
            self._service.find_by_nik,
            nik,
            on_done=lambda reg: self._local_duplicate(nik, reg),
            on_error=lambda _exc: None,
        )
        if self._remote_check is not None and self._remote_online():
            self._tasks.run_io(
                self._remote_check,
                nik,
                on_done=lambda found: self._remote_duplicate(nik, found),
                on_error=lambda _exc: self.nikChecked.emit("remote-failed"),
            )

    def _local_duplicate(self, nik: str, registration: Registration | None) -> None:
        if nik != self._dup_nik:
            return  # the clerk typed on
        if registration is not None and registration.id != self.registration_id:
            self._dup_local = registration
        self._show_duplicate()
        self.nikChecked.emit("local")

    def _remote_duplicate(self, nik: str, matches: list[NikMatch]) -> None:
        if nik != self._dup_nik:
            return
        self._dup_remote = [m for m in matches if m.registration_id != self.registration_id]
        self._show_duplicate()
        self.nikChecked.emit("remote")

    def _show_duplicate(self) -> None:
        local = self._dup_local
        remote = [m for m in self._dup_remote if local is None or m.registration_id != local.id]
        self.nik_duplicate.show_found(
            None if local is None else local.code, [m.code for m in remote]
        )

    def _open_existing(self) -> None:
        if self._dup_local is not None:
            self.existingFound.emit(self._dup_local.id)

    def _on_nik_changed(self, text: str) -> None:
        if not self._loading:
            self._check_duplicate(text.replace(" ", ""))
        parts = parse_nik(text.replace(" ", ""))
        if parts is None:
            self.nik_hint.hide()
            self.village_code.set_preferred_district("")
            return
        self.village_code.set_preferred_district(parts.district_code)
        if not self._loading and parts.birth_date is not None:
            self._prefill("birth_date", parts.birth_date.isoformat())
            self._prefill("sex", parts.sex.value)
        if not self._loading:
            place = self._birth_place_from(parts.district_code)
            if place:
                self._prefill("birth_place", place)
        self._update_nik_hint()

    def _birth_place_from(self, district_code: str) -> str:
        """The NIK's regency as an ID card writes a place of birth: ``"Kabupaten Bogor"`` ->
        ``"Bogor"``, ``"Kota Administrasi Jakarta Pusat"`` -> ``"Jakarta Pusat"``; a suggestion
        only (the bundled region data has no postal codes, so none is suggested)."""
        areas = self._areas
        regency = district_code[:5]
        name = areas.name(regency) if areas is not None and regency in areas else None
        if not name:
            return ""
        for prefix in ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota "):
            if name.startswith(prefix):
                return name[len(prefix) :]
        return name

    def _prefill(self, field: str, value: str) -> None:
        """Fill ``field`` from the NIK if it is empty or still holds our earlier prefill."""
        current = self._value_text(field)
        if current and self._auto.get(field) != current:
            return  # the clerk typed something: keep it, the hint shows any disagreement
        self._loading = True
        try:
            self.editors[field].load(value)
        finally:
            self._loading = False
        self._auto[field] = value
        self.schedule_check()

    def _update_nik_hint(self) -> None:
        typed_birth = parse_typed_date(self.birth_date.text())
        # what still holds our prefill: a value the clerk changed is theirs, whatever path
        # the change took (typed, normalised on leaving the field, loaded)
        current = {
            "birth_date": typed_birth,
            "sex": self._value_text("sex"),
            "birth_place": self.birth_place.text(),
        }
        self.nik_hint.show_for(
            parse_nik(self.nik.text().replace(" ", "")),
            areas=self._areas,
            lang=self._lang,
            typed_birth=typed_birth,
            sex_code=current["sex"],
            prefilled={f for f, v in current.items() if f in self._auto and self._auto[f] == v},
        )

    # ===== validation ========================================================================
    def schedule_check(self) -> None:
        self._check_timer.start()

    def run_check(self) -> None:
        """Validate the form now and show the problems of visited fields (all after a save)."""
        self._check_timer.stop()
        result = self._service.check(self.raw())
        self.show_problems(self._explain_villages(result.problems), all_fields=self._show_all)
        self._update_nik_hint()

    def _explain_villages(self, problems: list[Problem]) -> list[Problem]:
        """A village field showing typed text but holding no village says "pick one from the
        list", not "required" (the clerk sees text in it)."""
        out = list(problems)
        for field, editor in self.editors.items():
            if not editor.unchosen():
                continue
            if field in self._domicile and self.domicile_same.isChecked():
                continue
            out = [p for p in out if not (p.field == field and p.code == E.REQUIRED)]
            out.append(Problem(E.VILLAGE_NOT_CHOSEN, field, Severity.ERROR))
        return out

    def show_problems(self, problems: list[Problem], all_fields: bool) -> None:
        by_field: dict[str, list[Problem]] = {}
        for p in problems:
            by_field.setdefault(_FIELD_ALIAS.get(p.field, p.field), []).append(p)
        for name, box in self.boxes.items():
            found = by_field.get(name, [])
            if not found or not (all_fields or name in self._touched):
                box.set_message("", None)
                continue
            errors = [p for p in found if p.severity is Severity.ERROR]
            shown = errors or found
            box.set_message(
                " ".join(p.message(self._lang) for p in shown), "error" if errors else "warning"
            )
        self.last_problems = problems

    # ===== saving ============================================================================
    def save(self) -> None:
        """Validate and save through the database worker (Ctrl+S); with the review turned on,
        a record without errors is first read back to the applicant (Enter saves, Esc goes
        back to the form)."""
        if self._saving or self.review_dialog is not None:
            return
        if self.review_before_save:
            result = self._service.check(self.raw())
            problems = self._explain_villages(result.problems)
            if not any(p.severity is Severity.ERROR for p in problems):
                self._open_review(result.applicant)
                return  # with errors: the save reports them as always
        self._do_save()

    def _open_review(self, applicant: Applicant) -> None:
        from desktop.dialogs.review import ReviewDialog

        back_to = QApplication.focusWidget()
        dialog = ReviewDialog(applicant, self._lang, self._areas, self.window())

        def finished(result: int) -> None:
            self.review_dialog = None
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted:
                self._do_save()
                return
            self._after_save = None  # "Save" in the unsaved-changes question goes no further
            self.window().activateWindow()
            if back_to is not None and self.isAncestorOf(back_to):
                back_to.setFocus(Qt.FocusReason.OtherFocusReason)

        dialog.finished.connect(finished)
        self.review_dialog = dialog
        dialog.open()

    def _do_save(self) -> None:
        self._saving = True
        self.save_button.setEnabled(False)
        self._set_status(self.tr("Saving…"))
        self._tasks.run_db(
            self._service.save,
            self.raw(),
            registration_id=self.registration_id,
            draft_id=self.draft_id,
            on_done=self._on_saved,
            on_error=self._on_save_failed,
        )

    def _on_saved(self, result: SaveResult) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        after, self._after_save = self._after_save, None  # only a successful save goes on
        if result.needs_enrollment:
            # nothing saved, nothing typed lost: the window offers to enroll (issue 13)
            self._set_status(self.tr("Not saved: this device is not enrolled yet."), "error")
            self.enrollmentNeeded.emit()
            return
        if result.existing_id:
            self._set_status(self.tr("This NIK is already registered on this device."), "error")
            self.existingFound.emit(result.existing_id)
            return
        if not result.ok:
            self._show_all = True
            self._set_status(self.tr("Not saved: fix the problems listed."), "error")
            problems = self._explain_villages(result.problems)
            self.show_problems(problems, all_fields=True)
            blocking = [p for p in problems if p.severity is Severity.ERROR]
            self.problemsFound.emit(blocking or problems)
            return
        registration = result.registration
        assert registration is not None  # ok and not refused: the service saved it
        # The service returned: the transaction is committed. Only now say "saved".
        self.clear()
        self._set_status(arg(self.tr("Saved: %1"), registration.code), "ok")
        self.statusMessage.emit(arg(self.tr("Saved: %1"), registration.code))
        self.saved.emit(registration)
        if after is not None:
            after()

    def _on_save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self._after_save = None
        self.save_button.setEnabled(True)
        self._set_status(self.tr("Not saved."), "error")
        self._tasks._show_error(exc)  # the dialog, and the form keeps what was typed

    def save_draft(self) -> None:
        """Keep the half-filled form as a draft (never synced)."""
        raw = self.raw()
        self._tasks.run_db(
            self._service.save_draft, raw, self.draft_id, on_done=self._on_draft_saved
        )

    def _on_draft_saved(self, draft_id: str) -> None:
        self.draft_id = draft_id
        self._dirty = False
        self._baseline = self._snapshot()
        self._set_status(self.tr("Kept as a draft."))
        self.draftSaved.emit(draft_id)

    def new_applicant(self) -> None:
        """Ctrl+N: an empty form; unsaved typing is never thrown away (:meth:`leave`)."""
        kept = self.has_unsaved() and self.registration_id is None
        self.leave(lambda: self._start_over(kept))

    def _start_over(self, kept_draft: bool) -> None:
        self.clear()
        self._set_status(self.tr("The unfinished form was kept as a draft.") if kept_draft else "")
        self.focus_first()

    #: The status line's look per tone: saved in green, a failure in red, anything else plain.
    _TONES = {
        "ok": "color: #1b5e20; font-weight: bold;",
        "error": "color: #b3261e; font-weight: bold;",
    }

    def _set_status(self, text: str, tone: str = "") -> None:
        """One place sets the status line, text and look together, so a failure never keeps
        the green of an earlier "Saved"."""
        self._status_tone = tone
        self.status_label.setStyleSheet(self._TONES.get(tone, ""))
        self.status_label.setText(text)

    def _update_mode_label(self) -> None:
        if self.registration_id:
            self.mode_label.setText(
                arg(
                    self.tr("Editing %1 (will be saved as revision %2)"),
                    self._edit_code,
                    self._edit_revision + 1,
                )
            )
        elif self.draft_id:
            self.mode_label.setText(self.tr("New applicant (resumed draft)"))
        else:
            self.mode_label.setText(self.tr("New applicant"))
