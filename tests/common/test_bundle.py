"""The bundle file format (common/bundle.py): what it protects against, byte by byte.

Every refusal is a catalog code; nothing of a bundle is trusted before its signature checks;
a bundle opens only for its recipient, and only with the routing header it was sealed with.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from common import bundle as B
from common import errors as E
from common import protocol as P
from common import wire
from common.enums import Status
from common.errors import ApiError
from common.synthetic import push_records

OFFICE = "320101"
DEVICE = str(uuid.uuid4())
SERVER = B.KeyPair.generate()
LAPTOP = B.KeyPair.generate()
SERVER_KEYS, LAPTOP_KEYS = SERVER.public(), LAPTOP.public()
SECRET_NAME = "SITI AMINAH BINTI SUGIONO"


def _records_payload(n: int, bundle_id: str) -> bytes:
    records = push_records(n, OFFICE, seed=16, today=date(2026, 6, 1), channel="field")
    batches = [
        P.PushRequest(DEVICE, OFFICE, str(uuid.uuid4()), records[i : i + 500])
        for i in range(0, len(records), 500)
    ]
    manifest = P.RecordsManifest(
        bundle_id=bundle_id,
        device_id=DEVICE,
        office_code=OFFICE,
        seq=1,
        created_at="2026-06-01T02:00:00Z",
        cursor="0",
        record_count=n,
        batch_ids=[b.batch_id for b in batches],
        server_key=SERVER.public().key_id,
    )
    return wire.dumps(
        {"manifest": manifest, "batches": [wire.loads(wire.push_body(b)) for b in batches]}
    )


def _seal(
    payload: bytes,
    *,
    bundle_id: str = "",
    sender_id: str = DEVICE,
    office_code: str = OFFICE,
    sender: B.KeyPair = LAPTOP,
    recipient: B.PublicKeys = SERVER_KEYS,
    recipient_id: str = "server",
) -> bytes:
    return B.seal(
        B.Kind.RECORDS,
        payload,
        bundle_id=bundle_id or str(uuid.uuid4()),
        sender_id=sender_id,
        office_code=office_code,
        sender=sender,
        recipient=recipient,
        recipient_id=recipient_id,
    )


PAYLOAD = b'{"manifest":{},"note":"' + SECRET_NAME.encode() + b'"}'
FILE = _seal(PAYLOAD, bundle_id="b-0001")


def _code(raw: bytes, signer: B.PublicKeys = LAPTOP_KEYS, key: B.KeyPair = SERVER) -> str:
    """The code the reading side refuses ``raw`` with ("" when it opens)."""
    try:
        sealed = B.read(raw)
        B.verify(sealed, signer)
        B.open_payload(sealed, key)
    except ApiError as exc:
        return exc.code
    return ""


def test_round_trip_opens_for_the_recipient_only() -> None:
    sealed = B.read(FILE)
    assert sealed.kind is B.Kind.RECORDS
    assert sealed.header.bundle_id == "b-0001"
    assert sealed.header.sender_id == DEVICE
    assert sealed.header.office_code == OFFICE
    assert sealed.header.recipient_key == SERVER.public().key_id
    assert sealed.header.sender_key == LAPTOP.public().key_id
    B.verify(sealed, LAPTOP.public())
    assert B.open_payload(sealed, SERVER) == PAYLOAD
    # the laptop itself (or an office PC relaying it) cannot read what it sealed
    with pytest.raises(ApiError) as refused:
        B.open_payload(sealed, LAPTOP)
    assert refused.value.code == E.BUNDLE_WRONG_RECIPIENT


def test_nothing_personal_is_readable_in_the_file() -> None:
    assert SECRET_NAME.encode() not in FILE
    assert b"manifest" not in FILE  # compressed and encrypted: no JSON key in the clear


def test_two_seals_of_the_same_payload_differ() -> None:
    """HPKE draws a fresh ephemeral key each time: equal payloads are not recognisable."""
    again = _seal(PAYLOAD, bundle_id="b-0001")
    assert B.read(again).ciphertext != B.read(FILE).ciphertext


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_changed_byte_is_refused(data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(FILE) - 1))
    flip = data.draw(st.integers(1, 255))
    changed = bytearray(FILE)
    changed[at] ^= flip
    assert _code(bytes(changed)) in {
        E.BUNDLE_UNREADABLE,
        E.BUNDLE_VERSION_UNSUPPORTED,
        E.BUNDLE_TAMPERED,
    }


def test_every_truncation_and_any_extension_is_unreadable() -> None:
    for size in range(len(FILE)):
        assert _code(FILE[:size]) == E.BUNDLE_UNREADABLE, size
    assert _code(FILE + b"\x00") == E.BUNDLE_UNREADABLE
    assert _code(b"") == E.BUNDLE_UNREADABLE
    assert _code(b"PK\x03\x04 a zip file, not a bundle") == E.BUNDLE_UNREADABLE


def test_a_future_format_version_is_named() -> None:
    future = bytearray(FILE)
    future[len(B.MAGIC)] = 2
    with pytest.raises(ApiError) as refused:
        B.read(bytes(future))
    assert refused.value.code == E.BUNDLE_VERSION_UNSUPPORTED
    assert refused.value.params == {"version": 2}


def test_signed_by_another_device_is_tampered() -> None:
    """A bundle checked against the key of the device it claims to come from, but made by
    another key (another device's, an attacker's), is refused."""
    forger = B.KeyPair.generate()
    forged = _seal(PAYLOAD, sender=forger)
    assert _code(forged) == E.BUNDLE_TAMPERED
    # and one that claims the laptop's key id but was signed by another key
    sealed = B.read(FILE)
    resigned = sealed.signed + Ed25519PrivateKey.generate().sign(B.SIGNING_CONTEXT + sealed.signed)
    assert _code(resigned) == E.BUNDLE_TAMPERED


def test_a_stolen_ciphertext_under_another_header_does_not_open() -> None:
    """An enrolled device (or anyone with a key) takes the laptop's ciphertext, writes its own
    routing header (its own id, another office) and signs the result with its own key: the
    signature checks against the thief's key, but the payload is bound to the header it was
    sealed with, so it never opens as the thief's records."""
    thief = B.KeyPair.generate()
    sealed = B.read(FILE)
    header = dataclasses.replace(
        sealed.header, sender_id=str(uuid.uuid4()), sender_key=thief.public().key_id
    )
    header_bytes = header.to_json()
    body = b"".join(
        (
            B._PREFIX.pack(B.MAGIC, B.FORMAT_VERSION, int(B.Kind.RECORDS), len(header_bytes)),
            header_bytes,
            B._LENGTH.pack(len(sealed.ciphertext)),
            sealed.ciphertext,
        )
    )
    rewrapped = body + thief._sig().sign(B.SIGNING_CONTEXT + body)
    assert _code(rewrapped, signer=thief.public()) == E.BUNDLE_TAMPERED


def test_sealed_to_another_server_is_the_wrong_recipient() -> None:
    other_server = B.KeyPair.generate()
    foreign = _seal(PAYLOAD, recipient=other_server.public())
    assert _code(foreign) == E.BUNDLE_WRONG_RECIPIENT
    assert _code(foreign, key=other_server) == ""


def test_a_compression_bomb_is_bounded() -> None:
    bomb = _seal(b"[" + b"0," * 2_000_000 + b"0]")
    assert len(bomb) < 10_000
    sealed = B.read(bomb)
    B.verify(sealed, LAPTOP.public())
    with pytest.raises(ApiError) as refused:
        B.open_payload(sealed, SERVER, limit=1_000_000)
    assert refused.value.code == E.BUNDLE_TOO_LARGE


def test_an_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(ApiError) as refused:
        B.read(B.MAGIC + bytes(B.MAX_BUNDLE_BYTES))
    assert refused.value.code == E.BUNDLE_TOO_LARGE


@pytest.mark.parametrize(
    "field, value",
    [
        ("office_code", "32010"),
        ("office_code", "32O101"),
        ("sender_id", ""),
        ("sender_id", "a" * 65),
        ("bundle_id", "../../etc/passwd"),
        ("recipient_id", "server\n"),
    ],
)
def test_a_malformed_routing_header_is_never_written(field: str, value: str) -> None:
    """The sealing side checks the header as a reader would, so a bad identity (a path in a
    bundle id, a control character) fails where it is made, not at the far end."""
    with pytest.raises(ApiError) as refused:
        _seal(PAYLOAD, **{field: value})  # a str field of the header
    assert refused.value.code == E.BUNDLE_UNREADABLE


def test_keys_round_trip_and_a_mismatched_key_id_is_refused() -> None:
    public = LAPTOP.public()
    assert B.PublicKeys.from_dict(public.to_dict()) == public
    assert B.KeyPair.from_secret_dict(LAPTOP.to_secret_dict()) == LAPTOP
    other = B.KeyPair.generate().public().to_dict()
    with pytest.raises(ValueError):
        B.PublicKeys.from_dict({**public.to_dict(), "key_id": other["key_id"]})
    with pytest.raises(ValueError):
        B.PublicKeys.from_dict({**public.to_dict(), "signing_key": "c2hvcnQ="})
    with pytest.raises(ValueError):
        B.PublicKeys.from_dict({**public.to_dict(), "encryption_key": 7})
    secret = LAPTOP.to_secret_dict()["signing_secret"]
    assert secret not in repr(LAPTOP) and public.key_id in repr(LAPTOP)


def test_ten_thousand_registrations_fit_in_two_megabytes() -> None:
    """Issue 16: a bundle of 10,000 registrations is under 2 MB (the time is in bench/)."""
    payload = _records_payload(10_000, "b-big")
    raw = _seal(payload, bundle_id="b-big")
    assert len(raw) < 2_000_000, len(raw)
    sealed = B.read(raw)
    B.verify(sealed, LAPTOP.public())
    opened = wire.loads(B.open_payload(sealed, SERVER))
    manifest = P.decode(P.RecordsManifest, opened["manifest"])
    assert manifest.record_count == 10_000
    assert [b["batch_id"] for b in opened["batches"]] == manifest.batch_ids
    assert sum(len(b["records"]) for b in opened["batches"]) == 10_000


def test_an_ack_payload_decodes_strictly() -> None:
    keys = SERVER.public().to_dict()
    ack = P.AckPayload(
        manifest=P.AckManifest(
            ack_id="a-1",
            bundle_id="b-0001",
            device_id=DEVICE,
            office_code=OFFICE,
            created_at="2026-06-01T02:00:00Z",
            cursor_from="0",
            cursor_to="42",
            more=False,
        ),
        results=[P.RecordResult("r-1", 1, P.Outcome.ACCEPTED, Status.RECEIVED)],
        changes=[P.Change(seq=42, kind=P.ChangeKind.DECISION, registration_id="r-1")],
        bundle_keys=[P.BundleKey(**keys)],
    )
    raw = B.seal(
        B.Kind.ACK,
        wire.dumps(ack),
        bundle_id="a-1",
        sender_id="server",
        office_code=OFFICE,
        sender=SERVER,
        recipient=LAPTOP.public(),
        recipient_id=DEVICE,
    )
    sealed = B.read(raw)
    assert sealed.kind is B.Kind.ACK and sealed.header.recipient_id == DEVICE
    B.verify(sealed, SERVER.public())
    assert P.decode(P.AckPayload, wire.loads(B.open_payload(sealed, LAPTOP))) == ack
    with pytest.raises(ApiError) as refused:
        P.decode(P.AckPayload, {**wire.loads(wire.dumps(ack)), "extra": 1})
    assert refused.value.code == E.UNKNOWN_FIELD
