"""Hand-written bad input against the real server process.

Request-level garbage (malformed JSON, lying or unknown Content-Encoding, a compression bomb,
oversized bodies and batches, wrong types, unknown fields, bad cursors, bad credentials) gets
a 4xx whose body carries a code from common.errors, and the central database is unchanged
(a full dump of every table before and after).

Hostile text in every text field (10,000 characters, control and right-to-left characters,
SQL and HTML injection strings, a lone surrogate) inside an otherwise valid push: the request
never gets a 5xx. Each record is either refused (``invalid`` with catalog codes, and nothing of
it is stored) or, where the text is legitimate data for that field, stored byte for byte as
sent (nothing interpreted, no other table touched). The batch log (``batches``,
``batch_records``) and the device's last-push time are written for every answered push by
design, so those are left out of the comparison for record-level cases.
"""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import date
from typing import Any

import pytest
import requests
import zstandard

from common import errors as E
from common.protocol import MAX_BATCH_RECORDS, MAX_BODY_BYTES
from common.record import content_hash
from common.synthetic import Generator
from common.validation import check
from tests.badinput.conftest import Api, dump, dump_but_refusals

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"
ENROLL = "/api/v1/devices/enroll"
TODAY = date.today()
_people = Generator(seed=8080, today=TODAY)
#: Written for every answered push by design: the ingest log and the device's last contact.
BATCH_LOG = frozenset({"batches", "batch_records", "devices"})


def applicant() -> dict[str, Any]:
    result = check(_people.applicant(), TODAY)
    assert result.ok, result.problems
    return result.applicant.to_dict()


def record(app: dict[str, Any] | None = None, **over: Any) -> dict[str, Any]:
    app = app if app is not None else applicant()
    rec = {
        "id": str(uuid.uuid4()),
        "code": "320101-001-000001-J",  # a valid code of the device (device_no 1)
        "revision": 1,
        "base_revision": 0,
        "content_hash": _hash(app),
        "applicant": app,
        "operator": "petugas",
        "channel": "counter",
        "device_time": "2026-03-02T03:00:00Z",
    }
    rec.update(over)
    return rec


def _hash(app: dict[str, Any]) -> str:
    try:
        return content_hash(app)
    except UnicodeEncodeError:  # a lone surrogate cannot be hashed (nor stored): any hash will do
        return "0" * 32


def batch(api: Api, records: list[dict[str, Any]], **over: Any) -> dict[str, Any]:
    body = {
        "device_id": api.device_id,
        "office_code": api.office_code,
        "batch_id": str(uuid.uuid4()),
        "records": records,
    }
    body.update(over)
    return body


def raw_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=True).encode()  # ASCII escapes: even a lone surrogate


def post(
    api: Api, path: str, body: bytes | Any, headers: dict[str, str] | None = None, auth: bool = True
) -> requests.Response:
    data = (
        body
        if isinstance(body, (bytes, bytearray)) or hasattr(body, "__next__")
        else raw_json(body)
    )
    hdrs = {"Content-Type": "application/json", **(api.auth if auth else {}), **(headers or {})}
    return requests.post(api.url + path, data=data, headers=hdrs, timeout=60)


def assert_refused(r: requests.Response) -> str:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    body = r.json()
    assert body["code"] in E.CATALOG, body
    assert set(body) == {"code", "message", "details"}
    return str(body["code"])


# --- request-level garbage: 4xx with a catalog code, database unchanged --------------------
def _bomb(encoding: str, size: int = 64 * 1024 * 1024) -> bytes:
    zeros = b"[" + b" " * (size - 2) + b"]"
    if encoding == "gzip":
        return gzip.compress(zeros, compresslevel=9)
    return zstandard.ZstdCompressor(level=19).compress(zeros)


def _deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


REQUEST_CASES: list[tuple[str, str, Any, dict[str, str], set[str]]] = [
    # (name, path, body (bytes, or data to JSON-encode, or a callable of api), headers, codes)
    ("malformed json", PUSH, b'{"device_id": "x", "records": [', {}, {E.MALFORMED_JSON}),
    ("not utf-8", PUSH, b"\xff\xfe\x00{\x00}", {}, {E.MALFORMED_JSON}),
    ("empty body", PUSH, b"", {}, {E.MALFORMED_JSON}),
    ("json null", PUSH, b"null", {}, {E.SCHEMA_VIOLATION}),
    ("json array", PUSH, b"[1, 2, 3]", {}, {E.SCHEMA_VIOLATION}),
    ("nesting 100k deep", PUSH, _deep(100_000), {}, {E.MALFORMED_JSON, E.SCHEMA_VIOLATION}),
    ("NaN", PUSH, b'{"device_id": NaN}', {}, {E.MALFORMED_JSON, E.SCHEMA_VIOLATION}),
    (
        "says gzip, is plain",
        PUSH,
        lambda api: raw_json(batch(api, [record()])),
        {"Content-Encoding": "gzip"},
        {E.UNSUPPORTED_ENCODING},
    ),
    (
        "says zstd, is gzip",
        PUSH,
        lambda api: gzip.compress(raw_json(batch(api, [record()]))),
        {"Content-Encoding": "zstd"},
        {E.UNSUPPORTED_ENCODING},
    ),
    (
        "unknown encoding",
        PUSH,
        lambda api: raw_json(batch(api, [record()])),
        {"Content-Encoding": "br"},
        {E.UNSUPPORTED_ENCODING},
    ),
    (
        "stacked encodings",
        PUSH,
        lambda api: gzip.compress(raw_json(batch(api, [record()]))),
        {"Content-Encoding": "gzip, zstd"},
        {E.UNSUPPORTED_ENCODING},
    ),
    (
        "truncated zstd",
        PUSH,
        lambda api: zstandard.ZstdCompressor().compress(raw_json(batch(api, [record()])))[:-9],
        {"Content-Encoding": "zstd"},
        {E.UNSUPPORTED_ENCODING, E.MALFORMED_JSON},
    ),
    ("zstd bomb", PUSH, _bomb("zstd"), {"Content-Encoding": "zstd"}, {E.BODY_TOO_LARGE}),
    ("gzip bomb", PUSH, _bomb("gzip"), {"Content-Encoding": "gzip"}, {E.BODY_TOO_LARGE}),
    ("oversized body", PUSH, b" " * (MAX_BODY_BYTES + 10), {}, {E.BODY_TOO_LARGE}),
    (
        "oversized body, chunked",
        PUSH,
        lambda api: iter([b" " * (1 << 20)] * 10),
        {},
        {E.BODY_TOO_LARGE, E.MALFORMED_JSON},
    ),
    (
        "oversized batch",
        PUSH,
        lambda api: batch(
            api, [record(applicant={"nik": str(i)}) for i in range(MAX_BATCH_RECORDS + 1)]
        ),
        {},
        {E.BATCH_TOO_LARGE},
    ),
    ("records not a list", PUSH, lambda api: batch(api, "semua"), {}, {E.SCHEMA_VIOLATION}),
    (
        "revision as text",
        PUSH,
        lambda api: batch(api, [record(revision="1")]),
        {},
        {E.SCHEMA_VIOLATION},
    ),
    (
        "revision as bool",
        PUSH,
        lambda api: batch(api, [record(revision=True)]),
        {},
        {E.SCHEMA_VIOLATION},
    ),
    (
        "applicant a list",
        PUSH,
        lambda api: batch(api, [record(applicant=[])]),
        {},
        {E.SCHEMA_VIOLATION},
    ),
    (
        "batch_id a number",
        PUSH,
        lambda api: batch(api, [record()], batch_id=5),
        {},
        {E.SCHEMA_VIOLATION},
    ),
    (
        "batch_id empty",
        PUSH,
        lambda api: batch(api, [record()], batch_id=""),
        {},
        {E.SCHEMA_VIOLATION},
    ),
    (
        "batch_id 10k",
        PUSH,
        lambda api: batch(api, [record()], batch_id="b" * 10_000),
        {},
        {E.SCHEMA_VIOLATION},
    ),
    (
        "unknown top-level field",
        PUSH,
        lambda api: batch(api, [record()], admin=True),
        {},
        {E.UNKNOWN_FIELD},
    ),
    (
        "unknown record field",
        PUSH,
        lambda api: batch(api, [record(status="verified")]),
        {},
        {E.UNKNOWN_FIELD},
    ),
    (
        "missing field",
        PUSH,
        lambda api: {k: v for k, v in batch(api, [record()]).items() if k != "batch_id"},
        {},
        {E.SCHEMA_VIOLATION},
    ),
    (
        "another device's id",
        PUSH,
        lambda api: batch(api, [record()], device_id=str(uuid.uuid4())),
        {},
        {E.DEVICE_MISMATCH},
    ),
    (
        "another office",
        PUSH,
        lambda api: batch(api, [record()], office_code="320102"),
        {},
        {E.DEVICE_MISMATCH},
    ),
    ("enroll: malformed", ENROLL, b"{code", {}, {E.MALFORMED_JSON}),
    ("enroll: wrong type", ENROLL, {"code": 12345}, {}, {E.SCHEMA_VIOLATION}),
    (
        "enroll: injection code",
        ENROLL,
        {"code": "' OR 1=1 --", "device_name": "<script>alert(1)</script>"},
        {},
        {E.ENROLL_CODE_INVALID},
    ),
    (
        "enroll: NUL and 10k name",
        ENROLL,
        {"code": "AAAA-BBBB\x00", "device_name": "\x00" * 10_000},
        {},
        {E.ENROLL_CODE_INVALID, E.SCHEMA_VIOLATION, E.BODY_TOO_LARGE},
    ),
    (
        "enroll: unknown field",
        ENROLL,
        {"code": "AAAA", "office_code": "320101"},
        {},
        {E.UNKNOWN_FIELD},
    ),
]


@pytest.mark.parametrize(
    "name, path, body, headers, codes", REQUEST_CASES, ids=[c[0] for c in REQUEST_CASES]
)
def test_request_level_garbage_is_refused_and_changes_nothing(
    api: Api, name, path, body, headers, codes
) -> None:
    before = dump_but_refusals(api.central.url)
    r = post(api, path, body(api) if callable(body) else body, headers)
    assert assert_refused(r) in codes
    assert dump_but_refusals(api.central.url) == before


PULL_CASES = [
    "cursor=-1",
    "cursor=abc",
    "cursor=%C2%B2",
    "cursor=99999999999999999999",
    "cursor=9999999999999999999",
    "cursor=' OR 1=1 --",
    "limit=0",
    "limit=1001",
    "limit=-5",
    "limit=%C2%B2",
    "limit=",
    "limit=1e3",
    "cursor=0&admin=1",
]


@pytest.mark.parametrize("query", PULL_CASES)
def test_bad_pull_arguments_are_refused(api: Api, query: str) -> None:
    before = dump(api.central.url, skip=frozenset({"devices"}))
    r = requests.get(f"{api.url}{PULL}?{query}", headers=api.auth, timeout=30)
    assert assert_refused(r) in {E.CURSOR_INVALID, E.SCHEMA_VIOLATION, E.UNKNOWN_FIELD}
    assert dump(api.central.url, skip=frozenset({"devices"})) == before


AUTH_CASES = [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Bearer x",
    "Bearer a.b",
    "Basic YWRtaW46YWRtaW4=",
    "Bearer " + "a" * 6_000 + ".b",
    "Bearer ' OR 1=1 --.x",
    "Bearer \t.\t",
]


@pytest.mark.parametrize("header", AUTH_CASES, ids=range(len(AUTH_CASES)))
def test_bad_credentials_are_refused(api: Api, header: str | None) -> None:
    before = dump(api.central.url)
    hdrs = {} if header is None else {"Authorization": header}
    r = requests.get(f"{api.url}{PULL}", headers=hdrs, timeout=30)
    assert assert_refused(r) in {E.AUTH_REQUIRED, E.AUTH_INVALID}
    r = post(api, PUSH, batch(api, [record()]), hdrs, auth=False)
    assert assert_refused(r) in {E.AUTH_REQUIRED, E.AUTH_INVALID}
    assert dump(api.central.url) == before


@pytest.mark.parametrize("name", ["Laptop\x00Lapangan", "Laptop\u202eLapangan\x1b[0m"])
def test_enrolment_with_a_good_code_and_a_control_character_name(pg_api: Api, name: str) -> None:
    (code,) = pg_api.central.enrollment_codes("320101", 1)
    before = dump_but_refusals(pg_api.central.url)
    r = post(pg_api, ENROLL, {"code": code, "device_name": name}, auth=False)
    assert assert_refused(r) == E.SCHEMA_VIOLATION
    assert dump_but_refusals(pg_api.central.url) == before


def test_wrong_method_and_unknown_path(api: Api) -> None:
    assert (
        assert_refused(requests.put(api.url + PUSH, headers=api.auth, timeout=30))
        == E.METHOD_NOT_ALLOWED
    )
    assert (
        assert_refused(requests.get(api.url + "/api/v1/nope", headers=api.auth, timeout=30))
        == E.NOT_FOUND
    )


# --- hostile text in every text field ------------------------------------------------------
HOSTILE = {
    "sql": "Robert'); DROP TABLE registrations;--",
    "sql2": "' OR '1'='1' --",
    "html": "<script>alert(1)</script>",
    "html2": '"><img src=x onerror=alert(1)>',
    "template": "{{7*7}}${7*7}",
    "nul": "Budi\x00Santoso",
    "escape": "\x1b[31mmerah\x1b[0m",
    "newline": "Budi\r\nSantoso",
    "rtl": "Budi \u202eotnaS",
    "hebrew": "\u05e9\u05dc\u05d5\u05dd",
    "zero-width": "Bu\u200bdi",
    "surrogate": "Budi\ud800",
    "10k": "A" * 10_000,
}
APPLICANT_TEXT = [
    "nik",
    "kk_number",
    "full_name",
    "birth_place",
    "mother_maiden_name",
    "phone",
    "email",
    "street",
    "rt",
    "rw",
    "village_code",
    "postal_code",
    "domicile_street",
    "motivation",
    "consent_version",
]
PROTOCOL_TEXT = ["id", "code", "operator", "channel", "device_time", "content_hash"]


def _hostile_cases() -> list[tuple[str, str, str]]:
    return [
        (where, field, kind)
        for where, names in (("applicant", APPLICANT_TEXT), ("record", PROTOCOL_TEXT))
        for field in names
        for kind in HOSTILE
    ]


@pytest.mark.parametrize("where, field, kind", _hostile_cases(), ids=lambda v: str(v))
def test_hostile_text_is_refused_or_stored_verbatim(
    api: Api, where: str, field: str, kind: str
) -> None:
    _hostile(api, where, field, kind)


PG_KINDS = ("sql", "nul", "surrogate")


@pytest.mark.parametrize(
    "where, field, kind", [c for c in _hostile_cases() if c[2] in PG_KINDS], ids=lambda v: str(v)
)
def test_hostile_text_on_postgresql(pg_api: Api, where: str, field: str, kind: str) -> None:
    _hostile(pg_api, where, field, kind)


def _hostile(api: Api, where: str, field: str, kind: str) -> None:
    value = HOSTILE[kind]
    app = applicant()
    if where == "applicant":
        app[field] = value
        rec = record(app)
    else:
        rec = record(app, **{field: value})
    before = dump(api.central.url, skip=BATCH_LOG)
    r = post(api, PUSH, batch(api, [rec]))
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert_refused(r)
        assert dump(api.central.url, skip=BATCH_LOG) == before
        return
    (result,) = r.json()["results"]
    if result["outcome"] == "invalid":
        assert result["errors"] and set(result["errors"]) <= set(E.CATALOG), result
        assert dump(api.central.url, skip=BATCH_LOG) == before
        return
    assert result["outcome"] in {"accepted", "duplicate_nik", "kk_limit"}, result
    stored = api.central.rows(
        "SELECT applicant, operator, code, channel FROM registrations WHERE id = :id", id=rec["id"]
    )
    assert len(stored) == 1
    got_app = stored[0][0] if isinstance(stored[0][0], dict) else json.loads(stored[0][0])
    assert got_app == app  # byte for byte: nothing interpreted or cut
    assert (stored[0][1], stored[0][2], stored[0][3]) == (
        rec["operator"],
        rec["code"],
        rec["channel"],
    )
    after = dump(api.central.url, skip=BATCH_LOG)
    assert set(after) == set(before)  # no table dropped or added


def test_a_header_over_the_http_servers_limit_gets_a_4xx(api: Api) -> None:
    """gunicorn answers a header field over 8,190 bytes itself (400, not JSON): still a 4xx."""
    r = requests.get(
        f"{api.url}{PULL}", headers={"Authorization": "Bearer " + "a" * 10_000 + ".b"}, timeout=30
    )
    assert 400 <= r.status_code < 500


def test_a_good_batch_sent_chunked_is_accepted(api: Api) -> None:
    """No Content-Length (Transfer-Encoding: chunked), through the real gunicorn server: the
    body reaches the app whole and the batch is ingested like any other."""
    body = zstandard.ZstdCompressor().compress(raw_json(batch(api, [record(), record()])))
    chunks = iter([body[:40], body[40:100], body[100:]])
    r = post(api, PUSH, chunks, {"Content-Encoding": "zstd"})
    assert r.status_code == 200, r.text[:300]
    assert [x["outcome"] for x in r.json()["results"]] == ["accepted", "accepted"]
