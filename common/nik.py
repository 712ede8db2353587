"""NIK (Nomor Induk Kependudukan) and KK (family card) number structure.

A NIK is ``PPRRDD DDMMYY SSSS``: the district code where it was first issued, the birth date
with 40 added to the day for women, and a serial that is never ``0000``. The century is not
written; :func:`parse_nik` picks the one that makes the holder between 0 and 99 years old on
``today``. A KK number is ``PPRRDD DDMMYY SSSS`` too, with the card's issue date in the middle
(:func:`written_date` reads it).

:func:`read_nik` is the one place a NIK's digits are taken apart: :func:`parse_nik` (the form's
hint) and :func:`common.validation.validate` (the rules) both start from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from common.digits import is_digits
from common.enums import Sex


class NikDigits(NamedTuple):
    """What the 16 digits of a NIK state, read without a calendar or a region list."""

    district6: str  # "320101"
    day: int  # 40 taken off for women: 1-31 for a real date
    month: int
    yy: int  # the birth year's last two digits
    sex: Sex
    serial: str  # "0001"

    @property
    def date_text(self) -> str:
        """The birth date as the NIK writes it (``DD-MM-YY``), for messages."""
        return f"{self.day:02d}-{self.month:02d}-{self.yy:02d}"


def is_16_digits(number: str) -> bool:
    """The shape of a NIK and of a KK number."""
    return len(number) == 16 and is_digits(number)


def written_date(number: str) -> tuple[int, int, int]:
    """Day, month and two-digit year in digits 7-12 of a 16-digit NIK or KK number, as
    written (a NIK's day has 40 added for women)."""
    return int(number[6:8]), int(number[8:10]), int(number[10:12])


def read_nik(nik: str) -> NikDigits | None:
    """The parts of a NIK as written, or None if ``nik`` is not 16 digits (nothing stripped)."""
    if not is_16_digits(nik):
        return None
    day, month, yy = written_date(nik)
    female = day > 40
    return NikDigits(
        nik[:6],
        day - 40 if female else day,
        month,
        yy,
        Sex.FEMALE if female else Sex.MALE,
        nik[12:16],
    )


@dataclass(slots=True)
class NikParts:
    nik: str
    province_code: str  # "32"
    regency_code: str  # "32.01"
    district_code: str  # "32.01.01"
    birth_date: date | None  # None when digits 7-12 are not a real date
    sex: Sex
    serial: str


def district_well_formed(digits6: str) -> bool:
    """Province 11-99, regency and district parts not ``00``."""
    if len(digits6) != 6 or not is_digits(digits6):
        return False
    return 11 <= int(digits6[:2]) <= 99 and digits6[2:4] != "00" and digits6[4:6] != "00"


def district_code(digits6: str) -> str:
    return f"{digits6[0:2]}.{digits6[2:4]}.{digits6[4:6]}"


def century_date(day: int, month: int, yy: int, today: date) -> date | None:
    """The date day-month-yy in the century that puts it at or before ``today``, or None if
    it is not a real date."""
    for century in (2000, 1900):
        year = century + yy
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d <= today:
            return d
    return None


def is_real_date(day: int, month: int, yy: int, today: date) -> bool:
    """Whether :func:`century_date` finds a date (without building one where it need not:
    the rules ask this of every record)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    if day <= 28:
        return True  # a real date in every month and year, at the latest in the 1900s
    return century_date(day, month, yy, today) is not None


def parse_nik(nik: str, today: date | None = None) -> NikParts | None:
    """Split a 16-digit NIK into its parts, or None if it is not 16 digits."""
    nik = nik.strip()
    digits = read_nik(nik)
    if digits is None:
        return None
    return NikParts(
        nik=nik,
        province_code=nik[0:2],
        regency_code=f"{nik[0:2]}.{nik[2:4]}",
        district_code=district_code(digits.district6),
        birth_date=century_date(digits.day, digits.month, digits.yy, today or date.today()),
        sex=digits.sex,
        serial=digits.serial,
    )


def make_nik(district6: str, birth_date: date, sex: Sex, serial: int) -> str:
    """Compose a NIK (used by the synthetic generator and tests)."""
    day = birth_date.day + (40 if sex is Sex.FEMALE else 0)
    return f"{district6}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def mask_nik(nik: str) -> str:
    """First 4 and last 4 digits visible: ``3201********0001``."""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]
