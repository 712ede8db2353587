"""What the main window and its views are given (injected; no global singletons)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from common.i18n import Lang

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from common.record import Registration
    from desktop.services.importer import ImportReport
    from desktop.services.operators import Operator


class ImportCsv(Protocol):
    """``desktop.services.importer.import_csv`` bound to the store and the operator."""

    def __call__(
        self, path: Path, *, dry_run: bool = False, errors_path: Path | None = None
    ) -> ImportReport: ...


@dataclass
class DeskContext:
    """The logged-in session as the views see it.

    ``write_receipt(registration, path) -> Path`` writes a receipt PDF;
    ``import_csv(path, dry_run=..., errors_path=...) -> ImportReport`` imports paper forms
    (both already bound to the store and operator by the application shell).

    The office (``office_code``, ``office_name``: the enrolled office's name, or empty when the
    server has not named it) is the device's *current* office: enrolling in the window changes
    it at once (:meth:`set_office`), and the receipt writer reads it at each call, so receipts
    and the window title follow an enrollment without a new login (issue 13 defect 7).
    ``settings`` is the UI's QSettings (print settings: layout, last printer); None: the data
    folder's ``desktop.ini``.
    """

    operator: Operator
    lang: Lang
    data_dir: Path
    office_name: str
    write_receipt: Callable[[Registration, Path], Path]
    import_csv: ImportCsv
    office_code: str = ""
    settings: QSettings | None = None

    def set_office(self, office_code: str, office_name: str) -> None:
        """The device was enrolled (or its office renamed): from now on, this office."""
        self.office_code = office_code
        self.office_name = office_name

    def office_name_for(self, office_code: str) -> str:
        """The name to print for a registration made under ``office_code``: the current
        office's name when it is that office (or when the current code is not known)."""
        if not self.office_code or office_code == self.office_code:
            return self.office_name
        return ""

    def ui_settings(self) -> QSettings:
        if self.settings is None:
            from desktop.application import ui_settings

            self.settings = ui_settings(Path(self.data_dir))
        return self.settings

    @property
    def receipts_dir(self) -> Path:
        """The folder the receipt dialog proposes (outside the data folder: issue 12)."""
        from desktop.paths import receipt_save_dir

        return receipt_save_dir()
