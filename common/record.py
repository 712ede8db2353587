"""The registration record: what the applicant gave (:class:`Applicant`) and where and how it
was taken (:class:`Provenance`), wrapped in a :class:`Registration` with its id and code.

The applicant crosses the wire and sits in storage as plain JSON (:meth:`Applicant.to_dict`;
:func:`common.validation.applicant_from_dict` reads it back): strings, numbers, booleans, lists;
dates as ``YYYY-MM-DD`` and times as ISO 8601 in UTC. Never pickle.

This module imports nothing of :mod:`common.validation`, which builds on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import orjson

from common.enums import Channel, Disability, Education, EmploymentStatus, Sex, Skill, Status

#: Field labels (Indonesian, English) used in messages and forms.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "nik": ("NIK", "NIK"),
    "kk_number": ("Nomor KK", "Family card number"),
    "full_name": ("Nama lengkap", "Full name"),
    "birth_place": ("Tempat lahir", "Place of birth"),
    "birth_date": ("Tanggal lahir", "Date of birth"),
    "sex": ("Jenis kelamin", "Sex"),
    "mother_maiden_name": ("Nama ibu kandung", "Mother's maiden name"),
    "phone": ("Nomor HP", "Mobile phone"),
    "email": ("Email", "Email"),
    "street": ("Alamat (jalan)", "Street address"),
    "rt": ("RT", "RT (neighbourhood)"),
    "rw": ("RW", "RW (hamlet)"),
    "village_code": ("Desa/kelurahan", "Village"),
    "postal_code": ("Kode pos", "Postal code"),
    "domicile_same": ("Domisili sama dengan KTP", "Domicile same as ID card"),
    "domicile_street": ("Alamat domisili (jalan)", "Domicile street address"),
    "domicile_rt": ("RT domisili", "Domicile RT"),
    "domicile_rw": ("RW domisili", "Domicile RW"),
    "domicile_village_code": ("Desa/kelurahan domisili", "Domicile village"),
    "domicile_postal_code": ("Kode pos domisili", "Domicile postal code"),
    "education": ("Pendidikan terakhir", "Last education"),
    "employment_status": ("Status pekerjaan", "Employment status"),
    "disability": ("Disabilitas", "Disability"),
    "former_migrant_worker": ("Mantan pekerja migran", "Former migrant worker"),
    "declaration_not_excluded": ("Pernyataan pendaftar", "Applicant's declaration"),
    "motivation": ("Alasan mengikuti pelatihan", "Reason for joining"),
    "skills": ("Keterampilan yang diminati", "Skills of interest"),
    "consent_given": ("Persetujuan data pribadi", "Personal data consent"),
    "consent_version": ("Versi naskah persetujuan", "Consent text version"),
    "consent_at": ("Waktu persetujuan", "Consent time"),
}


@dataclass(slots=True)
class Applicant:
    """What the applicant gave: identity, contact, address, profile, declaration, consent.

    Fields hold normalised, typed values; a value that could not be understood is ``None``
    (and validation reports it). Text fields are ``""`` when empty, never ``None``.
    """

    # identity
    nik: str = ""
    kk_number: str = ""
    full_name: str = ""
    birth_place: str = ""
    birth_date: date | None = None
    sex: Sex | None = None
    mother_maiden_name: str = ""
    # contact
    phone: str = ""
    email: str = ""
    # address on the ID card
    street: str = ""
    rt: str = ""
    rw: str = ""
    village_code: str = ""
    postal_code: str = ""
    # domicile, when different
    domicile_same: bool = True
    domicile_street: str = ""
    domicile_rt: str = ""
    domicile_rw: str = ""
    domicile_village_code: str = ""
    domicile_postal_code: str = ""
    # profile
    education: Education | None = None
    employment_status: EmploymentStatus | None = None
    disability: Disability | None = Disability.NONE
    former_migrant_worker: bool = False
    declaration_not_excluded: bool = False
    motivation: str = ""
    skills: tuple[Skill, ...] = ()
    # consent
    consent_given: bool = False
    consent_version: str = ""
    consent_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates ISO, enums as their codes, skills as a list)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            out[f.name] = _to_json(getattr(self, f.name))
        return out


APPLICANT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Applicant))


def content_hash(applicant_dict: dict[str, Any]) -> str:
    """The first 32 hex digits of SHA-256 over the applicant as canonical JSON: keys sorted,
    no spaces, non-ASCII characters as they are (``json.dumps(sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)``, the definition every stored hash was made
    with). orjson writes exactly those bytes for an applicant's own types (text, yes/no,
    null, whole numbers, lists of text) about ten times faster, a sixth of the server's CPU
    per ingested record; anything else (a float, a nested object, a number past 64 bits)
    takes the definition itself (tests/common/test_content_hash.py holds them equal)."""
    return canonical_hash(canonical_json(applicant_dict))


def canonical_hash(canonical: bytes) -> str:
    """:func:`content_hash` of an applicant whose :func:`canonical_json` is ``canonical``."""
    return hashlib.sha256(canonical).hexdigest()[:32]


def canonical_json(applicant_dict: dict[str, Any]) -> bytes:
    if _plain(applicant_dict):
        try:
            return orjson.dumps(applicant_dict, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # a whole number past 64 bits
            pass
    return reference_json(applicant_dict)


def reference_json(applicant_dict: dict[str, Any]) -> bytes:
    """The definition of the canonical JSON."""
    text = json.dumps(applicant_dict, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _plain(d: dict[str, Any]) -> bool:
    for key, value in d.items():
        if type(key) is not str:
            return False
        t = type(value)
        if t is str or t is bool or t is int or value is None:
            continue
        if t is list and all(type(x) is str for x in value):
            continue
        return False
    return True


@dataclass(slots=True)
class Provenance:
    """Where, when and by whom a registration was taken, and where it stands.

    ``device_time`` is stored for the record but never trusted for ordering: the server's
    ``server_time`` and sequence order everything (docs/ARCHITECTURE.md, promise 5).
    """

    office_code: str = ""
    device_id: str = ""
    operator: str = ""
    channel: Channel = Channel.COUNTER
    device_time: datetime | None = None
    server_time: datetime | None = None
    revision: int = 1
    status: Status = Status.DRAFT


@dataclass(slots=True)
class Registration:
    """One applicant's registration as a device holds it."""

    id: str
    code: str
    applicant: Applicant = field(default_factory=Applicant)
    provenance: Provenance = field(default_factory=Provenance)


def new_registration_id() -> str:
    """A new globally unique id made without a network: a UUIDv7-style value (48-bit
    millisecond time, then 74 random bits), so ids sort roughly by creation and compress well.
    The time part only spreads ids; it is never used for ordering."""
    ms = int(time.time() * 1000) & ((1 << 48) - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms << 80) | rand
    value &= ~(0xF << 76)
    value |= 0x7 << 76  # version 7
    value &= ~(0x3 << 62)
    value |= 0x2 << 62  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_datetime(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    dt = datetime.fromisoformat(value) if type(value) is str else datetime.fromisoformat(str(value))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _to_json(value: object) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value  # str enums serialise as their value through json


__all__ = [
    "APPLICANT_FIELDS",
    "FIELD_LABELS",
    "Applicant",
    "Provenance",
    "Registration",
    "content_hash",
    "new_registration_id",
    "parse_datetime",
    "utcnow",
]
