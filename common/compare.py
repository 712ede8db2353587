"""Applicant field values as people compare them: two registrations of one person typed at
different counters differ in formatting (``0812-3456-7890`` and ``+6281234567890``, RT ``3``
and ``003``, ``BUDI SANTOSO`` and ``Budi  Santoso``) without differing in content.

:func:`display_form` is a value in its one written form (the phone as ``+62…``, RT/RW as
three digits, spaces collapsed); :func:`comparison_key` is what two values are compared by
(the display form, case-folded for text). The review console's duplicate comparison
highlights only differences of the key, and shows the raw value beside the display form
where the two differ. No Qt, no Flask: the desktop may use it too.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from common.validation import normalise_phone

#: neighbourhood (RT) and hamlet (RW) numbers: written with three digits, ``003``
_RT_RW = frozenset({"rt", "rw", "domicile_rt", "domicile_rw"})
#: digits only: stray spaces, dots or dashes are formatting
_DIGITS = frozenset({"nik", "kk_number", "postal_code", "domicile_postal_code"})
#: free text whose letter case and spacing are formatting
_TEXT = frozenset(
    {
        "full_name",
        "birth_place",
        "mother_maiden_name",
        "email",
        "street",
        "domicile_street",
        "motivation",
    }
)


def _one_space(text: str) -> str:
    return " ".join(text.split())


def display_form(name: str, value: Any) -> Any:
    """``value`` of field ``name`` in its one written form (other fields: unchanged)."""
    if not isinstance(value, str):
        return sorted(value) if name == "skills" and isinstance(value, list) else value
    text = unicodedata.normalize("NFKC", value)
    if name == "phone":
        return normalise_phone(text) or _one_space(text)
    if name in _RT_RW:
        digits = "".join(ch for ch in text if ch.isdigit())
        return digits.lstrip("0").zfill(3) if digits and len(digits) <= 3 else _one_space(text)
    if name in _DIGITS:
        digits = "".join(ch for ch in text if ch.isdigit())
        return digits if digits else _one_space(text)
    if name in _TEXT:
        return _one_space(text)
    return value


def comparison_key(name: str, value: Any) -> str:
    """What two values of field ``name`` are compared by (equal keys: the same content)."""
    shown = display_form(name, value)
    if isinstance(shown, str) and name in _TEXT:
        shown = shown.casefold()
    if shown == "":
        shown = None
    return json.dumps(shown, sort_keys=True, ensure_ascii=False, default=str)
