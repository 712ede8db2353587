"""The device's side of sync bundles (desktop/services/bundles.py) with 10,000 registrations
waiting in a real encrypted store: ``export-bundle`` (read the outbox, make the batches, seal,
write atomically, record the export) and ``import-ack`` of the server's answer to all of
them (open, verify, apply every result in one transaction). Issue 16's targets: a file under
2 MB, export under 5 s.

    python -m bench bundle_device [--records N] [--rounds N] [--no-write]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

from bench.machine import describe, write_section
from common import bundle as B
from common import wire
from common.enums import Status
from common.protocol import (
    AckManifest,
    AckPayload,
    Outcome,
    RecordResult,
    RecordsPayload,
    decode,
)
from common.synthetic import generate
from common.validation import applicant_from_dict
from common.wiretime import utc_text
from desktop.services import bundles
from desktop.services.device import set_local_identity
from desktop.services.operators import Operator
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.keys import KeySlots
from desktop.sync import bundle_keys

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Sync bundles on the device, 10,000 registrations (issue 16)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench bundle_device")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv or [])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store.open(folder / "desk", KeySlots.new_key())
        try:
            set_local_identity(store, "320101", 1)
            store.set_setting("enrolled", True)
            server, device = B.KeyPair.generate(), B.KeyPair.generate()
            with store.write() as s:
                S.BUNDLE_DEVICE_KEYS.set(s, device.to_secret_dict())
                S.BUNDLE_KEY_REGISTERED.set(s, True)
                bundle_keys.save_server_keys(s, [bundle_keys.as_message(server.public())])
                device_id = str(S.DEVICE_ID.get(s))
            samples = generate(args.records, 16, today=date.today())
            service = RegistrationService(store, Operator("bench", "Bench"))
            started = time.perf_counter()
            service.save_batch([applicant_from_dict(x.applicant) for x in samples])
            fill_s = time.perf_counter() - started

            export_s, sizes = [], []
            summary = None
            for i in range(args.rounds):  # each export carries every pending record again
                started = time.perf_counter()
                summary = bundles.export_bundle(store, folder / f"b{i}.loket", operator="bench")
                export_s.append(time.perf_counter() - started)
                sizes.append(summary.bytes)
            assert summary is not None and summary.records == args.records
            sealed = B.read(summary.path.read_bytes())
            payload = decode(RecordsPayload, orjson.loads(B.open_payload(sealed, server)))
            results = [
                RecordResult(r.id, r.revision, Outcome.ACCEPTED, Status.RECEIVED)
                for batch in payload.batches
                for r in batch.records
            ]
            ack = AckPayload(
                manifest=AckManifest(
                    ack_id=str(uuid.uuid4()),
                    bundle_id=summary.bundle_id,
                    device_id=device_id,
                    office_code="320101",
                    created_at=utc_text(datetime.now(UTC)),
                    cursor_from="",
                    cursor_to="1",
                    more=False,
                ),
                results=results,
                changes=[],
                bundle_keys=[bundle_keys.as_message(server.public())],
            )
            ack_file = folder / "b.loket.ack"
            ack_file.write_bytes(
                B.seal(
                    B.Kind.ACK,
                    wire.dumps(ack),
                    bundle_id=ack.manifest.ack_id,
                    sender_id="server",
                    office_code="320101",
                    sender=server,
                    recipient=device.public(),
                    recipient_id=device_id,
                )
            )
            started = time.perf_counter()
            applied = bundles.import_ack(store, ack_file, operator="bench")
            ack_s = time.perf_counter() - started
            assert applied.pending_after == 0 and applied.outcomes["accepted"] == args.records
        finally:
            store.close()
    size = statistics.median(sizes)
    rows = [
        ("records waiting in the store", f"{args.records:,} (saved in {fill_s:.0f} s)"),
        ("bundle file", f"{size / 1e6:.2f} MB ({size / args.records:.0f} bytes per record)"),
        ("export-bundle (median)", f"{statistics.median(export_s):.2f} s"),
        ("import-ack of every record's answer", f"{ack_s:.2f} s"),
    ]
    width = max(len(k) for k, _ in rows)
    table = "\n".join(f"    {k:<{width}}  {v}" for k, v in rows)
    print(table)
    if args.no_write:
        return
    section = (
        f"{HEADING}\n\n"
        f"Machine: {describe()}; {args.rounds} exports, median; one acknowledgement "
        f"(`python -m bench bundle_device`).\n\n"
        "The desktop's own work, in a real encrypted store: reading the outbox, making the\n"
        "batches, sealing and writing the file atomically, recording the export; then opening\n"
        "the server's acknowledgement and applying every answer in one transaction.\n\n"
        f"{table}\n"
    )
    write_section(DOC, HEADING, section)


if __name__ == "__main__":
    main()
