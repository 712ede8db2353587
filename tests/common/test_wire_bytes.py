"""The wire bytes do not change: orjson serialising the protocol dataclasses directly gives
byte for byte what the hand-written encoders gave (issue 15). The expected bytes in
tests/common/data/wire/ were written by those encoders (``common.protocol.encode`` and
``syncserver.ingest.response_dict``, commit 33661d3) before they were removed; the 500-record
messages are kept as their SHA-256 and length. A change of any byte of any of these messages
is a protocol change: it fails here."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from common import wire
from common.protocol import Backlog, Change, PullResponse, PushRequest, PushResponse, decode
from tests.common import wire_messages as M

DATA = Path(__file__).parent / "data" / "wire"

#: name -> the bytes the code sends now, on the path it sends them: the client's push body
#: (``wire.push_body``, desktop/sync/client.py), every other message through ``wire.dumps``
#: (the client's NIK-check request, the server's answers in syncserver/api/ and
#: syncserver/ingest.py), or ``wire.dumps_leaving_out`` where a field added later is left
#: out while empty (enrollment's bundle keys, a pull's ``bundle_keys`` and
#: ``client_versions``, as syncserver/api/sync.py leaves them out).
PULL_OPTIONAL = ("bundle_keys", "client_versions")
CASES: dict[str, Callable[[], bytes]] = {
    "push_request_500": lambda: wire.push_body(M.push_request(500)),
    "push_request_small": lambda: wire.push_body(M.push_request(3)),
    "push_request_backlog": lambda: wire.push_body(M.push_request(3, Backlog(1234, 86_400))),
    "push_response_500": lambda: wire.dumps(M.push_response(500)),
    "push_response": lambda: wire.dumps(M.push_response(9)),
    "pull_response": lambda: wire.dumps_leaving_out(M.pull_response(), *PULL_OPTIONAL),
    "pull_response_empty": lambda: wire.dumps_leaving_out(M.empty_pull_response(), *PULL_OPTIONAL),
    "enroll_request": lambda: wire.dumps_leaving_out(
        M.enroll_request(), "device_key", "credential_secret"
    ),
    "enroll_response": lambda: wire.dumps_leaving_out(M.enroll_response(), "bundle_keys"),
    "nik_check_request": lambda: wire.dumps(M.nik_check_request()),
    "nik_check_response": lambda: wire.dumps(M.nik_check_response()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_wire_bytes_are_those_of_the_hand_written_encoder(name: str) -> None:
    body = CASES[name]()
    full = DATA / f"{name}.json"
    if full.exists():
        assert body == full.read_bytes()
    else:
        digest, size = (DATA / f"{name}.sha256").read_text().split()
        assert (hashlib.sha256(body).hexdigest(), len(body)) == (digest, int(size))


def test_every_fixture_is_checked() -> None:
    assert {p.stem for p in DATA.iterdir()} == set(CASES) | {"decision_payload"}


def test_a_decision_is_stored_in_the_feed_as_before() -> None:
    """The change feed's payload of a decision (the message without its seq), as stored."""
    from syncserver.db import _json_dumps
    from syncserver.queries.changes import payload

    stored = _json_dumps(payload(M.decision_change())).encode()
    assert stored == (DATA / "decision_payload.json").read_bytes()
    # and what the pull makes of it is the change itself
    assert decode(Change, {**wire.loads(stored), "seq": 0}) == M.decision_change()


def test_the_messages_decode_back() -> None:
    """What is sent is what a strict decoder reads (nothing lost on the way out)."""
    request = M.push_request(20, Backlog(5, 60))
    assert decode(PushRequest, wire.loads(wire.push_body(request))) == request
    answer = M.push_response(20)
    assert decode(PushResponse, wire.loads(wire.dumps(answer))) == answer
    page = M.empty_pull_response()
    assert decode(PullResponse, wire.loads(wire.dumps(page))) == page
