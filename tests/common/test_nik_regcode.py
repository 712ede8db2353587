from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from common import regcode
from common.enums import Sex
from common.nik import (
    century_date,
    is_real_date,
    make_nik,
    mask_nik,
    parse_nik,
    read_nik,
    written_date,
)

TODAY = date(2026, 6, 1)


def test_parse_female_nik() -> None:
    p = parse_nik("3201014507990001", TODAY)
    assert p is not None
    assert (p.province_code, p.regency_code, p.district_code) == ("32", "32.01", "32.01.01")
    assert p.birth_date == date(1999, 7, 5) and p.sex is Sex.FEMALE and p.serial == "0001"


def test_parse_male_nik_this_century() -> None:
    p = parse_nik("3171010102050123", TODAY)
    assert p is not None and p.birth_date == date(2005, 2, 1) and p.sex is Sex.MALE


def test_parse_rejects_non_16_digits() -> None:
    assert parse_nik("320101450799000") is None
    assert parse_nik("32010145079900a1") is None


def test_impossible_date_parses_with_no_birth_date() -> None:
    p = parse_nik("3201013102990001", TODAY)  # 31 February
    assert p is not None and p.birth_date is None


@given(
    st.dates(min_value=date(1927, 6, 2), max_value=TODAY),
    st.sampled_from(list(Sex)),
    st.integers(1, 9999),
)
def test_make_parse_round_trip(birth: date, sex: Sex, serial: int) -> None:
    nik = make_nik("320101", birth, sex, serial)
    p = parse_nik(nik, TODAY)
    assert p is not None
    assert (p.birth_date, p.sex, int(p.serial)) == (birth, sex, serial)


def test_mask_and_kk_issue_date() -> None:
    assert mask_nik("3201014507990001") == "3201********0001"
    assert written_date("3201011503100002") == (15, 3, 10)
    assert century_date(*written_date("3201011503100002"), TODAY) == date(2010, 3, 15)
    assert not is_real_date(*written_date("3201013213100002"), TODAY)


@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.dates(date(2000, 1, 1)))
def test_is_real_date_answers_as_century_date(day: int, month: int, yy: int, today: date) -> None:
    """The rules' shortcut agrees with the date the form's hint builds."""
    assert is_real_date(day, month, yy, today) is (century_date(day, month, yy, today) is not None)


def test_parse_nik_starts_from_the_digits_the_rules_read() -> None:
    digits = read_nik("3201014507990001")
    assert digits is not None
    assert (digits.district6, digits.day, digits.month, digits.yy, digits.serial) == (
        "320101",
        5,
        7,
        99,
        "0001",
    )
    assert digits.sex is Sex.FEMALE and digits.date_text == "05-07-99"
    assert read_nik(" 3201014507990001") is None  # parse_nik strips, the rules do not
    assert parse_nik(" 3201014507990001", TODAY) is not None


@given(st.integers(0, 999), st.integers(0, 999_999))
def test_codes_validate_and_catch_one_typo(device: int, seq: int) -> None:
    code = regcode.make_code("320101", device, seq)
    assert regcode.is_valid_code(code)
    payload = code.replace("-", "")
    # every single-character substitution is caught
    for i, ch in enumerate(payload):
        for other in "0123456789":
            if other != ch:
                typo = payload[:i] + other + payload[i + 1 :]
                assert not regcode.is_valid_code(typo), typo
    # every swap of two adjacent different digits is caught
    digits = payload[:-1]
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :] + payload[-1]
            assert not regcode.is_valid_code(swapped), swapped


def test_code_read_back_leniently() -> None:
    code = regcode.make_code("320101", 7, 123)
    assert regcode.is_valid_code(code.lower())
    assert regcode.is_valid_code(code.replace("0", "O"))
