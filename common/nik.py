"""NIK (Nomor Induk Kependudukan) and KK (family card) number structure.

A NIK is ``PPRRDD DDMMYY SSSS``: the district code where it was first issued, the birth date
with 40 added to the day for women, and a serial that is never ``0000``. The century is not
written; :func:`parse_nik` picks the one that makes the holder between 0 and 99 years old on
``today``. A KK number is ``PPRRDD DDMMYY SSSS`` too, with the card's issue date in the middle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from common.enums import Sex


@dataclass(slots=True)
class NikParts:
    nik: str
    province_code: str  # "32"
    regency_code: str  # "32.01"
    district_code: str  # "32.01.01"
    birth_date: date | None  # None when digits 7-12 are not a real date
    sex: Sex
    serial: str

    @property
    def district_well_formed(self) -> bool:
        return district_well_formed(self.nik[:6])


def district_well_formed(digits6: str) -> bool:
    """Province 11-99, regency and district parts not ``00``."""
    if len(digits6) != 6 or not digits6.isdigit():
        return False
    return 11 <= int(digits6[:2]) <= 99 and digits6[2:4] != "00" and digits6[4:6] != "00"


def district_code(digits6: str) -> str:
    return f"{digits6[0:2]}.{digits6[2:4]}.{digits6[4:6]}"


def century_date(day: int, month: int, yy: int, today: date) -> date | None:
    for century in (2000, 1900):
        year = century + yy
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d <= today:
            return d
    return None


def parse_nik(nik: str, today: date | None = None) -> NikParts | None:
    """Split a 16-digit NIK into its parts, or None if it is not 16 digits."""
    nik = nik.strip()
    if len(nik) != 16 or not nik.isdigit():
        return None
    today = today or date.today()
    day = int(nik[6:8])
    sex = Sex.FEMALE if day > 40 else Sex.MALE
    if day > 40:
        day -= 40
    birth = century_date(day, int(nik[8:10]), int(nik[10:12]), today)
    return NikParts(
        nik=nik,
        province_code=nik[0:2],
        regency_code=f"{nik[0:2]}.{nik[2:4]}",
        district_code=district_code(nik[:6]),
        birth_date=birth,
        sex=sex,
        serial=nik[12:16],
    )


def make_nik(district6: str, birth_date: date, sex: Sex, serial: int) -> str:
    """Compose a NIK (used by the synthetic generator and tests)."""
    day = birth_date.day + (40 if sex is Sex.FEMALE else 0)
    return f"{district6}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def kk_issue_date(kk: str, today: date | None = None) -> date | None:
    """The issue date written in a KK number's digits 7-12, or None if not a real date."""
    if len(kk) != 16 or not kk.isdigit():
        return None
    return century_date(int(kk[6:8]), int(kk[8:10]), int(kk[10:12]), today or date.today())


def mask_nik(nik: str) -> str:
    """First 4 and last 4 digits visible: ``3201********0001``."""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]
