"""The receipt (tanda terima) an applicant takes home: a one-page A5 PDF with the programme
name, registration code, name, masked NIK (first 4 and last 4 digits), date, office, operator
and a QR code of the registration code.

The one service module that imports Qt: it draws with QPdfWriter/QPainter (QtGui), so the
printed copy (``print_receipt`` through a QPrinter) and the PDF come from the same drawing.
Texts are chosen by ``lang`` from (Indonesian, English) pairs, like common's messages; the
receipt's language is the applicant's choice, not necessarily the interface's.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import segno

from common.i18n import pick
from common.nik import mask_nik
from common.private_files import write_private_bytes
from common.record import Registration, utcnow
from desktop.services.operators import Operator

PROGRAMME = ("Program Pelatihan Prakerja", "Pre-employment Training Programme")
TITLE = ("TANDA TERIMA PENDAFTARAN", "REGISTRATION RECEIPT")
LABELS = {
    "code": ("Kode pendaftaran", "Registration code"),
    "name": ("Nama", "Name"),
    "nik": ("NIK", "NIK"),
    "date": ("Tanggal", "Date"),
    "office": ("Kantor", "Office"),
    "operator": ("Petugas", "Operator"),
}
FOOTER = (
    "Simpan tanda terima ini. Sebutkan kode pendaftaran bila menanyakan status pendaftaran Anda.",
    "Keep this receipt. Quote the registration code when you ask about your registration.",
)
_APP: Any = None  # the QGuiApplication made here when the caller had none


def ensure_gui_app() -> Any:
    """The running QGuiApplication, or a new offscreen one (headless use, tests)."""
    global _APP
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _APP = app = QGuiApplication([])
    return app


def receipt_fields(
    registration: Registration,
    office_name: str,
    operator: Operator,
    lang: str = "id",
    when: datetime | None = None,
) -> list[tuple[str, str]]:
    """(label, value) lines of the receipt, in order (also handy for tests and screen text)."""
    moment = (when or registration.provenance.device_time or utcnow()).astimezone()
    office_code = registration.provenance.office_code
    office = f"{office_name} ({office_code})" if office_name else office_code
    return [
        (pick(LABELS["code"], lang), registration.code),
        (pick(LABELS["name"], lang), registration.applicant.full_name),
        (pick(LABELS["nik"], lang), mask_nik(registration.applicant.nik)),
        (pick(LABELS["date"], lang), moment.strftime("%d-%m-%Y %H:%M ") + (moment.tzname() or "")),
        (pick(LABELS["office"], lang), office),
        (pick(LABELS["operator"], lang), operator.full_name or operator.username),
    ]


def paint_receipt(
    painter: Any,
    page_px: tuple[float, float],
    dpi: float,
    lines: list[tuple[str, str]],
    code: str,
    lang: str,
) -> None:
    """Draw the receipt on any QPaintDevice (PDF writer or printer) of the given size."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPen

    mm = dpi / 25.4
    width, height = page_px
    margin = 12 * mm
    inner = width - 2 * margin

    def font(size: float, bold: bool = False, mono: bool = False) -> QFont:
        f = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
        f.setPointSizeF(size)
        f.setBold(bold)
        return f

    black = QColor(0, 0, 0)
    painter.setPen(QPen(black))
    y = margin
    painter.setFont(font(11, bold=True))
    painter.drawText(
        QRectF(margin, y, inner, 8 * mm), Qt.AlignmentFlag.AlignHCenter, pick(PROGRAMME, lang)
    )
    y += 9 * mm
    painter.setFont(font(14, bold=True))
    painter.drawText(
        QRectF(margin, y, inner, 9 * mm), Qt.AlignmentFlag.AlignHCenter, pick(TITLE, lang)
    )
    y += 11 * mm
    painter.drawLine(int(margin), int(y), int(width - margin), int(y))
    y += 5 * mm

    # the code, big and monospaced: it is what the applicant reads out over the phone
    painter.setFont(font(9))
    painter.drawText(QRectF(margin, y, inner, 6 * mm), Qt.AlignmentFlag.AlignHCenter, lines[0][0])
    y += 6 * mm
    painter.setFont(font(16, bold=True, mono=True))
    painter.drawText(QRectF(margin, y, inner, 10 * mm), Qt.AlignmentFlag.AlignHCenter, code)
    y += 14 * mm

    label_w = 32 * mm
    for label, value in lines[1:]:
        painter.setFont(font(10))
        painter.drawText(QRectF(margin, y, label_w, 7 * mm), Qt.AlignmentFlag.AlignLeft, label)
        painter.setFont(font(10, bold=True))
        painter.drawText(
            QRectF(margin + label_w, y, inner - label_w, 7 * mm),
            Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
            value,
        )
        y += 8 * mm

    # QR code of the registration code, drawn as vector squares (crisp at any resolution)
    qr = segno.make(code, error="m")
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=2)]
    side = 40 * mm
    cell = side / len(matrix)
    left = (width - side) / 2
    y += 4 * mm
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(black)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                painter.drawRect(QRectF(left + c * cell, y + r * cell, cell, cell))
    y += side + 4 * mm
    painter.setPen(QPen(black))
    painter.setFont(font(8))
    painter.drawText(
        QRectF(margin, y, inner, 14 * mm),
        Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
        pick(FOOTER, lang),
    )


def render_receipt_pdf(
    registration: Registration,
    office_name: str,
    operator: Operator,
    lang: str = "id",
    when: datetime | None = None,
) -> bytes:
    """The receipt as an A5 PDF, in memory: nothing touches the disk.

    Needs a QGuiApplication; one is made (offscreen when there is no display) if none exists.
    """
    ensure_gui_app()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QPageSize, QPainter, QPdfWriter

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    writer.setResolution(300)
    writer.setTitle(f"{pick(TITLE, lang)} {registration.code}")
    writer.setCreator("Loket")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError("cannot draw the receipt PDF")
    try:
        lines = receipt_fields(registration, office_name, operator, lang, when)
        paint_receipt(
            painter,
            (writer.width(), writer.height()),
            writer.resolution(),
            lines,
            registration.code,
            lang,
        )
    finally:
        painter.end()  # finishes the PDF into the buffer
    buffer.close()
    return bytes(data.data())


def write_receipt_pdf(
    registration: Registration,
    office_name: str,
    operator: Operator,
    path: Path,
    lang: str = "id",
    when: datetime | None = None,
) -> Path:
    """Write the receipt as an A5 PDF at ``path`` (the place the clerk chose) and return it.

    The PDF is rendered in memory and written in one go to a file that is 0600 from its
    creation: it holds the applicant's name and code. Loket itself keeps no copy
    (docs/SECURITY.md). The caller records the ``printed`` audit event
    (RegistrationService.audit).
    """
    data = render_receipt_pdf(registration, office_name, operator, lang, when)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_private_bytes(path, data)


def print_receipt(
    registration: Registration,
    office_name: str,
    operator: Operator,
    printer: Any,
    lang: str = "id",
    when: datetime | None = None,
) -> None:
    """Paint the receipt on a configured ``QPrinter`` (the view runs the QPrintDialog)."""
    from PySide6.QtGui import QPageSize, QPainter

    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("cannot start printing")
    try:
        lines = receipt_fields(registration, office_name, operator, lang, when)
        paint_receipt(
            painter,
            (printer.width(), printer.height()),
            printer.resolution(),
            lines,
            registration.code,
            lang,
        )
    finally:
        painter.end()
