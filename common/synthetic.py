"""Synthetic applicants: realistic, valid registrations, deterministic for a seed.

Names match the sex, villages are real, NIKs agree with birth date, sex and region, phones
are Indonesian mobiles written the ways clerks type them. Options plant cross-office duplicate
NIKs, family cards shared by several applicants, and invalid records whose expected error
codes are known. Tests, the demo and the benchmarks all use it.

``python -m common.synthetic --count N --seed S --format jsonl|csv --out FILE``

The output is deterministic for a seed and a calendar year (ages are drawn against 1 January
of ``--today``'s year, between 19 and 62, so a record stays valid all year).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from common import errors as E
from common.csvformat import COLUMNS, to_row
from common.enums import (
    CURRENT_CONSENT_VERSION,
    Disability,
    Education,
    EmploymentStatus,
    Sex,
    Skill,
)
from common.nik import make_nik
from common.protocol import PushRecord
from common.record import content_hash, new_registration_id
from common.regcode import make_code
from common.regions import Regions, regions

MALE = (
    "Agus Budi Dedi Eko Fajar Hendra Irfan Joko Kurniawan Lukman Muhammad Nanang Oki Putu "
    "Rahmat Slamet Teguh Wahyu Yusuf Zainal Andi Bayu Dimas Fikri Gilang Hadi Ilham Made "
    "Rizky Taufik Ujang Asep Dadang Komang Yohanes Arif Bambang Surya Hasan Ketut"
).split()
FEMALE = (
    "Ayu Dewi Fitri Indah Kartika Lestari Maya Nur Putri Ratna Sari Siti Tuti Wulan Yuni "
    "Anisa Bunga Citra Dian Eka Gita Hana Intan Kadek Lina Mega Novi Rina Sinta Tri Utami "
    "Wati Yanti Nyoman Maria Fatimah Aminah Rosa Ningsih Kurnia"
).split()
SECOND = (
    "Santoso Wijaya Saputra Hidayat Nugroho Pratama Setiawan Kusuma Siregar Nasution Lubis "
    "Harahap Simanjuntak Sitompul Tanjung Rangkuti Daulay Sembiring Ginting Tarigan Manurung "
    "Hutapea Pardede Sinaga Wibowo Susanto Gunawan Hakim Rahman Syahputra Permana Ramadhan "
    "Maharani Anggraini Rahmawati Puspita Handayani Wulandari Safitri Purnamasari"
).split()
STREETS = (
    "Merdeka Sudirman Diponegoro Gatot Subroto Ahmad Yani Pahlawan Kartini Imam Bonjol "
    "Veteran Melati Mawar Kenanga Flamboyan Cendana Raya Pasar Masjid Sekolah Pemuda"
).split()
MOTIVATIONS = (
    "Ingin meningkatkan keterampilan agar mudah mendapat pekerjaan.",
    "Ingin membuka usaha sendiri setelah terkena PHK.",
    "Ingin belajar pemasaran digital untuk usaha warung.",
    "Mencari sertifikat pelatihan untuk melamar kerja di pabrik.",
    "Ingin menambah penghasilan keluarga.",
)
_PHONE_PREFIXES = (
    "811",
    "812",
    "813",
    "821",
    "822",
    "852",
    "853",
    "817",
    "818",
    "819",
    "859",
    "877",
    "878",
    "857",
    "856",
    "895",
    "896",
    "897",
    "898",
    "881",
)


@dataclass(slots=True)
class Sample:
    """One generated applicant and what the generator knows about it."""

    applicant: dict[str, Any]  # raw input, as a form or CSV would give it
    office: int  # which simulated office registers it (0 .. offices-1)
    expected_errors: frozenset[str] = field(default_factory=frozenset)  # planted error codes
    duplicate_of: int | None = None  # index of the sample whose NIK it repeats
    same_kk_as: int | None = None  # index of the sample whose family card it shares


def _mutations() -> list[tuple[str, Callable[[dict[str, Any], random.Random, date], None]]]:
    def bad_nik_length(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["nik"] = a["nik"][:15]

    def serial_zero(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["nik"] = a["nik"][:12] + "0000"

    def sex_mismatch(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["sex"] = "P" if a["sex"] == "L" else "L"

    def birth_mismatch(a: dict[str, Any], r: random.Random, t: date) -> None:
        d = date.fromisoformat(a["birth_date"])
        a["birth_date"] = (d + timedelta(days=1 if d.day < 28 else -1)).isoformat()

    def phone(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["phone"] = "021-555" + str(r.randint(1000, 9999))

    def email(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["email"] = "tanpa-at.example.com"

    def name(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["full_name"] = a["full_name"] + " 2"

    def postal(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["postal_code"] = "123"

    def village(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["village_code"] = "99.99.99.9999"

    def rt(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["rt"] = "1234"

    def consent(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["consent_given"] = False

    def declaration(a: dict[str, Any], r: random.Random, t: date) -> None:
        a["declaration_not_excluded"] = False

    return [
        (E.NIK_FORMAT, bad_nik_length),
        (E.NIK_SERIAL_ZERO, serial_zero),
        (E.NIK_SEX_MISMATCH, sex_mismatch),
        (E.NIK_BIRTHDATE_MISMATCH, birth_mismatch),
        (E.PHONE_INVALID, phone),
        (E.EMAIL_INVALID, email),
        (E.NAME_CHARACTERS, name),
        (E.POSTAL_CODE_INVALID, postal),
        (E.VILLAGE_UNKNOWN, village),
        (E.RT_RW_INVALID, rt),
        (E.CONSENT_REQUIRED, consent),
        (E.DECLARATION_REQUIRED, declaration),
    ]


MUTATIONS = _mutations()


class Generator:
    def __init__(self, seed: int = 1, today: date | None = None, areas: Regions | None = None):
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.anchor = date(self.today.year, 1, 1)
        areas = areas or regions()
        self.villages = [
            v.code
            for p in areas.children("")
            for r in areas.children(p.code)
            for d in areas.children(r.code)
            for v in areas.children(d.code)
        ]
        self.regency_names = {
            r.code: r.name.replace("Kabupaten ", "").replace("Kota ", "")
            for p in areas.children("")
            for r in areas.children(p.code)
        }
        self._serial = 0

    def _phone(self) -> str:
        r = self.rng
        digits = r.choice(_PHONE_PREFIXES) + "".join(
            str(r.randint(0, 9)) for _ in range(r.choice((7, 8)))
        )
        style = r.random()
        if style < 0.5:
            return "0" + digits
        if style < 0.7:
            return f"0{digits[:3]}-{digits[3:7]}-{digits[7:]}"
        if style < 0.85:
            return "+62" + digits
        return "62 " + digits

    def applicant(self) -> dict[str, Any]:
        r = self.rng
        sex = r.choice((Sex.MALE, Sex.FEMALE))
        first = r.choice(MALE if sex is Sex.MALE else FEMALE)
        if r.random() < 0.1:
            full_name = first
        elif r.random() < 0.2:
            full_name = f"{first} {r.choice(MALE + FEMALE)} {r.choice(SECOND)}"
        else:
            full_name = f"{first} {r.choice(SECOND)}"
        age_days = r.randint(19 * 366, 62 * 365)
        birth = self.anchor - timedelta(days=age_days)
        village = r.choice(self.villages)
        district6 = village[:8].replace(".", "")
        self._serial = self._serial % 9999 + 1
        nik = make_nik(district6, birth, sex, r.randint(1, 9999))
        issue = self.anchor - timedelta(days=r.randint(30, 20 * 365))
        kk = f"{district6}{issue.day:02d}{issue.month:02d}{issue.year % 100:02d}{r.randint(1, 9999):04d}"
        consent_at = datetime.combine(self.anchor, time(8, 0), UTC) + timedelta(
            minutes=r.randint(0, 60 * 24 * 300)
        )
        applicant: dict[str, Any] = {
            "nik": nik,
            "kk_number": kk,
            "full_name": full_name,
            "birth_place": self.regency_names[village[:5]],
            "birth_date": birth.isoformat(),
            "sex": sex.value,
            "mother_maiden_name": r.choice(FEMALE) if r.random() < 0.7 else "",
            "phone": self._phone(),
            "email": f"{first.lower()}{r.randint(1, 999)}@example.id" if r.random() < 0.4 else "",
            "street": f"Jl. {r.choice(STREETS)} No. {r.randint(1, 200)}",
            "rt": str(r.randint(1, 20)).zfill(r.choice((1, 3))),
            "rw": str(r.randint(1, 15)).zfill(r.choice((1, 3))),
            "village_code": village,
            "postal_code": str(r.randint(10000, 99999)),
            "domicile_same": True,
            "education": r.choice(list(Education)).value,
            "employment_status": r.choice(list(EmploymentStatus)).value,
            "disability": Disability.NONE.value
            if r.random() < 0.9
            else r.choice(list(Disability)).value,
            "former_migrant_worker": r.random() < 0.05,
            "declaration_not_excluded": True,
            "motivation": r.choice(MOTIVATIONS),
            "skills": [s.value for s in r.sample(list(Skill), r.randint(1, 3))],
            "consent_given": True,
            "consent_version": CURRENT_CONSENT_VERSION,
            "consent_at": consent_at.isoformat().replace("+00:00", "Z"),
        }
        return applicant

    def samples(
        self,
        count: int,
        *,
        offices: int = 1,
        duplicate_share: float = 0.0,
        invalid_share: float = 0.0,
        family_share: float = 0.0,
    ) -> Iterator[Sample]:
        """``count`` samples; shares are probabilities per record (after the first)."""
        r = self.rng
        made: list[Sample] = []
        for _ in range(count):
            office = r.randrange(offices)
            roll = r.random()
            valid = [
                k for k in range(max(0, len(made) - 50), len(made)) if not made[k].expected_errors
            ]
            if valid and roll < duplicate_share:
                # the same person registering again, at another office where there is one
                j = r.choice(valid)
                src = made[j]
                a = dict(src.applicant)
                a["phone"] = self._phone()
                a["street"] = f"Jl. {r.choice(STREETS)} No. {r.randint(1, 200)}"
                if offices > 1:
                    office = (src.office + 1 + r.randrange(offices - 1)) % offices
                sample = Sample(a, office, duplicate_of=j)
            elif valid and roll < duplicate_share + family_share:
                j = r.choice(valid)
                a = self.applicant()
                a["kk_number"] = made[j].applicant["kk_number"]
                sample = Sample(a, office, same_kk_as=j)
            else:
                a = self.applicant()
                expected: frozenset[str] = frozenset()
                if r.random() < invalid_share:
                    code, mutate = r.choice(MUTATIONS)
                    mutate(a, r, self.today)
                    expected = frozenset({code})
                sample = Sample(a, office, expected)
            made.append(sample)
            yield sample


def generate(count: int, seed: int = 1, **options: Any) -> list[Sample]:
    """A list of ``count`` samples (see :meth:`Generator.samples` for options)."""
    today = options.pop("today", None)
    return list(Generator(seed, today).samples(count, **options))


def push_records(
    count: int, office_code: str, *, seed: int, today: date, channel: str = "counter"
) -> list[PushRecord]:
    """``count`` generated applicants as new records of device 1 of ``office_code``, as a
    push carries them (for benchmarks and tests of the wire and bundle formats)."""
    return [
        PushRecord(
            new_registration_id(),
            make_code(office_code, 1, i + 1),
            1,
            0,
            content_hash(s.applicant),
            s.applicant,
            "petugas",
            channel,
            f"{today.isoformat()}T09:00:00+07:00",
        )
        for i, s in enumerate(generate(count, seed=seed, today=today))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m common.synthetic", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument("--out", default="-", help="output file (default: standard output)")
    parser.add_argument("--offices", type=int, default=1)
    parser.add_argument("--duplicate-share", type=float, default=0.0)
    parser.add_argument("--invalid-share", type=float, default=0.0)
    parser.add_argument("--family-share", type=float, default=0.0)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    samples = Generator(args.seed, args.today).samples(
        args.count,
        offices=args.offices,
        duplicate_share=args.duplicate_share,
        invalid_share=args.invalid_share,
        family_share=args.family_share,
    )
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="", encoding="utf-8")
    try:
        if args.format == "csv":
            writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
            writer.writeheader()
            for s in samples:
                writer.writerow(to_row(s.applicant))
        else:
            for s in samples:
                line = {
                    "applicant": s.applicant,
                    "office": s.office,
                    "expected_errors": sorted(s.expected_errors),
                    "duplicate_of": s.duplicate_of,
                    "same_kk_as": s.same_kk_as,
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
