"""common/columns.py: a batch by columns turns back into exactly the batch by rows, for any
mix of applicant shapes (fields left out, fields in another order, values of every JSON
type), and an empty batch too."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common import columns, wire
from common.protocol import Backlog, PushRecord, PushRequest
from common.record import content_hash

KEYS = ["nik", "full_name", "email", "skills", "domicile_same", "rt", "note"]
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def applicants(draw: Any) -> dict[str, Any]:
    keys = draw(st.permutations(KEYS))[: draw(st.integers(0, len(KEYS)))]
    return {k: draw(VALUES) for k in keys}


@st.composite
def requests(draw: Any) -> PushRequest:
    records = [
        PushRecord(
            id=f"id-{i}",
            code=draw(st.text(max_size=5)),
            revision=draw(st.integers(1, 5)),
            base_revision=0,
            content_hash=content_hash(applicant),
            applicant=applicant,
            operator=draw(st.sampled_from(["petugas", "budi"])),
            channel="counter",
            device_time="2026-12-03T06:00:00Z",
        )
        for i, applicant in enumerate(draw(st.lists(applicants(), max_size=30)))
    ]
    backlog = draw(st.none() | st.builds(Backlog, st.integers(0, 9), st.integers(0, 99)))
    return PushRequest("device", "320101", "batch", records, backlog)


@settings(max_examples=200, deadline=None)
@given(requests())
def test_columns_turn_back_into_the_same_rows(request: PushRequest) -> None:
    by_columns = wire.loads(wire.dumps(columns.to_columns(request)))
    assert columns.is_columns(by_columns)
    assert columns.to_rows(by_columns) == wire.loads(wire.push_body(request))


OUTCOMES = st.sampled_from(["accepted", "duplicate_nik", "invalid", "conflict", "already_received"])


@settings(max_examples=200, deadline=None)
@given(requests(), st.data())
def test_an_answer_by_columns_turns_back_into_the_same_answer(
    request: PushRequest, data: st.DataObject
) -> None:
    results = [
        {
            "id": r.id,
            "revision": r.revision,
            "outcome": data.draw(OUTCOMES),
            "status": data.draw(st.sampled_from([None, "received", "potential_duplicate"])),
            "errors": data.draw(st.lists(st.sampled_from(["NIK_INVALID", "REQUIRED"]), max_size=2)),
            "duplicate_of": data.draw(st.none() | st.text(max_size=8)),
            "server_revision": data.draw(st.none() | st.integers(1, 9)),
        }
        for r in request.records
    ]
    answer = {"batch_id": "batch", "results": results, "server_time": "2026-12-03T06:00:00Z"}
    by_columns = wire.loads(wire.dumps(columns.answer_to_columns(answer)))
    assert columns.is_answer_columns(by_columns)
    back = columns.answer_to_rows(by_columns, request)
    # fields left empty come back absent: the decoder's defaults
    expected = [
        {k: v for k, v in r.items() if v not in (None, []) or k in ("status",)} for r in results
    ]
    assert back["results"] == expected
    assert {k: back[k] for k in ("batch_id", "server_time")} == {
        "batch_id": "batch",
        "server_time": "2026-12-03T06:00:00Z",
    }


def test_a_hash_that_does_not_match_stays_one_that_does_not() -> None:
    """By columns a record carries its hash's first digits; the server puts the whole hash
    back when they match, and one that cannot match when they do not (the record is then
    answered CONTENT_HASH_MISMATCH, as by rows)."""
    applicant = {"nik": "3201011203900001", "full_name": "Budi"}
    right = content_hash(applicant)
    for sent in (right, "f" * 32, right[:8] + "0" * 24):
        record = PushRecord("id", "c", 1, 0, sent, applicant, "petugas", "counter", "t")
        request = PushRequest("device", "320101", "batch", [record], None)
        back = columns.to_rows(wire.loads(wire.dumps(columns.to_columns(request))))
        got = back["records"][0]["content_hash"]
        assert (got == right) == (sent[:8] == right[:8]) and len(got) == 32


def test_an_answer_that_does_not_fit_the_request_is_not_taken() -> None:
    request = PushRequest("device", "320101", "batch", [], None)
    answer = {"format": "columns-1", "columns": {"outcome": ["accepted"], "status": [None]}}
    with pytest.raises(ValueError):
        columns.answer_to_rows(answer, request)
