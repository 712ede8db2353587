"""Table-driven tests: one row per rule, each asserting the exact codes (never the text)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from common import errors as E
from common.errors import Severity
from common.validation import check, normalise_phone

TODAY = date(2026, 6, 1)


def codes(raw: dict[str, Any]) -> dict[str, set[str]]:
    """{field: {codes}} of every problem (errors and warnings)."""
    out: dict[str, set[str]] = {}
    for p in check(raw, TODAY).problems:
        out.setdefault(p.field, set()).add(p.code)
    return out


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    raw = dict(base)
    raw.update(changes)
    return raw


def test_the_base_record_is_valid(valid_raw: dict) -> None:
    result = check(valid_raw, TODAY)
    assert result.problems == [] and result.ok


# (description, changes, field, expected codes on that field)
CASES: list[tuple[str, dict[str, Any], str, set[str]]] = [
    ("nik missing", {"nik": ""}, "nik", {E.REQUIRED}),
    ("nik 15 digits", {"nik": "320101450799000"}, "nik", {E.NIK_FORMAT}),
    ("nik with letters", {"nik": "32010145079900A1"}, "nik", {E.NIK_FORMAT}),
    ("nik province 00", {"nik": "0001014507990001"}, "nik", {E.NIK_DISTRICT_MALFORMED}),
    ("nik district 00", {"nik": "3201004507990001"}, "nik", {E.NIK_DISTRICT_MALFORMED}),
    ("nik date 31 Feb", {"nik": "3201017102990001"}, "nik", {E.NIK_BIRTHDATE_INVALID}),
    ("nik serial 0000", {"nik": "3201014507990000"}, "nik", {E.NIK_SERIAL_ZERO}),
    ("kk missing", {"kk_number": ""}, "kk_number", {E.REQUIRED}),
    ("kk 12 digits", {"kk_number": "320101150310"}, "kk_number", {E.KK_FORMAT}),
    (
        "kk bad issue date",
        {"kk_number": "3201013213100002"},
        "kk_number",
        {E.KK_ISSUE_DATE_INVALID},
    ),
    (
        "kk unknown district",
        {"kk_number": "3299991503100002"},
        "kk_number",
        {E.KK_DISTRICT_UNKNOWN},
    ),
    ("name missing", {"full_name": "  "}, "full_name", {E.REQUIRED}),
    ("name one letter", {"full_name": "A"}, "full_name", {E.NAME_LENGTH}),
    ("name 101 chars", {"full_name": "A" * 101}, "full_name", {E.TEXT_TOO_LONG}),
    ("name with digits", {"full_name": "Budi 2"}, "full_name", {E.NAME_CHARACTERS}),
    ("name with symbol", {"full_name": "Budi@Santoso"}, "full_name", {E.NAME_CHARACTERS}),
    ("name control char", {"full_name": "Budi\x00"}, "full_name", {E.TEXT_CONTROL_CHARS}),
    ("name rtl override", {"full_name": "Budi\u202eosotnaS"}, "full_name", {E.TEXT_CONTROL_CHARS}),
    ("name 10,000 chars", {"full_name": "x" * 10_000}, "full_name", {E.TEXT_TOO_LONG}),
    ("name not text", {"full_name": ["Budi"]}, "full_name", {E.SCHEMA_VIOLATION}),
    ("birth place missing", {"birth_place": ""}, "birth_place", {E.REQUIRED}),
    ("birth date not a date", {"birth_date": "1999-02-31"}, "birth_date", {E.DATE_INVALID}),
    ("sex unknown", {"sex": "X"}, "sex", {E.VALUE_NOT_ALLOWED}),
    ("sex missing", {"sex": ""}, "sex", {E.REQUIRED}),
    (
        "mother name digits",
        {"mother_maiden_name": "Ibu 1"},
        "mother_maiden_name",
        {E.NAME_CHARACTERS},
    ),
    ("phone missing", {"phone": ""}, "phone", {E.REQUIRED}),
    ("phone landline", {"phone": "021-5551234"}, "phone", {E.PHONE_INVALID}),
    ("phone too short", {"phone": "08123"}, "phone", {E.PHONE_INVALID}),
    ("phone letters", {"phone": "0812abc45678"}, "phone", {E.PHONE_INVALID}),
    ("email invalid", {"email": "budi@"}, "email", {E.EMAIL_INVALID}),
    ("street missing", {"street": ""}, "street", {E.REQUIRED}),
    ("rt 4 digits", {"rt": "1234"}, "rt", {E.RT_RW_INVALID}),
    ("rw letters", {"rw": "1a"}, "rw", {E.RT_RW_INVALID}),
    ("rt missing", {"rt": ""}, "rt", {E.REQUIRED}),
    ("postal 4 digits", {"postal_code": "1234"}, "postal_code", {E.POSTAL_CODE_INVALID}),
    ("village unknown", {"village_code": "32.01.01.9999"}, "village_code", {E.VILLAGE_UNKNOWN}),
    ("village is a district", {"village_code": "32.01.01"}, "village_code", {E.VILLAGE_UNKNOWN}),
    ("village missing", {"village_code": ""}, "village_code", {E.REQUIRED}),
    ("education unknown", {"education": "phd"}, "education", {E.VALUE_NOT_ALLOWED}),
    ("employment missing", {"employment_status": ""}, "employment_status", {E.REQUIRED}),
    ("disability blank", {"disability": ""}, "disability", {E.REQUIRED}),
    (
        "migrant not a bool",
        {"former_migrant_worker": "mungkin"},
        "former_migrant_worker",
        {E.VALUE_NOT_ALLOWED},
    ),
    (
        "no declaration",
        {"declaration_not_excluded": False},
        "declaration_not_excluded",
        {E.DECLARATION_REQUIRED},
    ),
    ("no motivation", {"motivation": ""}, "motivation", {E.REQUIRED}),
    ("no skills", {"skills": []}, "skills", {E.SKILLS_REQUIRED}),
    ("unknown skill", {"skills": ["juggling"]}, "skills", {E.VALUE_NOT_ALLOWED}),
    ("no consent", {"consent_given": False}, "consent_given", {E.CONSENT_REQUIRED}),
    (
        "consent version unknown",
        {"consent_version": "1999-01"},
        "consent_version",
        {E.CONSENT_VERSION_UNKNOWN},
    ),
    ("consent version missing", {"consent_version": ""}, "consent_version", {E.REQUIRED}),
    ("consent time missing", {"consent_at": ""}, "consent_at", {E.REQUIRED}),
    ("consent time garbage", {"consent_at": "kemarin"}, "consent_at", {E.DATE_INVALID}),
    ("unknown field", {"hobby": "catur"}, "hobby", {E.UNKNOWN_FIELD}),
    ("domicile incomplete", {"domicile_same": False}, "domicile_street", {E.REQUIRED}),
    ("too many skills", {"skills": ["las"] * 100_000}, "skills", {E.TOO_MANY_ITEMS}),
]


@pytest.mark.parametrize(
    ("changes", "field", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule(valid_raw: dict, changes: dict, field: str, expected: set[str]) -> None:
    found = codes(with_(valid_raw, **changes))
    assert found.get(field) == expected, found


def test_every_validation_code_is_exercised() -> None:
    exercised = {c for case in CASES for c in case[3]}
    exercised |= {
        E.NIK_DISTRICT_UNKNOWN,
        E.NIK_BIRTHDATE_MISMATCH,
        E.NIK_SEX_MISMATCH,
        E.BIRTH_DATE_FUTURE,
        E.AGE_OUT_OF_RANGE,
    }  # covered by the tests below
    validation_codes = {
        c for c in E.CATALOG if c not in exercised and E.CATALOG[c].http_status == 400
    } - {
        E.MALFORMED_JSON,
        E.MALFORMED_BODY,
        E.CURSOR_INVALID,
        E.ENROLL_CODE_INVALID,
        E.ENROLL_CODE_EXPIRED,
        E.ENROLL_CODE_USED,
        E.NOT_ENROLLED,
        E.FILE_WRITE_FAILED,  # writing a bundle file: tests/desktop/test_bundles.py
        E.BUNDLE_OWN_FILE,  # relaying: tests/desktop/test_bundles.py
        E.SAVE_NEEDS_ENROLLMENT,  # the desktop's save: tests/desktop/test_services_registrations.py
        E.IMPORT_COLUMNS_MISSING,
        E.IMPORT_ROW_MALFORMED,
        E.IMPORT_COLUMNS_REPEATED,  # file checks of the importer: tests/desktop/test_import*.py
        E.IMPORT_ENCODING_UNKNOWN,
        E.IMPORT_DATE_AMBIGUOUS,
        E.IMPORT_NUMBER_MANGLED,
        # desktop operator checks (InvalidValue): tests/desktop/test_services_operators.py
        E.OPERATOR_NAME_INVALID,
        E.PASSWORD_TOO_SHORT,
        E.OPERATOR_EXISTS,
        E.OPERATORS_EXIST,
        E.TLS_REQUIRED,
        # account rules (common/accounts.py): tests/syncserver/test_account_rules.py
        E.USERNAME_INVALID,
        E.ROLE_INVALID,
        E.USER_EXISTS,
        E.USER_UNKNOWN,
        E.OPERATOR_UNKNOWN,
        E.PASSWORD_REQUIRED,
        E.PASSWORD_MISMATCH,
        # the command lines' own (tests/common/test_catalog_kinds.py, tests/*/test_*cli.py)
        E.USAGE,
        E.INVALID_VALUE,
        E.FILE_NOT_FOUND,
        E.INTERRUPTED,
        E.UNEXPECTED_ERROR,
        E.STORE_ERROR,
        E.OPERATOR_REQUIRED,
        E.NO_OPERATOR,
        E.NO_CREDENTIAL_STORE,
        E.REKEY_NO_SLOT,
        E.OFFICE_CODE_INVALID,
        E.DEVICE_NO_INVALID,
        E.DEVICE_ENROLLED,
        E.CONFIG_INVALID,
        E.DATABASE_NOT_MIGRATED,
        E.DATABASE_UNREACHABLE,
        E.REGENCY_CODE_INVALID,
        E.REGENCY_UNKNOWN,
        E.OFFICE_EXISTS,
        E.OFFICE_UNKNOWN,
        E.DEVICE_UNKNOWN,
        # record checks of ingest, not of the applicant: tests/syncserver/test_ingest_checks.py
        E.CONTENT_HASH_MISMATCH,
        E.REGISTRATION_CODE_INVALID,
        E.REGISTRATION_CODE_UNENROLLED,
        E.REVISION_NOT_CONTIGUOUS,
        # the desktop form's, for typed text not taken from the village list:
        # tests/desktop/gui/test_form_fields.py
        E.VILLAGE_NOT_CHOSEN,
        # the sync bundle format's: tests/common/test_bundle.py
        E.BUNDLE_UNREADABLE,
        E.BUNDLE_VERSION_UNSUPPORTED,
        E.BUNDLE_TAMPERED,
        E.BUNDLE_WRONG_RECIPIENT,
        E.BUNDLE_TOO_LARGE,
        # the server's bundle keys: tests/syncserver/test_bundle_keys.py
        E.BUNDLE_KEY_EXPIRED,
        # importing and exporting bundles: tests/syncserver/test_bundles.py,
        # tests/desktop/test_bundles.py
        E.BUNDLE_WRONG_KIND,
        E.BUNDLE_NO_KEYS,
        E.BUNDLE_NOTHING_TO_SEND,
        E.BUNDLE_REPLAYED,
    }
    assert validation_codes == set()


@pytest.mark.parametrize(
    "changes",
    [
        {"nik": 3201014507990001},
        {"rt": 1},
        {"consent_given": 1},
        {"declaration_not_excluded": "ya"},
        {"skills": "las;jahit"},
        {"sex": 2},
        {"birth_date": 19990705},
    ],
    ids=lambda c: ",".join(c),
)
def test_strict_types_refuse_another_json_type(valid_raw: dict, changes: dict) -> None:
    """The sync API's JSON must have each field's type; imports stay lenient."""
    (name,) = changes
    strict = check(with_(valid_raw, **changes), TODAY, strict_types=True)
    assert not strict.ok and any(p.field == name for p in strict.errors), strict.problems
    assert {p.code for p in strict.errors if p.field == name} <= {
        E.SCHEMA_VIOLATION,
        E.DATE_INVALID,
    }


def test_problems_are_capped_per_record() -> None:
    result = check({f"x{i}": "y" for i in range(500)}, TODAY)
    assert 0 < len(result.problems) <= 20


def test_nik_must_agree_with_birth_date_and_sex(valid_raw: dict) -> None:
    nik = "3201014507990001"  # woman born 5 July 1999
    base = with_(valid_raw, nik=nik, sex="P", birth_date="1999-07-05")
    assert codes(base).get("nik") is None
    assert codes(with_(base, birth_date="1999-07-06"))["birth_date"] == {E.NIK_BIRTHDATE_MISMATCH}
    assert codes(with_(base, sex="L"))["sex"] == {E.NIK_SEX_MISMATCH}


def test_unknown_nik_district_is_only_a_warning(valid_raw: dict) -> None:
    # 91.01.01: a Papua code split off in 2022; well formed, not in the current list
    raw = with_(valid_raw, nik="9101014507990001", sex="P", birth_date="1999-07-05")
    result = check(raw, TODAY)
    assert [(p.code, p.severity) for p in result.problems] == [
        (E.NIK_DISTRICT_UNKNOWN, Severity.WARNING)
    ]
    assert result.ok


@pytest.mark.parametrize(
    ("birth", "ok"),
    [("2008-06-01", True), ("2008-06-02", False), ("1961-06-02", True), ("1961-06-01", False)],
    ids=["18 today", "17 until tomorrow", "64 until tomorrow", "65 today"],
)
def test_age_18_to_64(valid_raw: dict, birth: str, ok: bool) -> None:
    d = date.fromisoformat(birth)
    nik = f"320101{d.day:02d}{d.month:02d}{d.year % 100:02d}0001"
    found = codes(with_(valid_raw, nik=nik, sex="L", birth_date=birth))
    assert ("birth_date" not in found) is ok, found
    if not ok:
        assert found["birth_date"] == {E.AGE_OUT_OF_RANGE}


def test_birth_date_in_future(valid_raw: dict) -> None:
    found = codes(with_(valid_raw, birth_date="2030-01-01"))
    assert E.BIRTH_DATE_FUTURE in found["birth_date"]


def test_every_problem_reported_at_once() -> None:
    result = check({}, TODAY)
    fields = {p.field for p in result.errors}
    assert {"nik", "kk_number", "full_name", "phone", "village_code", "consent_given"} <= fields
    assert not result.ok


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("+62812 34567890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(0812) 3456.7890", "+6281234567890"),
        ("0812345678", "+62812345678"),
        ("0211234567", None),
        ("+6512345678", None),
        ("08123456789012345", None),
    ],
)
def test_phone_normalisation(typed: str, stored: str | None) -> None:
    assert normalise_phone(typed) == stored


def test_normalised_values(valid_raw: dict) -> None:
    result = check(
        with_(
            valid_raw,
            full_name="  Siti   Nur  Aminah ",
            phone="0812-3456-7890",
            email="Siti@Example.ID",
            village_code="3201012001",
            nik=" " + valid_raw["nik"],
        ),
        TODAY,
    )
    a = result.applicant
    assert a.full_name == "Siti Nur Aminah"
    assert a.phone == "+6281234567890"
    assert a.email == "siti@example.id"
    assert a.village_code == "32.01.01.2001"
    assert a.nik == valid_raw["nik"]


def test_single_names_and_punctuation_are_valid(valid_raw: dict) -> None:
    for name in (
        "Sukarno",
        "Ni Luh Putu Ayu",
        "Muh. Ali",
        "Siti Nur'aini",
        "Anak Agung Gde-Putra",
        "Élise",
    ):
        assert "full_name" not in codes(with_(valid_raw, full_name=name)), name


def test_messages_in_both_languages(valid_raw: dict) -> None:
    p = next(p for p in check(with_(valid_raw, rt="1234"), TODAY).problems)
    assert p.message("id") == "RT harus 1 sampai 3 angka."
    assert p.message("en") == "RT (neighbourhood) must be 1 to 3 digits."
