"""The receipt PDF: masked NIK, code, name, date, office, operator and a QR code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from desktop.services.receipt import receipt_fields, write_receipt_pdf
from tests.support import unavailable


@pytest.fixture
def saved(service, applicant):
    return service.save(applicant()).registration


def test_receipt_pdf_has_the_fields_and_no_full_nik(saved, operator, tmp_path: Path) -> None:
    pdf = write_receipt_pdf(
        saved, "Disnaker Kabupaten Bogor", operator, tmp_path / "r" / "receipt.pdf"
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:] and len(data) > 2000
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext (poppler-utils) not installed: only the PDF's shape was checked")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    nik = saved.applicant.nik
    assert nik[:4] + "********" + nik[-4:] in text
    assert nik not in text
    assert saved.code in text
    assert saved.applicant.full_name in text
    assert "Disnaker Kabupaten Bogor (320101)" in text
    assert operator.full_name in text
    assert "TANDA TERIMA PENDAFTARAN" in text
    # 03:00 UTC is 10:00 in Jawa Barat (office 320101): the office's zone, named as Indonesia does
    assert saved.provenance.device_time.strftime("%H:%M") == "03:00"
    assert "02-03-2026 10:00 WIB" in text
    assert "UTC" not in text


def test_receipt_renders_with_a_qr_code(saved, operator, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        unavailable("pdftoppm (poppler-utils) not installed")
    pdf = write_receipt_pdf(saved, "Kantor", operator, tmp_path / "receipt.pdf", lang="en")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    from PySide6.QtGui import QImage

    image = QImage(str(next(tmp_path.glob("page*.png"))))
    assert not image.isNull()
    # the QR sits centred in the lower half: a block with many dark and light pixels
    w, h = image.width(), image.height()
    dark = sum(
        1
        for x in range(int(w * 0.35), int(w * 0.65))
        for y in range(int(h * 0.5), int(h * 0.7))
        if image.pixelColor(x, y).lightness() < 100
    )
    area = int(w * 0.3) * int(h * 0.2)
    assert 0.15 * area < dark < 0.7 * area


def test_receipt_fields_in_english(saved, operator) -> None:
    lines = dict(receipt_fields(saved, "", operator, "en"))
    assert lines["Registration code"] == saved.code
    assert lines["Office"] == "320101"
    assert lines["Operator"] == "Ani Lestari"


def test_receipt_time_in_the_office_zone(saved, operator) -> None:
    """03:00 UTC: 10:00 WIB in Jawa Barat; an office code of no province (a device not yet
    enrolled) takes the zone of the device's office now (Bali: WITA), else never "UTC"."""
    from dataclasses import replace

    from desktop.services.receipt import receipt_sheet

    assert dict(receipt_fields(saved, "", operator))["Tanggal"] == "02-03-2026 10:00 WIB"
    early = replace(saved, provenance=replace(saved.provenance, office_code="000000"))
    lines = dict(receipt_fields(early, "", operator, zone_office="510101"))
    assert lines["Tanggal"] == "02-03-2026 11:00 WITA"
    sheet = receipt_sheet(early, "", operator, zone_office="910101")
    assert ("Tanggal", "02-03-2026 12:00 WIT") in sheet.lines
    alone = dict(receipt_fields(early, "", operator))["Tanggal"]
    assert not alone.endswith(" UTC")
    assert dict(receipt_fields(saved, "", operator, lang="en"))["Date"].endswith("WIB")
