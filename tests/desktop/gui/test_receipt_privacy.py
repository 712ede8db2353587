"""Issue 12, finding 10: Loket keeps no plaintext receipt. Saving writes only where the clerk
chose (never the data folder), printing leaves nothing behind, and the receipts earlier
versions kept in ``data_dir/receipts`` are deleted by retention."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtPrintSupport import QPrinter

from common.i18n import Lang
from desktop import paths
from desktop.services.receipt import print_receipt, write_receipt_pdf
from desktop.services.retention import purge_expired
from desktop.tasks import TaskManager
from desktop.views.context import DeskContext
from desktop.views.main_window import MainWindow
from tests.support.modes import mode


def _plaintext_receipts(data_dir: Path, needles: list[bytes]) -> list[str]:
    """Files under the data folder that are PDFs or hold one of ``needles`` in clear."""
    found = []
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix.lower() == ".pdf" or b"%PDF-" in data or any(n in data for n in needles):
            found.append(str(path.relative_to(data_dir)))
    return found


def test_saving_and_printing_leave_no_receipt_in_the_data_folder(
    qtbot, tmp_path: Path, data_dir: Path, store, service, operator, applicant
) -> None:
    saved = service.save(applicant()).registration
    ctx = DeskContext(
        operator=operator,
        lang=Lang.ID,
        data_dir=data_dir,
        office_name="Kantor",
        write_receipt=lambda reg, path: write_receipt_pdf(reg, "Kantor", operator, path),
        import_csv=lambda *a, **k: None,
    )
    tasks = TaskManager()
    window = MainWindow(service, tasks, ctx, None)
    qtbot.addWidget(window)
    window.open_receipt(saved)
    dialog: Any = window.dialog("receiptDialog")

    # the path proposed is outside the data folder (the documents folder); Enter saves there
    proposed = Path(dialog.path.text())
    assert not proposed.resolve().is_relative_to(data_dir.resolve())
    assert proposed.parent == paths.receipt_save_dir()
    with qtbot.waitSignal(dialog.pdfWritten, timeout=10_000):
        dialog.save_pdf()
    assert proposed.read_bytes().startswith(b"%PDF-") and mode(proposed) == 0o600
    proposed.unlink()

    # a path typed into the data folder (or reaching it through "..") is refused
    for inside in (data_dir / "receipts" / "x.pdf", data_dir / "a" / ".." / "x.pdf"):
        dialog.path.setText(str(inside))
        dialog.save_pdf()
        assert "data" in dialog.result_label.text()
        assert not inside.exists() and not (data_dir / "x.pdf").exists()

    # printing, as the print dialog's "accepted" does (desktop/views/main_window.py), to a
    # printer the clerk set to print to a file outside
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printed = tmp_path / "printed" / "receipt.pdf"
    printed.parent.mkdir()
    printer.setOutputFileName(str(printed))
    print_receipt(saved, "Kantor", operator, printer)
    assert printed.read_bytes().startswith(b"%PDF-")
    dialog.reject()
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=10_000)  # the audit rows written

    a = saved.applicant
    needles = [a.nik.encode(), a.full_name.encode(), saved.code.encode()]
    assert _plaintext_receipts(data_dir, needles) == []
    window.close()
    tasks.shutdown()


def test_retention_deletes_receipts_left_by_earlier_versions(
    tmp_path: Path, data_dir: Path, store, service, operator, applicant
) -> None:
    saved = service.save(applicant()).registration
    old = paths.legacy_receipts_dir(data_dir)
    old.mkdir()
    first = write_receipt_pdf(saved, "Kantor", operator, old / f"{saved.code}.pdf")
    (old / "320101-007-000002-0.pdf").write_bytes(first.read_bytes())
    elsewhere = tmp_path / "elsewhere.pdf"  # a link out of the folder: the link goes, not this
    elsewhere.write_bytes(b"%PDF-1.4 keep me")
    (old / "link.pdf").symlink_to(elsewhere)

    purge_expired(store)  # nothing is due for purging: the receipt files go anyway
    assert not old.exists()
    assert elsewhere.read_bytes() == b"%PDF-1.4 keep me"
    assert _plaintext_receipts(data_dir, [saved.applicant.full_name.encode()]) == []
