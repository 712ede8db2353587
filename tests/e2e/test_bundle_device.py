"""A really enrolled device's records bundle against a real server: the server opens it with
its own key file and checks it with the device key it registered at enrollment; the batches
inside go through the real push (as the server's bundle import passes them to ingest), and
the acknowledgement made of the server's real answers and changes is applied on the device
exactly as a network sync would have applied them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import orjson
from sqlalchemy import text

from common import bundle as B
from common import wire
from common.enums import Status
from common.protocol import AckManifest, AckPayload, RecordsPayload, decode
from common.synthetic import generate
from common.wiretime import utc_text
from desktop.services import bundles
from desktop.store import settings as S
from desktop.sync import bundle_keys
from desktop.sync.commands import make_client
from desktop.sync.engine import SyncEngine, SyncOutcome
from syncserver import bundle_keys as server_keys
from syncserver.decisions import record_decision


def test_an_exported_bundle_opens_at_the_server_and_its_ack_applies_like_a_sync(
    device, live_server, server_db, tmp_path
) -> None:
    samples = generate(40, 16, today=date.today())
    ids = []
    for sample in samples:
        saved = device.service.save(sample.applicant)
        assert saved.ok and saved.registration is not None
        ids.append(saved.registration.id)
    out = tmp_path / "usb" / "field.loket"
    out.parent.mkdir()
    summary = bundles.export_bundle(device.store, out, operator="petugas")
    assert summary.records == 40 and summary.batches == 1

    # the server opens it: its key file, the device key it stored at enrollment
    keys = server_keys.load(
        live_server.data_dir / server_keys.KEY_FILE_NAME, timedelta(days=30), datetime.now(UTC)
    )
    sealed = B.read(out.read_bytes())
    row = server_db.execute(
        text("SELECT bundle_encryption_key, bundle_signing_key FROM devices WHERE id = :id"),
        {"id": device.info.device_id},
    ).one()
    server_db.rollback()  # no read transaction left open on the server's SQLite file
    signer = B.PublicKeys.from_dict({"encryption_key": row[0], "signing_key": row[1]})
    B.verify(sealed, signer)
    opener = keys.opening(sealed.header.recipient_key, datetime.now(UTC))
    payload = decode(RecordsPayload, orjson.loads(B.open_payload(sealed, opener)))
    assert payload.manifest.record_count == 40
    assert device.service.pending_count() == 40  # in transit, still pending

    # the server ingests the batches (the real push path) and a reviewer decides one
    client = make_client(device.store)
    try:
        results = [r for batch in payload.batches for r in client.push(batch).results]
        record_decision(server_db, ids[0], "verified", "reviewer1")
        server_db.commit()
        page = client.pull(payload.manifest.cursor)
    finally:
        client.close()
    assert len(results) == 40 and len(page.changes) >= 1
    ack = AckPayload(
        manifest=AckManifest(
            ack_id=str(uuid.uuid4()),
            bundle_id=payload.manifest.bundle_id,
            device_id=device.info.device_id,
            office_code=device.info.office_code,
            created_at=utc_text(datetime.now(UTC)),
            cursor_from=payload.manifest.cursor,
            cursor_to=page.cursor,
            more=False,
        ),
        results=results,
        changes=page.changes,
        bundle_keys=keys.public_list(datetime.now(UTC)),
    )
    with device.store.read() as s:
        device_key = B.KeyPair.from_secret_dict(S.BUNDLE_DEVICE_KEYS.get(s)).public()
    ack_file = tmp_path / "usb" / "field.loket.ack"
    ack_file.write_bytes(
        B.seal(
            B.Kind.ACK,
            wire.dumps(ack),
            bundle_id=ack.manifest.ack_id,
            sender_id="server",
            office_code=device.info.office_code,
            sender=keys.current.pair,
            recipient=device_key,
            recipient_id=device.info.device_id,
        )
    )

    applied = bundles.import_ack(device.store, ack_file, operator="petugas")

    assert applied.outcomes == {"accepted": 40} and applied.pending_after == 0
    assert device.service.pending_count() == 0
    counts = device.service.counts_by_status()
    assert counts[Status.VERIFIED] == 1 and counts[Status.RECEIVED] == 39
    with device.store.read() as s:
        assert S.SYNC_CURSOR.get(s) == page.cursor
        assert bundle_keys.current_server_key(s) == keys.current.pair.public()
    assert bundles.in_transit(device.store).records == 0

    # the next network sync has nothing to send and nothing new to apply
    report = SyncEngine(device.store, make_client(device.store)).run()
    assert report.outcome is SyncOutcome.OK and report.sent == 0
    assert report.changes_applied == 0
