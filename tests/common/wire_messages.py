"""Representative protocol messages, built deterministically (no synthetic data, no region
tables: only this file decides their content), for the byte-for-byte test of the wire
encoding (tests/common/test_wire_bytes.py) and the benchmark of it (bench/wire_encoding.py).

The expected bytes in tests/common/data/wire/ were written by the hand-written encoder this
project used before orjson serialised the dataclasses directly (``common.protocol.encode``
and ``syncserver.ingest.response_dict``, removed in issue 15); they must not change.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from common.enums import Status
from common.protocol import (
    Backlog,
    Change,
    ChangeKind,
    EnrollRequest,
    EnrollResponse,
    NikCheckRequest,
    NikCheckResponse,
    NikMatch,
    Outcome,
    PullResponse,
    PushRecord,
    PushRequest,
    PushResponse,
    RecordResult,
)

_GIVEN = [
    "Siti",
    "Dewi",
    "Budi",
    "Agus",
    "Ni Made",
    "I Gusti",
    "Ṡaputra",
    "Nur'aini",
    "Ömer",
    "Yosé",
]
_FAMILY = ["Rahayu", "Santoso", "Wijaya", "Hasibuan", "Sitompul", "Pratama", "Lestari", "Çelik"]
_STREETS = [
    "Jl. Merdeka No. 7",
    "Gg. Mawar 3 RT 02/RW 05",
    "Jl. Diponegoro 12 — blok C",
    "Perum 🏠 Indah",
]


def applicant(rng: random.Random, i: int) -> dict[str, Any]:
    """A registration's applicant object as the desktop sends it (a flat object of texts,
    with None and empty fields, non-ASCII letters and a few non-text values)."""
    name = f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
    return {
        "nik": f"3201{rng.randrange(10**11, 10**12)}",
        "kk_number": f"3201{rng.randrange(10**11, 10**12)}",
        "full_name": name,
        "birth_place": rng.choice(["Bogor", "Denpasar", "Medan", "Yogyakarta"]),
        "birth_date": f"{rng.randint(1970, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "gender": rng.choice(["L", "P"]),
        "address": rng.choice(_STREETS),
        "village_code": "3201012001",
        "phone": rng.choice(["0812" + str(rng.randrange(10**7, 10**8)), "", None]),
        "email": None if i % 3 else f"user{i}@contoh.id",
        "education": rng.choice(["SMA", "D3", "S1"]),
        "notes": "" if i % 5 else 'catatan: "kutip" \\ garis miring\ttab\nbaris',
        "disability": i % 7 == 0,
        "children": i % 4,
    }


def push_record(rng: random.Random, i: int, revision: int = 1) -> PushRecord:
    return PushRecord(
        id=f"0b6f3c1e-0000-4000-8000-{i:012d}",
        code=f"320101-001-{i:06d}-{'ABCDEFGHJK'[i % 10]}",
        revision=revision,
        base_revision=revision - 1,
        content_hash=f"{rng.getrandbits(128):032x}",
        applicant=applicant(rng, i),
        operator=rng.choice(["petugas", "dewi.r", "op_2"]),
        channel=rng.choice(["counter", "import"]),
        device_time=f"2026-01-05T09:{i // 60 % 60:02d}:{i % 60:02d}+07:00",
    )


def push_request(n: int = 500, backlog: Backlog | None = None, seed: int = 15) -> PushRequest:
    """A push batch of ``n`` records (500: the desktop's batch size)."""
    rng = random.Random(seed)
    records = [push_record(rng, i, revision=1 + (i % 11 == 0)) for i in range(n)]
    return PushRequest(
        "d7c0f1a2-3b4c-4d5e-8f60-0123456789ab",
        "320101",
        "5f0e6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
        records,
        backlog,
    )


_OUTCOMES: list[dict[str, Any]] = [
    {"outcome": Outcome.ACCEPTED, "status": Status.RECEIVED},
    {
        "outcome": Outcome.DUPLICATE_NIK,
        "status": Status.POTENTIAL_DUPLICATE,
        "duplicate_of": "320101-002-000017-C",
    },
    {
        "outcome": Outcome.KK_LIMIT,
        "status": Status.POTENTIAL_DUPLICATE,
        "duplicate_of": "320101-001-000003-D",
    },
    {"outcome": Outcome.INVALID, "errors": ["NIK_FORMAT", "BIRTH_DATE_FUTURE"]},
    {"outcome": Outcome.INVALID, "errors": ["REGISTRATION_CODE_UNENROLLED"]},
    {"outcome": Outcome.CONFLICT, "status": Status.VERIFIED, "server_revision": 3},
    {
        "outcome": Outcome.CONFLICT,
        "status": Status.RECEIVED,
        "server_revision": 2,
        "errors": ["REVISION_NOT_CONTIGUOUS"],
    },
    {"outcome": Outcome.CONFLICT},  # another office's record: nothing told
    {"outcome": Outcome.ALREADY_RECEIVED, "status": Status.RETURNED, "server_revision": 1},
]


def push_response(n: int = 500) -> PushResponse:
    """The server's answer to a batch, every kind of outcome (refusals with their codes)."""
    results = [
        RecordResult(
            f"0b6f3c1e-0000-4000-8000-{i:012d}", 1 + i % 3, **_OUTCOMES[i % len(_OUTCOMES)]
        )
        for i in range(n)
    ]
    return PushResponse(
        "5f0e6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d", results, "2026-01-05T02:03:04.567891Z"
    )


def pull_response() -> PullResponse:
    """A pull page with decisions, an operator account, a revision and a reference change
    (datetimes, a non-text key and nested values in its data)."""
    rng = random.Random(7)
    changes = [
        Change(
            101,
            ChangeKind.DECISION,
            "0b6f3c1e-0000-4000-8000-000000000001",
            1,
            Status.VERIFIED,
            decided_at="2026-01-06T03:00:00Z",
        ),
        Change(
            102,
            ChangeKind.DECISION,
            "0b6f3c1e-0000-4000-8000-000000000002",
            2,
            Status.REJECTED,
            reason="DOCUMENT_MISSING",
            decided_at="2026-01-06T03:00:01.5Z",
        ),
        Change(
            103,
            ChangeKind.DECISION,
            "0b6f3c1e-0000-4000-8000-000000000003",
            1,
            Status.RETURNED,
            note="Mohon periksa ejaan nama — “Ṡaputra”?",
            duplicate_of="320101-001-000009-E",
            decided_at="2026-01-06T03:00:02Z",
        ),
        Change(
            104,
            ChangeKind.OPERATOR,
            data={
                "username": "dewi.r",
                "full_name": "Dewi Rahayu Ñ",
                "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
                "active": True,
            },
        ),
        Change(
            105,
            ChangeKind.OPERATOR,
            data={"username": "op_2", "full_name": "", "password_hash": "", "active": False},
        ),
        Change(
            106,
            ChangeKind.REVISION,
            "0b6f3c1e-0000-4000-8000-000000000004",
            3,
            Status.POTENTIAL_DUPLICATE,
            duplicate_of=None,
            decided_at="2026-01-06T03:00:03Z",
            data={"applicant": applicant(rng, 4), "content_hash": "ab" * 16, "operator": "petugas"},
        ),
        Change(
            107,
            ChangeKind.REFERENCE,
            data={
                "consent_version": 4,
                "effective": datetime(2026, 2, 1, 0, 0, tzinfo=UTC),
                "local": datetime(2026, 2, 1, 7, 0, 0, 250000, tzinfo=timezone(timedelta(hours=7))),
                "naive": datetime(2026, 2, 1, 7, 0),
                12: "non-text key",
                "ratio": 0.25,
                "nested": {"list": [1, "dua", None, {"tiga": [3.5, False]}], "empty": {}},
            },
        ),
    ]
    return PullResponse(changes, "107", True)


def empty_pull_response() -> PullResponse:
    return PullResponse([], "0", False)


def enroll_request() -> EnrollRequest:
    return EnrollRequest("ABCD-EFGH-JKLM-NPQR", "Loket Désa Cibinong 1", "0.1.0")


def enroll_response() -> EnrollResponse:
    return EnrollResponse(
        "d7c0f1a2-3b4c-4d5e-8f60-0123456789ab",
        "d7c0f1a2-3b4c-4d5e-8f60-0123456789ab.c2VjcmV0LXNlY3JldC1zZWNyZXQ",
        "320101",
        "Kantor Cibinong — Bogor",
        3,
        "2026-01-05T02:03:04Z",
    )


def nik_check_request() -> NikCheckRequest:
    return NikCheckRequest("3201011234567890")


def nik_check_response() -> NikCheckResponse:
    return NikCheckResponse(
        [
            NikMatch(
                "0b6f3c1e-0000-4000-8000-000000000001", "320101-001-000001-B", Status.RECEIVED
            ),
            NikMatch(
                "0b6f3c1e-0000-4000-8000-000000000002", "320101-002-000007-K", Status.REJECTED
            ),
        ]
    )


def decision_change() -> Change:
    """A decision as the server stores it in the change feed (seq drawn on insert)."""
    return Change(
        0,
        ChangeKind.DECISION,
        "0b6f3c1e-0000-4000-8000-000000000003",
        2,
        Status.RETURNED,
        note="Foto KTP buram — ulangi",
        reason="",
        duplicate_of="320101-001-000009-E",
        decided_at="2026-01-06T03:00:02Z",
    )
