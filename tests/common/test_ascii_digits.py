"""Digits that are not ASCII never pass for digits (superscripts, Arabic-Indic, fullwidth,
mathematical bold, Devanagari...). Python's ``str.isdigit()`` and ``re``'s ``\\d`` accept them,
so a NIK written with one "digit" of another script validated cleanly and escaped the
duplicate check against the same NIK in ASCII."""

from __future__ import annotations

import pytest

from common import nik as N
from common import regcode
from common import regions as R
from common.synthetic import Generator
from common.validation import Severity, check, normalise_phone

OTHER_DIGITS = ("²", "٣", "९", "９", "𝟗", "߃", "၅")
DIGIT_FIELDS = ("nik", "kk_number", "phone", "rt", "rw", "postal_code", "village_code")


def _swap_last_digit(text: str, digit: str) -> str:
    i = max(i for i, ch in enumerate(text) if ch in "0123456789")
    return text[:i] + digit + text[i + 1 :]


@pytest.mark.parametrize("digit", OTHER_DIGITS)
@pytest.mark.parametrize("field", DIGIT_FIELDS)
def test_a_digit_of_another_script_is_an_error_on_its_field(field: str, digit: str) -> None:
    applicant = Generator(17).applicant()
    assert check(applicant).ok
    changed = {**applicant, field: _swap_last_digit(str(applicant[field]), digit)}
    result = check(changed)
    assert not result.ok
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    assert field in {p.field for p in errors}, result.problems


@pytest.mark.parametrize("digit", OTHER_DIGITS)
def test_the_shared_digit_checks_refuse_other_scripts(digit: str) -> None:
    nik = Generator(18).applicant()["nik"]
    assert N.read_nik(nik) is not None
    assert N.read_nik(_swap_last_digit(nik, digit)) is None
    assert not N.is_16_digits(digit * 16)
    assert not N.district_well_formed("3201" + digit + "1")
    assert normalise_phone("0812345678" + digit) is None
    assert R.regions().get("32.0" + digit) is None
    assert R.dotted("320" + digit) == "320" + digit  # not taken for a code
    assert not regcode.is_valid_code(f"320101-001-00000{digit}-A")
    with pytest.raises(ValueError):
        regcode.make_code("32010" + digit, 1, 1)
