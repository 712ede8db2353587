"""Import files as Excel saves them (issue 13, defect 6): Indonesian Excel's ``;`` CSV in
Windows-1252 or UTF-8 with a BOM, "Unicode text" (UTF-16, tabs), day-first and serial dates;
the error file comes back in the input's encoding and separator."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import date
from pathlib import Path

import pytest

from common import errors as E
from common.csvformat import COLUMNS, to_row
from common.errors import ApiError
from desktop.services.importer import default_errors_path, import_csv
from desktop.services.spreadsheet import AmbiguousDate, read_date

EXCEL_EPOCH = date(1899, 12, 30)


def _excel_forms(day: date) -> list[str]:
    """The ways an Indonesian or English Excel shows one birth date in a CSV cell."""
    serial = (day - EXCEL_EPOCH).days
    months = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ]
    return [
        f"{day.day}/{day.month}/{day.year}",  # d/m/yyyy (Indonesian short date)
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day:02d}-{day.month:02d}-{day.year}",  # dd-mm-yyyy
        f"{day.day}.{day.month}.{day.year}",
        f"{day.year}-{day.month:02d}-{day.day:02d}",
        str(serial),  # a date cell formatted as a number
        f"{serial},0",  # ... with the Indonesian decimal comma
        f"{day.day} {months[day.month - 1]} {day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year} 0:00",  # a date-time cell
    ]


#: nik -> the birth date before it was written the Excel way
BORN: dict[str, date] = {}


def _rows(generator, n: int) -> list[dict[str, str]]:
    out = []
    for i in range(n):
        row = to_row(generator.applicant())
        day = date.fromisoformat(row["birth_date"])
        BORN[row["nik"]] = day
        forms = _excel_forms(day)
        row["birth_date"] = forms[i % len(forms)]
        out.append(row)
    return out


def _save_as_excel(
    path: Path, rows: list[dict[str, str]], *, encoding: str, bom: bytes = b"", sep: str = ";"
) -> Path:
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=list(COLUMNS), delimiter=sep, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(bom + text.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("cp1252", b""), ("utf-8", codecs.BOM_UTF8)],
    ids=["ansi", "utf8-bom"],
)
def test_a_file_as_indonesian_excel_saves_it(
    tmp_path, store, operator, clock, generator, service, encoding, bom
) -> None:
    rows = _rows(generator, 18)
    rows[0]["full_name"] = "Renée Pâquerette"  # letters Windows-1252 has
    rows[1]["motivation"] = "Ingin membuka usaha – kue “Bu Siti” …"
    bad = to_row(generator.applicant())
    fixed_date = date.fromisoformat(bad["birth_date"])
    bad["birth_date"] = "3/15/2001"  # month first: refused, not read either way
    src = _save_as_excel(tmp_path / "formulir.csv", [*rows, bad], encoding=encoding, bom=bom)

    report = import_csv(store, src, operator=operator, clock=clock)
    assert (report.total, report.saved, report.rejected) == (19, 18, 1), report.rejections
    for r in rows:
        saved = service.find_by_nik(r["nik"])
        assert saved is not None
        assert saved.applicant.birth_date == BORN[r["nik"]], r["birth_date"]
    assert service.find_by_nik(rows[0]["nik"]).applicant.full_name == "Renée Pâquerette"
    assert service.find_by_nik(rows[1]["nik"]).applicant.motivation == rows[1]["motivation"]

    # the error file: same name as documented, same encoding family and separator
    assert report.errors_path == default_errors_path(src) == tmp_path / "formulir.errors.csv"
    raw = report.errors_path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) is (encoding == "utf-8")
    text = raw.decode("utf-8-sig" if encoding == "utf-8" else "cp1252")
    header = text.split("\r\n", 1)[0]
    assert header.split(";")[: len(COLUMNS)] == list(COLUMNS) and "," not in header
    line = next(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert line["error_codes"] == E.IMPORT_DATE_AMBIGUOUS
    assert line["birth_date"] == "3/15/2001" and line["source_row"] == "20"
    assert "3/15/2001" in line["error_messages"]
    [rejection] = report.rejections
    assert (rejection.row, rejection.field, rejection.code) == (
        20,
        "birth_date",
        "IMPORT_DATE_AMBIGUOUS",
    )

    # fixed in Excel and imported again: the error file itself imports
    fixed = raw.replace(b"3/15/2001", f"{fixed_date:%d/%m/%Y}".encode("ascii"))
    (tmp_path / "fixed.csv").write_bytes(fixed)
    again = import_csv(store, tmp_path / "fixed.csv", operator=operator, clock=clock)
    assert (again.saved, again.rejected) == (1, 0)


def test_unicode_text_from_excel_is_utf16_with_tabs(tmp_path, generator) -> None:
    rows = _rows(generator, 3)
    rows[2]["nik"] = rows[2]["nik"][:15]
    src = _save_as_excel(
        tmp_path / "unicode.txt", rows, encoding="utf-16-le", bom=codecs.BOM_UTF16_LE, sep="\t"
    )
    report = import_csv(None, src, operator=None, dry_run=True)
    assert (report.total, report.saved, report.rejected) == (3, 2, 1)
    raw = report.errors_path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE)
    text = raw[2:].decode("utf-16-le")
    assert text.split("\r\n", 1)[0].split("\t")[0] == "nik"
    assert E.NIK_FORMAT in text


def test_a_sep_line_is_honoured_and_written_back(tmp_path, generator) -> None:
    row = to_row(generator.applicant())
    row["phone"] = "12"
    body = io.StringIO(newline="")
    writer = csv.DictWriter(body, fieldnames=list(COLUMNS), delimiter=";")
    writer.writeheader()
    writer.writerow(row)
    (tmp_path / "s.csv").write_text("sep=;\r\n" + body.getvalue(), encoding="utf-8")
    report = import_csv(None, tmp_path / "s.csv", operator=None, dry_run=True)
    assert report.rejected == 1 and report.rejections[0].row == 3
    assert report.errors_path.read_bytes().startswith(b"sep=;\r\nnik;")


def test_bytes_no_encoding_reads_are_refused_with_the_line(tmp_path) -> None:
    header = ";".join(COLUMNS).encode("ascii")
    (tmp_path / "x.csv").write_bytes(header + b"\r\n" + b"1;2\r\n" + b"\x81\x8d;x\r\n")
    with pytest.raises(ApiError) as info:
        import_csv(None, tmp_path / "x.csv", operator=None, dry_run=True)
    assert info.value.code == E.IMPORT_ENCODING_UNKNOWN and info.value.params["row"] == 3


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("15/3/2001", date(2001, 3, 15)),
        ("05-05-2005", date(2005, 5, 5)),
        ("5.5.2005", date(2005, 5, 5)),
        ("2001-03-15", date(2001, 3, 15)),
        ("2001/3/5", date(2001, 3, 5)),
        ("01/02/2003", date(2003, 2, 1)),  # day first
        ("36965", date(2001, 3, 15)),
        ("36965.5", date(2001, 3, 15)),
        ("15 Maret 2001", date(2001, 3, 15)),
        ("15-Mar-2001", date(2001, 3, 15)),
        ("7 Agustus 1990", date(1990, 8, 7)),
        ("7 Oct 1990", date(1990, 10, 7)),
        ("15/03/2001 00:00", date(2001, 3, 15)),
        ("2001-03-15 00:00:00", date(2001, 3, 15)),
        (" 15/3/2001 ", date(2001, 3, 15)),
    ],
)
def test_dates_excel_writes(cell: str, day: date) -> None:
    assert read_date(cell) == day


@pytest.mark.parametrize("cell", ["3/15/2001", "12/31/1999", "15/03/01", "15-Mar-01", "1/2/03"])
def test_ambiguous_dates_are_refused(cell: str) -> None:
    with pytest.raises(AmbiguousDate):
        read_date(cell)


@pytest.mark.parametrize(
    "cell",
    ["31/02/2001", "2001", "9999", "15032001", "100000", "15 Foo 2001", "kemarin", "32/1/2001"],
)
def test_not_dates(cell: str) -> None:
    assert read_date(cell) is None


def test_ambiguous_date_is_one_problem_not_also_required(tmp_path, generator) -> None:
    row = to_row(generator.applicant())
    row["birth_date"] = "15/03/01"
    src = _save_as_excel(tmp_path / "a.csv", [row], encoding="utf-8")
    report = import_csv(None, src, operator=None, dry_run=True)
    assert [(r.field, r.code) for r in report.rejections] == [
        ("birth_date", E.IMPORT_DATE_AMBIGUOUS)
    ]
    assert "15/03/01" in report.rejections[0].message("en")


def test_what_excel_does_to_long_numbers(tmp_path, generator) -> None:
    """A General column drops the phone's leading 0 (read back) and writes a NIK as
    ``3,20101E+15`` (its digits are gone: refused, saying how to keep them)."""
    no_zero = to_row(generator.applicant())
    no_zero["phone"] = no_zero["phone"].replace("+62", "")  # 81234567890
    scientific = to_row(generator.applicant())
    scientific["nik"] = "3,20101E+15"
    src = _save_as_excel(tmp_path / "n.csv", [no_zero, scientific], encoding="cp1252")
    report = import_csv(None, src, operator=None, dry_run=True)
    assert (report.saved, report.rejected) == (1, 1), report.rejections
    assert [(r.row, r.field, r.code) for r in report.rejections] == [
        (3, "nik", E.IMPORT_NUMBER_MANGLED)
    ]
    assert "Teks" in report.rejections[0].message("id")


def test_empty_columns_excel_adds_after_the_last_heading(tmp_path, generator) -> None:
    """A sheet with formatted but empty columns on the right saves as ``...;consent_at;;;``."""
    row = to_row(generator.applicant())

    def save(extra: str) -> Path:
        body = io.StringIO(newline="")
        writer = csv.writer(body, delimiter=";", lineterminator="\r\n")
        writer.writerow([*COLUMNS, "", "", ""])
        writer.writerow([*(row[c] for c in COLUMNS), "", extra, ""])
        writer.writerow([""] * (len(COLUMNS) + 3))
        (tmp_path / "wide.csv").write_bytes(body.getvalue().encode("cp1252"))
        return tmp_path / "wide.csv"

    report = import_csv(None, save(""), operator=None, dry_run=True)
    assert (report.total, report.saved, report.rejected) == (1, 1, 0), report.rejections
    # something typed in a column without a heading is still a malformed row
    report = import_csv(None, save("x"), operator=None, dry_run=True)
    assert [r.code for r in report.rejections] == [E.IMPORT_ROW_MALFORMED]
