"""Records bundles made the way a device makes them (for server and console tests that have
no desktop store): the device's key pair, a manifest and batches, sealed to the server."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from common import bundle as B
from common import protocol as P
from common import wire
from common.wiretime import utc_text


@dataclass
class BundleDevice:
    """A device enrolled with bundle keys: its id, office, credential and key pair."""

    id: str
    office_code: str
    device_no: int
    credential: str
    keys: B.KeyPair
    server_keys: list[P.BundleKey]
    seq: int = 0
    batches_sent: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential}"}

    @property
    def server_key(self) -> B.PublicKeys:
        current = next(k for k in self.server_keys if k.accept_until is None)
        return public_keys(current)


def public_keys(key: P.BundleKey) -> B.PublicKeys:
    return B.PublicKeys.of(key)


def device_key(pair: B.KeyPair) -> dict[str, str | None]:
    """The ``device_key`` field of an enrollment request, as JSON."""
    return {**pair.public().to_dict(), "accept_until": None}


def records_bundle(
    device: BundleDevice,
    batches: list[list[P.PushRecord]],
    *,
    cursor: str = "",
    seq: int | None = None,
    bundle_id: str | None = None,
    recipient: B.PublicKeys | None = None,
    office_code: str | None = None,
) -> bytes:
    """A records bundle of ``batches`` (each a push's records), as the device's export makes
    it; ``seq`` defaults to the device's next counter."""
    if seq is None:
        device.seq += 1
        seq = device.seq
    bundle_id = bundle_id or str(uuid.uuid4())
    recipient = recipient or device.server_key
    office = office_code or device.office_code
    requests = [
        P.PushRequest(device.id, device.office_code, str(uuid.uuid4()), records)
        for records in batches
    ]
    manifest = P.RecordsManifest(
        bundle_id=bundle_id,
        device_id=device.id,
        office_code=office,
        seq=seq,
        created_at=utc_text(datetime.now(UTC)),
        cursor=cursor,
        record_count=sum(len(r.records) for r in requests),
        batch_ids=[r.batch_id for r in requests],
        server_key=recipient.key_id,
    )
    payload = wire.dumps(P.RecordsPayload(manifest=manifest, batches=requests))
    return B.seal(
        B.Kind.RECORDS,
        payload,
        bundle_id=bundle_id,
        sender_id=device.id,
        office_code=office,
        sender=device.keys,
        recipient=recipient,
        recipient_id="server",
    )


def open_ack(device: BundleDevice, raw: bytes) -> P.AckPayload:
    """The acknowledgement ``raw`` as the device reads it (signature checked)."""
    sealed = B.read(raw)
    assert sealed.kind is B.Kind.ACK
    signer = next(k for k in device.server_keys if k.key_id == sealed.header.sender_key)
    B.verify(sealed, public_keys(signer))
    return P.decode(P.AckPayload, wire.loads(B.open_payload(sealed, device.keys)))
