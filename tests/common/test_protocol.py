from __future__ import annotations

import gzip

import pytest
import zstandard

from common import errors as E
from common import wire
from common.errors import ApiError
from common.protocol import (
    Outcome,
    PushRecord,
    PushRequest,
    PushResponse,
    RecordResult,
    decode,
)


def _push() -> dict:
    return {
        "device_id": "d1",
        "office_code": "320101",
        "batch_id": "b1",
        "records": [
            {
                "id": "r1",
                "code": "320101-001-000001-X",
                "revision": 1,
                "base_revision": 0,
                "content_hash": "00",
                "applicant": {"nik": "1"},
                "operator": "op",
                "channel": "counter",
                "device_time": "2026-01-01T00:00:00Z",
            }
        ],
    }


def test_round_trip() -> None:
    msg = decode(PushRequest, _push())
    assert isinstance(msg.records[0], PushRecord) and msg.records[0].revision == 1
    assert wire.loads(wire.dumps(msg)) == {**_push(), "backlog": None}  # an old client's push
    assert wire.loads(wire.push_body(msg)) == _push()  # sent without the backlog field
    with_backlog = {**_push(), "backlog": {"unsent": 3, "oldest_age_s": 120}}
    assert wire.loads(wire.dumps(decode(PushRequest, with_backlog))) == with_backlog
    assert wire.loads(wire.push_body(decode(PushRequest, with_backlog))) == with_backlog
    resp = PushResponse("b1", [RecordResult("r1", 1, Outcome.INVALID, errors=["NIK_FORMAT"])], "t")
    assert decode(PushResponse, wire.loads(wire.dumps(resp))) == resp


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d.update(extra=1), E.UNKNOWN_FIELD),
        (lambda d: d["records"][0].update(hacked=True), E.UNKNOWN_FIELD),
        (lambda d: d.pop("batch_id"), E.SCHEMA_VIOLATION),
        (lambda d: d["records"][0].update(revision="1"), E.SCHEMA_VIOLATION),
        (lambda d: d["records"][0].update(revision=True), E.SCHEMA_VIOLATION),
        (lambda d: d.update(records={}), E.SCHEMA_VIOLATION),
        (lambda d: d["records"][0].update(applicant=[]), E.SCHEMA_VIOLATION),
    ],
)
def test_strict_decoding(mutate, code: str) -> None:
    data = _push()
    mutate(data)
    with pytest.raises(ApiError) as info:
        decode(PushRequest, data)
    assert info.value.code == code


def test_wire_round_trip_both_encodings() -> None:
    body = wire.dumps(_push())
    for enc in ("zstd", "gzip", "identity"):
        assert wire.loads(wire.decompress(wire.compress(body, enc), enc)) == _push()


def test_compression_bomb_and_lies_refused() -> None:
    bomb = zstandard.ZstdCompressor().compress(b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ApiError) as info:
        wire.decompress(bomb, "zstd", limit=1024 * 1024)
    assert info.value.code == E.BODY_TOO_LARGE
    with pytest.raises(ApiError) as info:
        wire.decompress(gzip.compress(b"{}"), "zstd")  # says zstd, is gzip
    assert info.value.code == E.UNSUPPORTED_ENCODING
    with pytest.raises(ApiError) as info:
        wire.decompress(b"{}", "br")
    assert info.value.code == E.UNSUPPORTED_ENCODING
    with pytest.raises(ApiError) as info:
        wire.loads(b"{not json")
    assert info.value.code == E.MALFORMED_JSON
