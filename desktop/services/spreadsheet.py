"""What Excel writes when it saves a sheet as CSV, read the way a clerk means it: the file's
encoding and separator (kept, so the error file opens in the same Excel the same way) and the
dates in the forms Excel shows them in the Indonesian and English locales (docs/IMPORT.md,
"Encoding, separator and dates").

The rules are deliberately small and fixed, not guessed per file: a wrong guess would save a
wrong birth date. Dates are read **day first**; a date that only makes sense month first, or
has a two-digit year, is refused as ambiguous rather than read either way.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from common import errors as E
from common.errors import ApiError


class Encoding(Enum):
    """The encoding families an import file is read in (and its error file written in)."""

    UTF8 = "utf-8"
    UTF16_LE = "utf-16-le"
    UTF16_BE = "utf-16-be"
    CP1252 = "cp1252"


@dataclass(frozen=True, slots=True)
class Dialect:
    """How the input was written: the error file is written the same way."""

    encoding: Encoding
    delimiter: str = ","
    sep_line: bool = False  # the file began with Excel's "sep=;" line

    @property
    def bom(self) -> bytes:
        """The byte-order mark the error file starts with: UTF-8 and UTF-16 get one (Excel
        needs it to recognise them), Windows-1252 ("ANSI") has none; nor does UTF-8 after a
        ``sep=`` line, which Excel reads only at the very start of a file."""
        if self.sep_line and self.encoding is Encoding.UTF8:
            return b""
        return {
            Encoding.UTF8: codecs.BOM_UTF8,
            Encoding.UTF16_LE: codecs.BOM_UTF16_LE,
            Encoding.UTF16_BE: codecs.BOM_UTF16_BE,
        }.get(self.encoding, b"")


_BOMS: tuple[tuple[bytes, Encoding], ...] = (
    (codecs.BOM_UTF8, Encoding.UTF8),
    (codecs.BOM_UTF16_LE, Encoding.UTF16_LE),
    (codecs.BOM_UTF16_BE, Encoding.UTF16_BE),
)


def decode(data: bytes) -> tuple[str, Encoding]:
    """The text of an import file and its encoding, by this rule (no guessing library):

    1. a byte-order mark decides: UTF-8, or UTF-16 LE/BE (Excel's "Unicode text");
    2. without one, NUL bytes at every second position of the start mean UTF-16 without a mark;
    3. else text that is valid UTF-8 is UTF-8 (plain ASCII included);
    4. else Windows-1252, what Excel calls "CSV" / "ANSI" on an Indonesian or English Windows.
    Bytes that none of these can read (the five holes of Windows-1252, a broken UTF-16 file)
    refuse the file with ``IMPORT_ENCODING_UNKNOWN`` and the line where they are.
    """
    encoding = _detect(data)
    body = data
    for bom, enc in _BOMS:
        if enc is encoding and data.startswith(bom):
            body = data[len(bom) :]
    try:
        return body.decode(encoding.value), encoding
    except UnicodeDecodeError as exc:
        if encoding in (Encoding.UTF16_LE, Encoding.UTF16_BE):
            line = body[: exc.start - exc.start % 2].decode(encoding.value).count("\n") + 1
        else:
            line = body[: exc.start].count(b"\n") + 1
        raise ApiError(E.IMPORT_ENCODING_UNKNOWN, {"row": line}) from None


def _detect(data: bytes) -> Encoding:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    head = data[:4096]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):  # about half NULs: 16-bit text
        odd_nuls = head[1::2].count(0)
        return Encoding.UTF16_LE if odd_nuls >= head[0::2].count(0) else Encoding.UTF16_BE
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return Encoding.CP1252
    return Encoding.UTF8


_SEP_LINE = re.compile(r"sep=(.)\s*")


def sniff(text: str, encoding: Encoding) -> Dialect:
    """The separator, from Excel's ``sep=X`` first line if there is one, else the header line:
    whichever of comma, semicolon (Excel in an Indonesian locale) and tab it has most of."""
    first = text.split("\n", 1)[0].rstrip("\r")
    sep = _SEP_LINE.fullmatch(first)
    if sep is not None:
        return Dialect(encoding, sep.group(1), sep_line=True)
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    return Dialect(encoding, best)


# --- dates ------------------------------------------------------------------------------

#: Month names as Excel writes them in "15 Maret 2001" / "15-Mar-2001" (Indonesian, English).
_MONTHS: dict[str, int] = {}
for _n, _names in enumerate(
    (
        "jan januari january",
        "feb peb februari pebruari february",
        "mar maret march",
        "apr april",
        "mei may",
        "jun juni june",
        "jul juli july",
        "agu agt ags agust agustus aug august",
        "sep sept september",
        "okt oct oktober october",
        "nov nop november nopember",
        "des dec desember december",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _n

_TIME = re.compile(r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?)?")
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_D_MON_Y = re.compile(r"(\d{1,2})[-/. ]+([^\W\d_]+)\.?[-/. ]+(\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}[-/. ]+(?:\d{1,2}|[^\W\d_]+)\.?[-/. ]+\d{2}")
_SERIAL = re.compile(r"(\d{5})(?:[.,]\d+)?")
#: Excel's day 0 for serial numbers after 28 February 1900 (its 1900 leap-year bug).
_EXCEL_EPOCH = date(1899, 12, 30)
#: Serial numbers read as dates: five digits, at most 31 December 2099 (10000 = 18 May 1927).
SERIAL_MIN, SERIAL_MAX = 10_000, 73_050


class AmbiguousDate(ValueError):
    """A cell that is a date in some reading but not one this importer can be sure of."""


def read_date(text: str) -> date | None:
    """The date in a cell as Excel writes it, or None when it is no date at all (validation
    then reports ``DATE_INVALID``). Raises :class:`AmbiguousDate` for a two-digit year, and
    for a day-first reading that fails where a month-first one would not (``3/15/2001``).

    Accepted: ``yyyy-mm-dd`` (also ``/`` or ``.``), ``d/m/yyyy``, ``d-m-yyyy``, ``d.m.yyyy``
    (day first, leading zeros optional), ``15 Maret 2001`` / ``15-Mar-2001`` (Indonesian or
    English month names), any of them followed by a time of day (``0:00``), and an Excel serial
    number from 10000 to 73050 (a date cell formatted as a number, e.g. ``36965`` = 15 March
    2001; a fractional part, the time, is dropped).
    """
    value = text.strip()
    if not value:
        return None
    serial = _SERIAL.fullmatch(value)
    if serial is not None:
        n = int(serial.group(1))
        return _EXCEL_EPOCH + timedelta(days=n) if SERIAL_MIN <= n <= SERIAL_MAX else None
    for pattern, order in ((_YMD, "ymd"), (_DMY, "dmy"), (_D_MON_Y, "dMy")):
        match = pattern.match(value)
        if match is None or _TIME.fullmatch(value, match.end()) is None:
            continue
        if order == "ymd":
            y, m, d = int(match.group(1)), int(match.group(3)), int(match.group(4))
        elif order == "dmy":
            d, m, y = int(match.group(1)), int(match.group(3)), int(match.group(4))
        else:
            month = _MONTHS.get(match.group(2).lower())
            if month is None:
                return None
            d, m, y = int(match.group(1)), month, int(match.group(3))
        try:
            return date(y, m, d)
        except ValueError:
            if order == "dmy" and d <= 12 < m <= 31:
                raise AmbiguousDate(value) from None  # month first, as US Excel writes it
            return None
    short = _SHORT_YEAR.match(value)
    if short is not None and _TIME.fullmatch(value, short.end()) is not None:
        raise AmbiguousDate(value)  # 15/03/01: which century?
    return None
