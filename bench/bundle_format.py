"""The sync bundle file format (common/bundle.py) with 10,000 registrations: file size, and the
time to seal and to open it, beside the same batches as the network path would send them
(each push body compressed with zstd), measured in one run.

This is the format's share of ``export-bundle`` and ``import-bundle`` (issue 16's targets:
under 2 MB, export under 5 s, import under 10 s); reading the outbox and ingesting the batches
come on top and are measured with the commands themselves.

    python -m bench bundle_format [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from datetime import date

from bench.machine import describe, write_section
from bench.wire_encoding import DOC, OFFICE
from common import bundle as B
from common import protocol as P
from common import wire
from common.synthetic import push_records

HEADING = "## Sync bundle format, 10,000 registrations (issue 16)"
RECORDS = 10_000
BATCH = 500


def batches(n: int) -> list[P.PushRequest]:
    device = str(uuid.uuid4())
    records = push_records(n, OFFICE, seed=16, today=date(2026, 6, 1), channel="field")
    return [
        P.PushRequest(device, OFFICE, str(uuid.uuid4()), records[i : i + BATCH])
        for i in range(0, n, BATCH)
    ]


def payload(requests: list[P.PushRequest], server: B.KeyPair) -> bytes:
    manifest = P.RecordsManifest(
        bundle_id=str(uuid.uuid4()),
        device_id=requests[0].device_id,
        office_code=OFFICE,
        seq=1,
        created_at="2026-06-01T02:00:00Z",
        cursor="0",
        record_count=sum(len(r.records) for r in requests),
        batch_ids=[r.batch_id for r in requests],
        server_key=server.public().key_id,
    )
    return wire.dumps({"manifest": manifest, "batches": requests})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench bundle_format")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv or [])
    requests = batches(RECORDS)
    device, server = B.KeyPair.generate(), B.KeyPair.generate()
    server_public, device_public = server.public(), device.public()
    network_bytes = sum(len(wire.compress(wire.push_body(r))) for r in requests)
    seal_s, open_s, sizes = [], [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        raw = B.seal(
            B.Kind.RECORDS,
            payload(requests, server),
            bundle_id=str(uuid.uuid4()),
            sender_id=requests[0].device_id,
            office_code=OFFICE,
            sender=device,
            recipient=server_public,
            recipient_id="server",
        )
        seal_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        sealed = B.read(raw)
        B.verify(sealed, device_public)
        opened = wire.loads(B.open_payload(sealed, server))
        open_s.append(time.perf_counter() - started)
        assert len(opened["batches"]) == len(requests)
        sizes.append(len(raw))
    size = statistics.median(sizes)
    rows = [
        ("records", f"{RECORDS:,}"),
        ("bundle file", f"{size / 1e6:.2f} MB ({size / RECORDS:.0f} bytes per record)"),
        (
            "the same batches as push bodies (zstd each)",
            f"{network_bytes / 1e6:.2f} MB (bundle / network: {size / network_bytes:.2f})",
        ),
        ("seal: JSON, zstd, HPKE, Ed25519 (median)", f"{statistics.median(seal_s) * 1000:.0f} ms"),
        (
            "open: frame, verify, decrypt, unzstd, parse (median)",
            f"{statistics.median(open_s) * 1000:.0f} ms",
        ),
    ]
    width = max(len(k) for k, _ in rows)
    table = "\n".join(f"    {k:<{width}}  {v}" for k, v in rows)
    print(table)
    section = (
        f"{HEADING}\n\n"
        f"Machine: {describe()}; {args.rounds} rounds, medians "
        f"(`python -m bench bundle_format`).\n\n"
        "The format's share of exporting and importing a bundle (common/bundle.py): the whole\n"
        "file sealed once (compressed as one stream, so it is smaller than the same batches\n"
        "compressed one push body at a time) and opened once. Reading the outbox and ingesting\n"
        "come on top.\n\n"
        f"{table}\n"
    )
    write_section(DOC, HEADING, section)


if __name__ == "__main__":
    main()
