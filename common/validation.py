"""Validation of a registration: every problem at once, each with a catalog code.

Two steps, both pure functions:

* :func:`parse_applicant` turns raw input (a form, a CSV row, a JSON object: strings and
  JSON values) into a typed, normalised :class:`~common.record.Applicant`, reporting values
  it cannot understand (bad dates, unknown codes, unknown fields);
* :func:`validate` applies the programme's rules to an Applicant.

:func:`check` does both. A record with no problem of severity ``error`` may be saved; warnings
are shown but never block. The desktop and the server call the same functions, so a clerk
offline gets the answer the server will give.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import Any, cast

from common import errors as E
from common.digits import is_digits
from common.enums import (
    CONSENT_VERSIONS,
    Disability,
    Education,
    EmploymentStatus,
    Sex,
    Skill,
)
from common.errors import Severity
from common.i18n import Lang, as_lang
from common.nik import (
    NikDigits,
    district_code,
    district_well_formed,
    is_16_digits,
    is_real_date,
    read_nik,
    written_date,
)
from common.record import APPLICANT_FIELDS, FIELD_LABELS, Applicant, parse_datetime
from common.regions import Regions, dotted, regions

MIN_AGE = 18
MAX_AGE = 64

#: Longest accepted value of each free-text field (anything longer is refused, not cut).
TEXT_LIMITS: dict[str, int] = {
    "nik": 32,
    "kk_number": 32,
    "full_name": 100,
    "birth_place": 100,
    "mother_maiden_name": 100,
    "phone": 32,
    "email": 254,
    "street": 200,
    "rt": 8,
    "rw": 8,
    "village_code": 20,
    "postal_code": 10,
    "domicile_street": 200,
    "domicile_rt": 8,
    "domicile_rw": 8,
    "domicile_village_code": 20,
    "domicile_postal_code": 10,
    "motivation": 1000,
    "consent_version": 20,
}

_PHONE_STRIP = re.compile(r"[\s\-().]")
_PHONE_OK = re.compile(r"^\+628[0-9]{7,11}$")
_EMAIL_OK = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_DIGITS_1_3 = re.compile(r"^[0-9]{1,3}$")
_DIGITS_5 = re.compile(r"^[0-9]{5}$")
_NAME_BAD = re.compile(r"[^\w '.\-\u2019]|[\d_]")  # letters, space, ' . - ’ only
_LETTER = re.compile(r"[^\W\d_]")
_TRUE = frozenset({"1", "true", "ya", "y", "yes", "t", "x", "on"})
_FALSE = frozenset({"0", "false", "tidak", "n", "no", "f", "", "off"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one field."""

    code: str
    field: str
    severity: Severity
    params: dict[str, Any] = dc_field(default_factory=dict)

    def message(self, lang: str | Lang | None = None) -> str:
        label = FIELD_LABELS.get(self.field, (self.field, self.field))
        params = {"field_id": label[0], "field_en": label[1], **self.params}
        return E.message(self.code, params, as_lang(lang))


@dataclass(slots=True)
class Result:
    applicant: Applicant
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        """True when nothing blocks saving (warnings allowed)."""
        return not any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def error_codes(self) -> list[str]:
        return [p.code for p in self.errors]


def _problem(code: str, fld: str, **params: Any) -> Problem:
    return Problem(code, fld, E.CATALOG[code].severity, params)


# --- normalisers ----------------------------------------------------------------------
def normalise_phone(text: str) -> str | None:
    """``0812-3456 7890`` / ``62812…`` / ``+62 812…`` -> ``+62812…``; None if not a mobile."""
    t = _PHONE_STRIP.sub("", text)
    if t.startswith("+62"):
        t = t[1:]
    if t.startswith("0"):
        t = "62" + t[1:]
    if not t.startswith("62") or not is_digits(t):
        return None
    t = "+" + t
    return t if _PHONE_OK.match(t) else None


_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _refused(ch: str) -> bool:
    """Control, format (bidi overrides, zero-width), surrogate, private or unassigned chars
    (tabs and newlines included: no field of the record is multi-line)."""
    return unicodedata.category(ch)[0] == "C" if ord(ch) > 0x7F else bool(_ASCII_CONTROL.match(ch))


def first_refused_char(text: str) -> str | None:
    """The first character of ``text`` that a text field refuses (its message names it)."""
    if text.isascii():
        m = _ASCII_CONTROL.search(text)
        return m.group() if m else None
    return next((ch for ch in text if _refused(ch)), None)


#: Line and paragraph breaks and tabs: typed or pasted, they become one space.
_BREAKS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029")


def clean_typed_text(text: str) -> str:
    """What an editor keeps of typed or pasted ``text``: breaks and tabs become a space,
    other refused characters (controls, bidi overrides, zero-width) are dropped, so no text
    field holds what saving would refuse (TEXT_CONTROL_CHARS)."""
    if text.isprintable():
        return text
    out = []
    for ch in text.replace("\r\n", "\n"):
        if ch in _BREAKS:
            out.append(" ")
        elif not _refused(ch):
            out.append(ch)
    return "".join(out)


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
    return None


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


_ENUM_FIELDS: dict[str, Any] = {
    "sex": Sex,
    "education": Education,
    "employment_status": EmploymentStatus,
    "disability": Disability,
}
_BOOL_FIELDS = (
    "domicile_same",
    "former_migrant_worker",
    "declaration_not_excluded",
    "consent_given",
)


#: Skills an applicant may name at most (each skill once).
MAX_SKILLS = len(Skill)
#: Problems one record reports at most: past them validation stops collecting.
MAX_PROBLEMS = 20


def parse_applicant(
    raw: Mapping[str, Any], *, strict_fields: bool = True, strict_types: bool = False
) -> tuple[Applicant, list[Problem]]:
    """Coerce raw input into a normalised Applicant; report what could not be understood.

    ``strict_fields`` refuses keys that are not Applicant fields (the API and imports use it).
    ``strict_types`` (the sync API: JSON from a device's ``Applicant.to_dict()``) refuses a
    value of another JSON type than the field's (a number for a text field, "ya" for a yes/no,
    a text for the skills list) instead of reading it as a spreadsheet cell would be read.
    Missing keys take the Applicant defaults; required ones are then reported by validate().
    """
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if strict_fields and not _KNOWN.issuperset(raw):
        for key in raw:
            if key not in _KNOWN:
                problems.append(_problem(E.UNKNOWN_FIELD, str(key)[:40], field=str(key)[:40]))
                if len(problems) >= MAX_PROBLEMS:
                    return Applicant(), problems
    no_space = _NO_SPACE
    for name, limit in _TEXT_ITEMS:
        value = raw.get(name)
        if value is None:
            continue
        if type(value) is not str:
            if not strict_types and isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            else:
                problems.append(_problem(E.SCHEMA_VIOLATION, name, detail=f"{name} must be text"))
                continue
        if len(value) > limit:
            problems.append(_problem(E.TEXT_TOO_LONG, name, max=limit))
            continue
        if not value.isprintable():  # rare: tabs, odd spaces, or control characters
            bad = first_refused_char(value)
            if bad is not None:
                problems.append(_problem(E.TEXT_CONTROL_CHARS, name, **E.char_params(bad)))
                continue
            value = " ".join(value.split())
            if name in no_space:
                value = value.replace(" ", "")
        elif name in no_space:
            if " " in value:
                value = value.replace(" ", "")
        elif "  " in value or value[:1] == " " or value[-1:] == " ":
            value = " ".join(value.split())
        values[name] = value
    for name in ("village_code", "domicile_village_code"):
        code = values.get(name)
        if code and "." not in code:
            values[name] = dotted(code)
    if "email" in values:
        values["email"] = values["email"].lower()
    for name, enum in _ENUM_FIELDS.items():
        value = raw.get(name)
        if value is None or value == "":
            if name == "disability" and name in raw:
                values[name] = None
            continue
        if strict_types and type(value) is not str:
            problems.append(_problem(E.SCHEMA_VIOLATION, name, detail=f"{name} must be text"))
            values[name] = None
            continue
        member = enum._value2member_map_.get(value) if type(value) is str else None
        if member is None:
            member = enum.parse(value)
        if member is None:
            problems.append(_problem(E.VALUE_NOT_ALLOWED, name, value=str(value)[:40]))
            values[name] = None
        else:
            values[name] = member
    for name in _BOOL_FIELDS:
        if name not in raw:
            continue
        b = raw[name]
        if type(b) is not bool:
            if strict_types:
                problems.append(
                    _problem(E.SCHEMA_VIOLATION, name, detail=f"{name} must be true or false")
                )
                continue
            b = _as_bool(b)
        if b is None:
            problems.append(_problem(E.VALUE_NOT_ALLOWED, name, value=str(raw[name])[:40]))
        else:
            values[name] = b
    if raw.get("birth_date") not in (None, ""):
        d = (
            _as_date(raw["birth_date"])
            if not strict_types or type(raw["birth_date"]) is str
            else None
        )
        if d is None:
            problems.append(_problem(E.DATE_INVALID, "birth_date"))
        values["birth_date"] = d
    consent_at = raw.get("consent_at")
    if consent_at is not None and consent_at != "":
        if strict_types and type(consent_at) is not str:
            consent_at = object()  # not a text: parse_datetime refuses it (TypeError)
        try:
            values["consent_at"] = parse_datetime(consent_at)
        except (ValueError, TypeError):
            problems.append(_problem(E.DATE_INVALID, "consent_at"))
    skills_raw = raw.get("skills")
    if skills_raw not in (None, ""):
        items: list[Any]
        if isinstance(skills_raw, str) and not strict_types:
            items = [s for s in re.split(r"[;,|]", skills_raw) if s.strip()]
        elif isinstance(skills_raw, (list, tuple)) and len(skills_raw) > MAX_SKILLS:
            items = []  # refused by its length, before any per-item work
            problems.append(_problem(E.TOO_MANY_ITEMS, "skills", max=MAX_SKILLS))
        elif isinstance(skills_raw, (list, tuple)):
            items = list(skills_raw)
        else:
            items = []
            problems.append(_problem(E.SCHEMA_VIOLATION, "skills", detail="skills must be a list"))
        skills: list[Skill] = []
        skill_map = Skill._value2member_map_
        for item in items:
            member = cast(Skill | None, skill_map.get(item) if type(item) is str else None)
            if member is None:
                member = cast(Skill | None, Skill.parse(item))
            if member is None:
                problems.append(_problem(E.VALUE_NOT_ALLOWED, "skills", value=str(item)[:40]))
                if len(problems) >= MAX_PROBLEMS:
                    break
            elif member not in skills:
                skills.append(member)
        values["skills"] = tuple(skills)
    return Applicant(**values), problems


def applicant_from_dict(data: Mapping[str, Any]) -> Applicant:
    """Rebuild an Applicant from ``Applicant.to_dict()`` output (trusted data: storage, a
    pulled change): unknown keys are ignored, values it cannot read are left at None."""
    return parse_applicant(data, strict_fields=False)[0]


_KNOWN = frozenset(APPLICANT_FIELDS)
_TEXT_ITEMS = tuple(TEXT_LIMITS.items())
_NO_SPACE = frozenset(
    (
        "nik",
        "kk_number",
        "rt",
        "rw",
        "postal_code",
        "domicile_rt",
        "domicile_rw",
        "domicile_postal_code",
    )
)


# --- rules ----------------------------------------------------------------------------
def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


#: What the NIK states, for the rules that compare it: its digits (None when it is not 16
#: digits) and whether the birth date they write is a real one.
NikStated = tuple[NikDigits | None, bool]


def _nik_rules(nik: str, today: date, areas: Regions, out: list[Problem]) -> NikStated:
    """Identity: the NIK's shape, district, birth date and serial."""
    if not nik:
        out.append(_problem(E.REQUIRED, "nik"))
        return None, False
    digits = read_nik(nik)
    if digits is None:
        out.append(_problem(E.NIK_FORMAT, "nik"))
        return None, False
    if not district_well_formed(digits.district6):
        out.append(_problem(E.NIK_DISTRICT_MALFORMED, "nik"))
    else:
        district = district_code(digits.district6)
        if district not in areas:
            out.append(_problem(E.NIK_DISTRICT_UNKNOWN, "nik", district=district))
    real = is_real_date(digits.day, digits.month, digits.yy, today)
    if not real:
        out.append(_problem(E.NIK_BIRTHDATE_INVALID, "nik"))
    if digits.serial == "0000":
        out.append(_problem(E.NIK_SERIAL_ZERO, "nik"))
    return digits, real


def _kk_rules(kk: str, today: date, areas: Regions, out: list[Problem]) -> None:
    """The family card number: its shape, district and issue date."""
    if not kk:
        out.append(_problem(E.REQUIRED, "kk_number"))
    elif not is_16_digits(kk):
        out.append(_problem(E.KK_FORMAT, "kk_number"))
    else:
        if not district_well_formed(kk[:6]) or district_code(kk[:6]) not in areas:
            out.append(_problem(E.KK_DISTRICT_UNKNOWN, "kk_number"))
        if not is_real_date(*written_date(kk), today):
            out.append(_problem(E.KK_ISSUE_DATE_INVALID, "kk_number"))


def _name_rules(value: str, fld: str, out: list[Problem], required: bool = True) -> None:
    if not value:
        if required:
            out.append(_problem(E.REQUIRED, fld))
        return
    if not 2 <= len(value) <= 100:
        out.append(_problem(E.NAME_LENGTH, fld))
    if _NAME_BAD.search(value) or not _LETTER.search(value):
        out.append(_problem(E.NAME_CHARACTERS, fld))


def _birth_and_sex_rules(a: Applicant, stated: NikStated, today: date, out: list[Problem]) -> None:
    """Birth date (not in the future, age in range) and sex, each against the NIK."""
    if a.birth_date is None:
        out.append(_problem(E.REQUIRED, "birth_date"))
    elif a.birth_date > today:
        out.append(_problem(E.BIRTH_DATE_FUTURE, "birth_date"))
    else:
        age = age_on(a.birth_date, today)
        if not MIN_AGE <= age <= MAX_AGE:
            out.append(_problem(E.AGE_OUT_OF_RANGE, "birth_date", age=age))
    if a.sex is None:
        out.append(_problem(E.REQUIRED, "sex"))
    nik, date_real = stated
    if nik is None:
        return
    birth = a.birth_date
    if date_real and birth is not None:
        if (nik.day, nik.month, nik.yy) != (birth.day, birth.month, birth.year % 100):
            out.append(_problem(E.NIK_BIRTHDATE_MISMATCH, "birth_date", nik_date=nik.date_text))
    if a.sex is not None and nik.sex is not a.sex:
        out.append(
            _problem(
                E.NIK_SEX_MISMATCH,
                "sex",
                nik_sex_id=nik.sex.label(Lang.ID),
                nik_sex_en=nik.sex.label(Lang.EN),
            )
        )


def _contact_rules(a: Applicant, out: list[Problem]) -> None:
    if not a.phone:
        out.append(_problem(E.REQUIRED, "phone"))
    elif not _PHONE_OK.match(a.phone):
        out.append(_problem(E.PHONE_INVALID, "phone"))
    if a.email and not _EMAIL_OK.match(a.email):
        out.append(_problem(E.EMAIL_INVALID, "email"))


_ADDRESS_FIELDS = {
    prefix: tuple(prefix + n for n in ("street", "rt", "rw", "village_code", "postal_code"))
    for prefix in ("", "domicile_")
}


def _address_rules(
    values: tuple[str, str, str, str, str], prefix: str, out: list[Problem], areas: Regions
) -> None:
    """One address: the ID card's (``prefix`` ``""``) or the domicile (``"domicile_"``)."""
    street, rt, rw, village, postal = values
    f_street, f_rt, f_rw, f_village, f_postal = _ADDRESS_FIELDS[prefix]
    if not street:
        out.append(_problem(E.REQUIRED, f_street))
    for name, value in ((f_rt, rt), (f_rw, rw)):
        if not value:
            out.append(_problem(E.REQUIRED, name))
        elif not _DIGITS_1_3.match(value):
            out.append(_problem(E.RT_RW_INVALID, name))
    if not village:
        out.append(_problem(E.REQUIRED, f_village))
    elif len(village) != 13 or village not in areas:
        out.append(_problem(E.VILLAGE_UNKNOWN, f_village, value=village))
    if not postal:
        out.append(_problem(E.REQUIRED, f_postal))
    elif not _DIGITS_5.match(postal):
        out.append(_problem(E.POSTAL_CODE_INVALID, f_postal))


def _profile_rules(a: Applicant, out: list[Problem]) -> None:
    """Education, employment, disability, the declaration, motivation and skills."""
    if a.education is None or a.employment_status is None or a.disability is None:
        for name in ("education", "employment_status", "disability"):
            if getattr(a, name) is None:
                out.append(_problem(E.REQUIRED, name))
    if not a.declaration_not_excluded:
        out.append(_problem(E.DECLARATION_REQUIRED, "declaration_not_excluded"))
    if not a.motivation:
        out.append(_problem(E.REQUIRED, "motivation"))
    if not a.skills:
        out.append(_problem(E.SKILLS_REQUIRED, "skills"))


def _consent_rules(a: Applicant, out: list[Problem]) -> None:
    if not a.consent_given:
        out.append(_problem(E.CONSENT_REQUIRED, "consent_given"))
    if not a.consent_version:
        out.append(_problem(E.REQUIRED, "consent_version"))
    elif a.consent_version not in CONSENT_VERSIONS:
        out.append(_problem(E.CONSENT_VERSION_UNKNOWN, "consent_version", value=a.consent_version))
    if a.consent_given and a.consent_at is None:
        out.append(_problem(E.REQUIRED, "consent_at"))


def validate(
    a: Applicant, today: date | None = None, areas: Regions | None = None
) -> list[Problem]:
    """Every problem with ``a`` under the programme's rules, as of ``today`` (in the order a
    form shows its fields)."""
    today = today or date.today()
    areas = areas or regions()
    out: list[Problem] = []
    stated = _nik_rules(a.nik, today, areas, out)
    _kk_rules(a.kk_number, today, areas, out)
    _name_rules(a.full_name, "full_name", out)
    if not a.birth_place:
        out.append(_problem(E.REQUIRED, "birth_place"))
    _birth_and_sex_rules(a, stated, today, out)
    if a.mother_maiden_name:
        _name_rules(a.mother_maiden_name, "mother_maiden_name", out, required=False)
    _contact_rules(a, out)
    _address_rules((a.street, a.rt, a.rw, a.village_code, a.postal_code), "", out, areas)
    if not a.domicile_same:
        domicile = (
            a.domicile_street,
            a.domicile_rt,
            a.domicile_rw,
            a.domicile_village_code,
            a.domicile_postal_code,
        )
        _address_rules(domicile, "domicile_", out, areas)
    _profile_rules(a, out)
    _consent_rules(a, out)
    return out


def normalise(a: Applicant) -> Applicant:
    """Put typed-in values into their stored form (phone as ``+62…``)."""
    if a.phone and not _PHONE_OK.match(a.phone):
        phone = normalise_phone(a.phone)
        if phone:
            a.phone = phone
    return a


def check(
    raw: Mapping[str, Any],
    today: date | None = None,
    *,
    strict_fields: bool = True,
    strict_types: bool = False,
) -> Result:
    """Parse, normalise and validate raw input in one call (at most MAX_PROBLEMS problems)."""
    applicant, problems = parse_applicant(
        raw, strict_fields=strict_fields, strict_types=strict_types
    )
    if len(problems) >= MAX_PROBLEMS:
        return Result(applicant, problems[:MAX_PROBLEMS])
    normalise(applicant)
    rules = validate(applicant, today)
    if problems:
        failed = {p.field for p in problems}
        rules = problems + [p for p in rules if p.field not in failed]
    return Result(applicant, rules[:MAX_PROBLEMS])
