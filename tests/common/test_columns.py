"""common/columns.py: a batch by columns turns back into exactly the batch by rows, for any
mix of applicant shapes (fields left out, fields in another order, values of every JSON
type), and an empty batch too."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from common import columns, wire
from common.protocol import Backlog, PushRecord, PushRequest

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
            content_hash="h" * 64,
            applicant=draw(applicants()),
            operator=draw(st.sampled_from(["petugas", "budi"])),
            channel="counter",
            device_time="2026-12-03T06:00:00Z",
        )
        for i in range(draw(st.integers(0, 30)))
    ]
    backlog = draw(st.none() | st.builds(Backlog, st.integers(0, 9), st.integers(0, 99)))
    return PushRequest("device", "320101", "batch", records, backlog)


@settings(max_examples=200, deadline=None)
@given(requests())
def test_columns_turn_back_into_the_same_rows(request: PushRequest) -> None:
    by_columns = wire.loads(wire.dumps(columns.to_columns(request)))
    assert columns.is_columns(by_columns)
    assert columns.to_rows(by_columns) == wire.loads(wire.push_body(request))
