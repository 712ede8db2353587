"""What the main window and its views are given (injected; no global singletons)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.i18n import Lang


@dataclass
class DeskContext:
    """The logged-in session as the views see it.

    ``write_receipt(registration, path) -> Path`` writes a receipt PDF;
    ``import_csv(path, dry_run=..., errors_path=...) -> ImportReport`` imports paper forms
    (both already bound to the store, operator and office by the application shell).
    """

    operator: Any  # desktop.services.operators.Operator
    lang: Lang
    data_dir: Path
    office_name: str
    write_receipt: Callable[[Any, Path], Path]
    import_csv: Callable[..., Any]

    @property
    def receipts_dir(self) -> Path:
        """The folder the receipt dialog proposes (outside the data folder: issue 12)."""
        from desktop.paths import receipt_save_dir

        return receipt_save_dir()
