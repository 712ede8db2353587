"""The paper-form import format (CSV), shared by the desktop importer and the generator.

One row per applicant; the columns are the record's field names (``docs/IMPORT.md`` lists the
allowed values). ``birth_date`` is ``YYYY-MM-DD``, ``sex`` ``L``/``P``, booleans ``ya``/``tidak``
(``1``/``0``, ``true``/``false`` are read too), ``skills`` separated by ``;``, ``consent_at``
ISO 8601 (blank: the import time).
"""

from __future__ import annotations

import re
from typing import Any

from common.record import APPLICANT_FIELDS

COLUMNS: tuple[str, ...] = APPLICANT_FIELDS
#: Columns a file must have; the others may be left out (they then take their defaults).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "nik",
    "kk_number",
    "full_name",
    "birth_place",
    "birth_date",
    "sex",
    "phone",
    "street",
    "rt",
    "rw",
    "village_code",
    "postal_code",
    "education",
    "employment_status",
    "declaration_not_excluded",
    "motivation",
    "skills",
    "consent_given",
    "consent_version",
)


def to_row(applicant: dict[str, Any]) -> dict[str, str]:
    """An ``Applicant.to_dict()`` (or raw generator dict) as a CSV row of strings."""
    row: dict[str, str] = {}
    for name in COLUMNS:
        value = applicant.get(name)
        if value is None:
            row[name] = ""
        elif isinstance(value, bool):
            row[name] = "ya" if value else "tidak"
        elif isinstance(value, (list, tuple)):
            row[name] = ";".join(str(v) for v in value)
        else:
            row[name] = str(value)
    return row


#: Characters that start a formula in Excel, LibreOffice or Google Sheets (and their full-width
#: forms, which some of them also accept).
FORMULA_TRIGGERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
#: Where a spreadsheet may cut a line into cells: the comma, the semicolon (Excel where the
#: decimal separator is a comma, as in Indonesia), the tab, the pipe and line breaks. A file
#: written with commas and opened with semicolons cuts *inside* a cell.
_CELL_SPLIT = re.compile(r"([,;\t|\r\n])")
#: What a spreadsheet may drop before a cell's first character: spaces and quote marks.
_CELL_LEAD = ' "\u00a0'


def spreadsheet_safe(value: str, keep: re.Pattern[str] | None = None) -> str:
    """``value`` with an apostrophe before every part that a spreadsheet would run as a
    formula (CSV injection), whichever separator it splits the line on: ``X;=1+2`` becomes
    ``X;'=1+2``. ``keep``: values left as they are when they match whole (phone numbers in
    ``+62...`` form, which are numbers, not formulas)."""
    if not value or (keep is not None and keep.fullmatch(value)):
        return value
    parts = _CELL_SPLIT.split(value)  # separators at the odd indexes
    for i in range(0, len(parts), 2):
        if parts[i].lstrip(_CELL_LEAD)[:1] in FORMULA_TRIGGERS:
            parts[i] = "'" + parts[i]
    return "".join(parts)
