"""A push batch by columns (common/columns.py, issue 17), on both backends: the server takes
it exactly as the same batch by rows (same answer, same rows stored), says in its sync and
readiness answers that it takes columns, and refuses a body whose columns do not fit
together before anything is stored."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from common import columns, wire
from common import errors as E
from common import protocol as P
from common.record import content_hash
from tests.syncserver.conftest import Api, dump_tables


def _columns_body(api: Api, dev: Any, records: list[P.PushRecord]) -> dict[str, Any]:
    req = P.PushRequest(dev.id, dev.office_code, "batch-c", records)
    data: dict[str, Any] = wire.loads(wire.dumps(columns.to_columns(req)))
    return data


def _push_columns(api: Api, dev: Any, records: list[P.PushRecord], body: dict[str, Any]) -> Any:
    r = api.push_raw(dev, wire.compress(wire.dumps(body)))
    payload = wire.loads(wire.decompress(r.data, r.headers.get("Content-Encoding")))
    return r.status_code, payload


def test_a_batch_by_columns_is_taken_as_the_same_batch_by_rows(api: Api, people: list) -> None:
    dev = api.enroll()
    records = [api.record(p, dev) for p in people[:40]]
    # applicants of different shapes: an optional field left out of some, the fields of
    # others in another order
    for r in records[::3]:
        r.applicant = {k: v for k, v in r.applicant.items() if k != "email"}
        r.content_hash = content_hash(r.applicant)
    for r in records[1::3]:
        r.applicant = dict(reversed(r.applicant.items()))
    records[5].applicant = {**records[5].applicant, "nik": "12"}  # one invalid: errors listed
    records[5].content_hash = content_hash(records[5].applicant)
    records[7].content_hash = "0" * 32  # by columns it goes as its first 8 digits
    body = _columns_body(api, dev, records)
    assert len(body["columns"]["applicant"]["shapes"]) == 3
    status, answer = _push_columns(api, dev, records, body)
    assert status == 200, answer
    # the answer by columns: no ids, no revisions, the rare fields as [index, value]
    assert columns.is_answer_columns(answer) and "id" not in str(answer["columns"].keys())
    request = P.PushRequest(dev.id, dev.office_code, "batch-c", records)
    by_columns = P.decode(P.PushResponse, columns.answer_to_rows(answer, request))
    outcomes = [r.outcome.value for r in by_columns.results]
    assert outcomes == ["accepted"] * 5 + ["invalid", "accepted", "invalid"] + ["accepted"] * 32
    assert by_columns.results[7].errors == [E.CONTENT_HASH_MISMATCH]
    assert by_columns.results[5].errors and [r.id for r in by_columns.results] == [
        r.id for r in records
    ]
    stored = api.sql("SELECT id, content_hash FROM registrations ORDER BY id")
    assert stored == sorted(
        (r.id, r.content_hash) for i, r in enumerate(records) if i not in (5, 7)
    )
    # the same batch again, by rows, is the same batch: answered the same way, nothing new
    before = dump_tables(api.ext.engine)
    again = api.push(dev, records, batch_id="batch-c")
    assert again.response is not None and again.response.results == by_columns.results
    assert dump_tables(api.ext.engine) == before


def test_the_server_says_it_takes_columns(api: Api) -> None:
    dev = api.enroll()
    pulled = api.client.get("/api/v1/sync/pull", headers=dev.headers)
    ready = api.client.get("/readyz")
    refused = api.client.get("/api/v1/sync/pull")  # an error answer says it too
    api.office()
    enrolled = api.client.post("/api/v1/devices/enroll", json={"code": api.enroll_code("320101")})
    assert enrolled.status_code == 200
    for answer in (pulled, ready, refused, enrolled):
        assert answer.headers[columns.FORMATS_HEADER] == "rows, columns-1"


def _broken(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    cases = []

    def case(name: str, change: Any) -> None:
        b = copy.deepcopy(body)
        change(b)
        cases.append((name, b))

    cols = "columns"
    case("a column one short", lambda b: b[cols]["code"].pop())
    case("a column missing", lambda b: b[cols].pop("channel"))
    case("an extra column", lambda b: b[cols].update(extra=[1] * 5))
    case("a column not a list", lambda b: b[cols].update(operator="petugas"))
    case("no format", lambda b: b.pop("format"))
    case("another format", lambda b: b.update(format="columns-9"))
    case("a shape index out of range", lambda b: b[cols]["applicant"]["shape"].__setitem__(0, 7))
    case("a shape index not a number", lambda b: b[cols]["applicant"]["shape"].__setitem__(0, "0"))
    case("one shape too few", lambda b: b[cols]["applicant"]["shape"].pop())
    case("values left over", lambda b: b[cols]["applicant"]["values"]["nik"].append("x"))
    case("values too few", lambda b: b[cols]["applicant"]["values"]["nik"].pop())
    case("a field repeated in a shape", lambda b: b[cols]["applicant"]["shapes"][0].append("nik"))
    case("values of no shape", lambda b: b[cols]["applicant"]["values"].update(x=[1]))
    case("applicant part missing", lambda b: b[cols]["applicant"].pop("values"))
    case("records as well", lambda b: b.update(records=[]))
    return cases


def test_columns_that_do_not_fit_together_are_refused_and_nothing_is_stored(
    api: Api, people: list
) -> None:
    dev = api.enroll()
    records = [api.record(p, dev) for p in people[:5]]
    body = _columns_body(api, dev, records)
    before = dump_tables(api.ext.engine)
    for name, broken in _broken(body):
        status, answer = _push_columns(api, dev, records, broken)
        assert (status, answer["code"]) == (400, E.SCHEMA_VIOLATION), name
    assert dump_tables(api.ext.engine) == before


@pytest.mark.parametrize("n", [P.MAX_BATCH_RECORDS + 1])
def test_too_many_records_by_columns_is_batch_too_large(api: Api, people: list, n: int) -> None:
    dev = api.enroll()
    records = [api.record(people[i % len(people)], dev) for i in range(n)]
    status, answer = _push_columns(api, dev, records, _columns_body(api, dev, records))
    assert (status, answer["code"]) == (413, E.BATCH_TOO_LARGE)
