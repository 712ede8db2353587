"""The receipt (tanda terima) an applicant takes home, and the daily tally: printed sheets.

The receipt holds the programme name, registration code, name, masked NIK (first 4 and last 4
digits), date and time in the office's zone (WIB/WITA/WIT, ``common.timezones``), office,
operator and a QR code of the registration code.

The one service module that imports Qt: it draws with QPdfWriter/QPainter (QtGui), so the
printed copy (``print_receipt`` through a QPrinter) and the PDF come from the same drawing.
Four layouts (:class:`Layout`, chosen in the print settings): A5 (the default) and A4 sheets,
and 80 mm and 58 mm thermal rolls, whose page is as long as the receipt (measured by drawing
once on a throw-away PDF page at the target resolution).

The receipt is for the applicant, so it is in Indonesian whatever language the clerk's screen
uses (``lang`` defaults to ``"id"``; texts are (Indonesian, English) pairs, like common's).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import segno

from common.digits import is_digits
from common.i18n import pick
from common.nik import mask_nik
from common.private_files import private_dir, write_private_bytes
from common.record import Registration, utcnow
from common.timezones import office_time, zone_of
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
#: the language of everything printed for the applicant
RECEIPT_LANG = "id"
_APP: Any = None  # the QGuiApplication made here when the caller had none


class Layout(StrEnum):
    """Paper the receipt is printed on (the print settings' choice, ``print/layout``)."""

    A5 = "a5"
    A4 = "a4"
    THERMAL_80 = "80mm"
    THERMAL_58 = "58mm"

    @property
    def thermal(self) -> bool:
        return self in (Layout.THERMAL_80, Layout.THERMAL_58)

    @classmethod
    def parse(cls, value: object) -> Layout:
        """A stored or typed value (``"58mm"``, ``"58 mm"``, ``"thermal_58"``, ``"A4"``…), or the
        default (A5) for anything unknown."""
        if isinstance(value, Layout):
            return value
        key = "".join(c for c in str(value or "").lower() if c.isalnum())
        for layout in cls:
            if key in (layout.value, layout.name.lower().replace("_", "")):
                return layout
        digits = "".join(c for c in key if c.isdigit())
        return {"80": cls.THERMAL_80, "58": cls.THERMAL_58}.get(digits, DEFAULT_LAYOUT)


DEFAULT_LAYOUT = Layout.A5


@dataclass(frozen=True, slots=True)
class Style:
    """Sizes of one layout, in millimetres and points."""

    margin: float
    heading_pt: float
    title_pt: float
    body_pt: float
    code_pt: float
    small_pt: float
    label_w: float  # 0: labels above their values (narrow rolls)
    qr: float
    roomy: bool = True  # sheets keep the A5 receipt's fixed pitch; rolls save paper


STYLES = {
    Layout.A5: Style(12, 11, 14, 10, 16, 8, 32, 40),
    Layout.A4: Style(20, 13, 17, 12, 20, 9, 40, 50),
    # rolls: the print head covers 72 mm of an 80 mm roll and 48 mm of a 58 mm one
    Layout.THERMAL_80: Style(4, 9, 11, 9, 13, 7, 22, 36, roomy=False),
    Layout.THERMAL_58: Style(5, 7.5, 9, 8, 10.5, 6.5, 0, 30, roomy=False),
}
_THERMAL_WIDTH_MM = {Layout.THERMAL_80: 80.0, Layout.THERMAL_58: 58.0}


@dataclass
class Sheet:
    """What one printed page says: a heading, a title, an optional big code (with its QR),
    (label, value) lines and a footer. The receipt and the daily tally are both sheets."""

    heading: str
    title: str
    lines: list[tuple[str, str]]
    code_label: str = ""
    code: str = ""
    footer: str = ""
    document_title: str = field(default="")
    wide_labels: bool = False  # long labels (the tally's): a wider label column


def ensure_gui_app() -> Any:
    """The running QGuiApplication, or a new offscreen one (headless use, tests)."""
    global _APP
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _APP = app = QGuiApplication([])
    return app


def office_label(office_name: str, office_code: str) -> str:
    """``"Disnaker Kab. Bogor (320101)"``; the code alone when the name is not known."""
    return f"{office_name} ({office_code})" if office_name else office_code


def format_office_time(moment: datetime, office_code: str | None) -> str:
    """``"02-03-2026 10:00 WIB"``: the moment in the office's zone, named as Indonesia does."""
    local, zone = office_time(moment, office_code)
    return f"{local.strftime('%d-%m-%Y %H:%M')} {zone}"


def receipt_fields(
    registration: Registration,
    office_name: str,
    operator: Operator,
    lang: str = RECEIPT_LANG,
    when: datetime | None = None,
    *,
    zone_office: str | None = None,
) -> list[tuple[str, str]]:
    """(label, value) lines of the receipt, in order (also handy for tests and screen text).

    ``office_name`` names the office of the registration's code; the time is shown in that
    office's zone (WIB/WITA/WIT from its province), or in the zone of ``zone_office`` (the
    device's office now) when the code's office is not a province's (``000000``).
    """
    moment = when or registration.provenance.device_time or utcnow()
    office_code = registration.provenance.office_code
    clock_office = office_code if zone_of(office_code) is not None else zone_office
    return [
        (pick(LABELS["code"], lang), registration.code),
        (pick(LABELS["name"], lang), registration.applicant.full_name),
        (pick(LABELS["nik"], lang), mask_nik(registration.applicant.nik)),
        (pick(LABELS["date"], lang), format_office_time(moment, clock_office)),
        (pick(LABELS["office"], lang), office_label(office_name, office_code)),
        (pick(LABELS["operator"], lang), operator.full_name or operator.username),
    ]


def receipt_sheet(
    registration: Registration,
    office_name: str,
    operator: Operator,
    lang: str = RECEIPT_LANG,
    when: datetime | None = None,
    *,
    zone_office: str | None = None,
) -> Sheet:
    lines = receipt_fields(registration, office_name, operator, lang, when, zone_office=zone_office)
    return Sheet(
        heading=pick(PROGRAMME, lang),
        title=pick(TITLE, lang),
        lines=lines[1:],
        code_label=lines[0][0],
        code=registration.code,
        footer=pick(FOOTER, lang),
        document_title=f"{pick(TITLE, lang)} {registration.code}",
    )


TALLY_TITLE = ("REKAP HARIAN", "DAILY TALLY")
TALLY_LABELS = {
    "day": ("Tanggal", "Date"),
    "as_of": ("Per", "As of"),
    "office": ("Kantor", "Office"),
    "operator": ("Petugas", "Operator"),
    "by_operator": ("Didaftarkan petugas ini", "Registered by this operator"),
    "by_device": ("Didaftarkan di perangkat ini", "Registered on this device"),
    "sent": ("Sudah terkirim", "Sent"),
    "waiting": ("Menunggu dikirim", "Waiting to be sent"),
}


def tally_sheet(
    tally: Any, office_name: str, operator_name: str, lang: str = RECEIPT_LANG
) -> Sheet:
    """The daily tally (``desktop.services.tally.Tally``) as a printed sheet, in Indonesian
    like every paper of the counter."""
    values = {
        "day": tally.day.strftime("%d-%m-%Y"),
        "as_of": tally.as_of,
        "office": office_label(office_name, tally.office_code),
        "operator": operator_name,
        "by_operator": str(tally.by_operator),
        "by_device": str(tally.by_device),
        "sent": str(tally.sent),
        "waiting": str(tally.waiting),
    }
    return Sheet(
        heading=pick(PROGRAMME, lang),
        title=pick(TALLY_TITLE, lang),
        lines=[(pick(TALLY_LABELS[k], lang), v) for k, v in values.items()],
        document_title=f"{pick(TALLY_TITLE, lang)} {values['day']}",
        wide_labels=True,
    )


# --- drawing ------------------------------------------------------------------------------------
def paint_sheet(painter: Any, width: float, dpi: float, sheet: Sheet, style: Style) -> float:
    """Draw ``sheet`` from the top of any QPaintDevice ``width`` pixels wide; returns the y
    (pixels) where the drawing ends, so a roll's page can be cut to length."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPen

    mm = dpi / 25.4
    margin = style.margin * mm
    inner = width - 2 * margin
    centre = Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap
    left = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap

    def font(size: float, bold: bool = False, mono: bool = False) -> QFont:
        f = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
        f.setPointSizeF(size)
        f.setBold(bold)
        return f

    def text(
        y: float, x: float, w: float, flags: Any, value: str, gap: float = 1.5, pitch: float = 0
    ) -> float:
        """Draw wrapped text at y; the y below it (its real height plus ``gap`` mm, at least
        ``pitch`` mm on a roomy sheet)."""
        box: QRectF = painter.boundingRect(QRectF(x, y, w, 1000 * mm), flags, value)
        painter.drawText(QRectF(x, y, w, box.height()), flags, value)
        return float(y + max(box.height() + gap * mm, (pitch if style.roomy else 0) * mm))

    black = QColor(0, 0, 0)
    painter.setPen(QPen(black))
    y = margin
    painter.setFont(font(style.heading_pt, bold=True))
    y = text(y, margin, inner, centre, sheet.heading, pitch=9)
    painter.setFont(font(style.title_pt, bold=True))
    y = text(y, margin, inner, centre, sheet.title, gap=2, pitch=11)
    painter.drawLine(int(margin), int(y), int(width - margin), int(y))
    y += (5 if style.roomy else 3) * mm

    if sheet.code:
        # the code, big and monospaced: it is what the applicant reads out over the phone
        painter.setFont(font(style.small_pt + 1))
        y = text(y, margin, inner, centre, sheet.code_label, gap=0.5, pitch=6)
        painter.setFont(font(style.code_pt, bold=True, mono=True))
        y = text(y, margin, inner, centre, sheet.code, gap=3, pitch=14)

    label_w = style.label_w * mm * (1.6 if sheet.wide_labels else 1)
    for label, value in sheet.lines:
        painter.setFont(font(style.body_pt))
        if label_w:
            bottom = text(y, margin, label_w - 2 * mm, left, label, gap=1.5, pitch=8)
            painter.setFont(font(style.body_pt, bold=True))
            y = max(
                bottom, text(y, margin + label_w, inner - label_w, left, value, gap=1.5, pitch=8)
            )
        else:  # a narrow roll: the label above its value
            y = text(y, margin, inner, left, label, gap=0)
            painter.setFont(font(style.body_pt, bold=True))
            y = text(y, margin, inner, left, value)

    if sheet.code:
        # QR code of the registration code, drawn as vector squares (crisp at any resolution)
        qr = segno.make(sheet.code, error="m")
        matrix = [list(row) for row in qr.matrix_iter(scale=1, border=2)]
        side = min(style.qr * mm, inner)
        cell = side / len(matrix)
        x0 = (width - side) / 2
        y += (4 if style.roomy else 2) * mm
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(black)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    painter.drawRect(QRectF(x0 + c * cell, y + r * cell, cell, cell))
        y += side + 3 * mm
        painter.setPen(QPen(black))
    if sheet.footer:
        painter.setFont(font(style.small_pt))
        y = text(y, margin, inner, centre, sheet.footer)
    return y


def _page_layout(layout: Layout, height_mm: float | None = None) -> Any:
    """The QPageLayout of ``layout`` without printer margins (the sheet keeps its own)."""
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize

    if layout.thermal:
        width = _THERMAL_WIDTH_MM[layout]
        size = QPageSize(
            QSizeF(width, height_mm or 1000.0),
            QPageSize.Unit.Millimeter,
            f"Roll {width:g} mm",
            QPageSize.SizeMatchPolicy.ExactMatch,
        )
    else:
        size = QPageSize(
            QPageSize.PageSizeId.A4 if layout is Layout.A4 else QPageSize.PageSizeId.A5
        )
    return QPageLayout(
        size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter
    )


def sheet_length_mm(sheet: Sheet, layout: Layout, dpi: float) -> float:
    """How long a roll's page must be for ``sheet`` (drawn once on a throw-away page)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QPainter, QPdfWriter

    ensure_gui_app()
    scratch = QByteArray()  # kept referenced while the buffer writes into it
    buffer = QBuffer(scratch)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(int(dpi))
    writer.setPageLayout(_page_layout(layout))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError("cannot measure the receipt")
    try:
        bottom = paint_sheet(painter, writer.width(), dpi, sheet, STYLES[layout])
    finally:
        painter.end()
    return bottom / dpi * 25.4 + STYLES[layout].margin + 6  # room for the tear-off


def _draw(device: Any, sheet: Sheet, layout: Layout) -> None:
    from PySide6.QtGui import QPainter

    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot start drawing the receipt")
    try:
        paint_sheet(painter, device.width(), device.resolution(), sheet, STYLES[layout])
    finally:
        painter.end()


def render_sheet_pdf(sheet: Sheet, layout: Layout = DEFAULT_LAYOUT) -> bytes:
    """``sheet`` as a one-page PDF in ``layout``, in memory: nothing touches the disk."""
    ensure_gui_app()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QPdfWriter

    layout = Layout.parse(layout)
    dpi = 300
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(dpi)
    length = sheet_length_mm(sheet, layout, dpi) if layout.thermal else None
    writer.setPageLayout(_page_layout(layout, length))
    writer.setTitle(sheet.document_title or sheet.title)
    writer.setCreator("Loket")
    _draw(writer, sheet, layout)  # finishes the PDF into the buffer
    buffer.close()
    return bytes(data.data())


def print_sheet(sheet: Sheet, printer: Any, layout: Layout = DEFAULT_LAYOUT) -> None:
    """Paint ``sheet`` on a configured ``QPrinter`` (the view runs the QPrintDialog); the
    layout's paper size is set on the printer (a roll's length measured first)."""
    layout = Layout.parse(layout)
    printer.setFullPage(True)
    length = sheet_length_mm(sheet, layout, printer.resolution()) if layout.thermal else None
    printer.setPageLayout(_page_layout(layout, length))
    _draw(printer, sheet, layout)


# --- the receipt ------------------------------------------------------------------------------
def render_receipt_pdf(
    registration: Registration,
    office_name: str,
    operator: Operator,
    lang: str = RECEIPT_LANG,
    when: datetime | None = None,
    layout: Layout = DEFAULT_LAYOUT,
    *,
    zone_office: str | None = None,
) -> bytes:
    """The receipt as a PDF in ``layout``, in memory: nothing touches the disk.

    Needs a QGuiApplication; one is made (offscreen when there is no display) if none exists.
    """
    sheet = receipt_sheet(registration, office_name, operator, lang, when, zone_office=zone_office)
    return render_sheet_pdf(sheet, layout)


def write_receipt_pdf(
    registration: Registration,
    office_name: str,
    operator: Operator,
    path: Path,
    lang: str = RECEIPT_LANG,
    when: datetime | None = None,
    layout: Layout = DEFAULT_LAYOUT,
    *,
    zone_office: str | None = None,
) -> Path:
    """Write the receipt as a PDF at ``path`` (the place the clerk chose) and return it.

    The PDF is rendered in memory and written in one go to a file that is 0600 from its
    creation: it holds the applicant's name and code. Loket itself keeps no copy
    (docs/SECURITY.md). The caller records the ``printed`` audit event
    (RegistrationService.audit).
    """
    data = render_receipt_pdf(
        registration, office_name, operator, lang, when, layout, zone_office=zone_office
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_private_bytes(path, data)


def print_receipt(
    registration: Registration,
    office_name: str,
    operator: Operator,
    printer: Any,
    lang: str = RECEIPT_LANG,
    when: datetime | None = None,
    layout: Layout = DEFAULT_LAYOUT,
    *,
    zone_office: str | None = None,
) -> None:
    """Paint the receipt on a configured ``QPrinter`` (the view runs the QPrintDialog)."""
    sheet = receipt_sheet(registration, office_name, operator, lang, when, zone_office=zone_office)
    print_sheet(sheet, printer, layout)


# --- "open PDF": a private temporary copy for the system's viewer ---------------------------------
#: a viewer copy of a process that is gone (or, on Windows, older than this) goes at start-up
STALE_VIEWER_SECONDS = 6 * 3600


def viewer_root() -> Path:
    """A 0700 folder of this user under the system's temporary folder, never the data folder:
    the PDF viewer needs a file, and the receipt must not stay in Loket's data (issue 12)."""
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return private_dir(Path(tempfile.gettempdir()) / f"loket-view-{uid}")


def viewer_dir() -> Path:
    """This process's own 0700 folder in :func:`viewer_root` (two Loket windows of one user
    never delete each other's open copies)."""
    return private_dir(viewer_root() / str(os.getpid()))


def write_viewer_pdf(data: bytes, stem: str) -> Path:
    """Write ``data`` to a new 0600 file in :func:`viewer_dir` (a fresh name each time, so an
    open viewer's file is never rewritten under it)."""
    folder = viewer_dir()
    fd, name = tempfile.mkstemp(prefix=f"{_safe(stem)}-", suffix=".pdf", dir=folder)
    os.close(fd)  # mkstemp makes it 0600; written again through the private helper
    return write_private_bytes(name, data)


def purge_viewer_files(folder: Path | None = None) -> int:
    """Delete this process's viewer copies (when the main window closes); returns how many."""
    return _remove_pdfs(folder or viewer_dir())


def purge_stale_viewer_files() -> int:
    """At start-up: delete the viewer copies of Loket processes that are gone (a crash, a
    power cut), never those of a running one."""
    import time

    removed = 0
    root = viewer_root()
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name == str(os.getpid()):
            continue
        if _process_alive(folder.name):
            try:
                if time.time() - folder.stat().st_mtime < STALE_VIEWER_SECONDS:
                    continue
            except OSError:
                continue
        removed += _remove_pdfs(folder)
        with contextlib.suppress(OSError):
            folder.rmdir()
    return removed


def _process_alive(name: str) -> bool:
    """Whether the process ``name`` (a pid) may still run; on Windows, always assume so (the
    age rule decides there: os.kill would end the process)."""
    if not is_digits(name):
        return False
    if os.name == "nt":
        return True
    try:
        os.kill(int(name), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, someone else's
    return True


def _remove_pdfs(folder: Path) -> int:
    removed = 0
    for path in folder.glob("*.pdf"):
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass  # still open in a viewer on Windows: the next start removes it
    return removed


def _safe(stem: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:40] or "receipt"


SheetPainter = Callable[[Any, float, float, Sheet, Style], float]
