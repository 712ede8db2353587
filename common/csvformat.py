"""The paper-form import format (CSV), shared by the desktop importer and the generator.

One row per applicant; the columns are the record's field names (``docs/IMPORT.md`` lists the
allowed values). ``birth_date`` is ``YYYY-MM-DD``, ``sex`` ``L``/``P``, booleans ``ya``/``tidak``
(``1``/``0``, ``true``/``false`` are read too), ``skills`` separated by ``;``, ``consent_at``
ISO 8601 (blank: the import time).
"""

from __future__ import annotations

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
