"""Records bundles as a field device writes them, for tests of the server's import paths:
a device enrolled with its own bundle keys (EnrollRequest.device_key), and its batches sealed
to the server's current bundle key (syncserver/bundle_keys.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from common import bundle as B
from common import protocol as P
from common import wire
from common.wiretime import utc_text


@dataclass
class FieldDevice:
    """An enrolled device, its private bundle keys and the server's current public key (as
    the enrollment answer gave it)."""

    id: str
    credential: str
    office_code: str
    device_no: int
    keys: B.KeyPair
    server_key: B.PublicKeys

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential}"}


def enroll_body(code: str, keys: B.KeyPair, name: str = "Laptop lapangan") -> dict[str, Any]:
    """The enrollment request of a device that sends its public bundle keys."""
    key = P.BundleKey(**keys.public().to_dict())
    data: dict[str, Any] = wire.loads(
        wire.dumps(P.EnrollRequest(code=code, device_name=name, device_key=key))
    )
    return data


def field_device(enrolled: dict[str, Any], keys: B.KeyPair) -> FieldDevice:
    """From the enrollment answer's JSON (its ``bundle_keys``: the server's, current first)."""
    e = P.decode(P.EnrollResponse, enrolled)
    current = e.bundle_keys[0]
    server = B.PublicKeys.from_dict(
        {
            "key_id": current.key_id,
            "encryption_key": current.encryption_key,
            "signing_key": current.signing_key,
        }
    )
    return FieldDevice(e.device_id, e.credential, e.office_code, e.device_no, keys, server)


def seal_records(
    device: FieldDevice,
    batches: list[list[P.PushRecord]],
    *,
    seq: int = 1,
    cursor: str = "",
    bundle_id: str | None = None,
    office_code: str | None = None,
    server: B.PublicKeys | None = None,
) -> bytes:
    """A records bundle of ``batches`` (each a list of records, one push request each) from
    ``device`` to the server's key (``server``: another key, e.g. another server's)."""
    server = server or device.server_key
    office = office_code or device.office_code
    bid = bundle_id or str(uuid.uuid4())
    requests = [P.PushRequest(device.id, office, str(uuid.uuid4()), list(b)) for b in batches]
    manifest = P.RecordsManifest(
        bundle_id=bid,
        device_id=device.id,
        office_code=office,
        seq=seq,
        created_at=utc_text(datetime.now(UTC)),
        cursor=cursor,
        record_count=sum(len(r.records) for r in requests),
        batch_ids=[r.batch_id for r in requests],
        server_key=server.key_id,
    )
    payload = wire.dumps(P.RecordsPayload(manifest, requests))
    return B.seal(
        B.Kind.RECORDS,
        payload,
        bundle_id=bid,
        sender_id=device.id,
        office_code=office,
        sender=device.keys,
        recipient=server,
        recipient_id="server",
    )
