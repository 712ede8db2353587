"""Full sync of 10,000 registrations from one device to a real server over loopback (issue 5).

A server process on its embedded SQLite database; a desktop store holding 10,000 synthetic
registrations made offline; one ``SyncEngine.run()``. Reports wall time, records/s and bytes
on the wire per record (compressed request bodies), median of 3 runs on fresh stores.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402
from common.synthetic import generate  # noqa: E402
from common.validation import check  # noqa: E402
from desktop.services.operators import create_first_operator  # noqa: E402
from desktop.services.registrations import RegistrationService  # noqa: E402
from desktop.sync.commands import enroll_device, make_client  # noqa: E402
from desktop.sync.engine import SyncEngine, SyncOutcome  # noqa: E402
from tests.support.liveserver import LiveServer  # noqa: E402

N = 10_000


def one_run(seed: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="loket-bench-sync-") as tmp:
        server = LiveServer(Path(tmp) / "server").start()
        try:
            store, operator = create_first_operator(Path(tmp) / "desk", "bench", "bench-password")
            service = RegistrationService(store, operator)
            applicants = [
                check(s.applicant).applicant for s in generate(N, seed, today=date.today())
            ]
            # enrolled first: a registration is saved only once the device has its number
            enroll_device(store, server.url, server.office_and_code())
            service.save_batch(applicants)
            client = make_client(store)
            engine = SyncEngine(store, client)
            started = time.perf_counter()
            report = engine.run()
            seconds = time.perf_counter() - started
            assert report.outcome is SyncOutcome.OK, report
            assert report.sent == N and report.pending_after == 0
            client.close()
            store.close()
            return {
                "seconds": seconds,
                "rps": N / seconds,
                "bytes_per_record": report.bytes_sent / N,
                "received_per_record": report.bytes_received / N,
            }
        finally:
            server.stop()


def main() -> None:
    print(describe())
    runs = [one_run(seed) for seed in (1, 2, 3)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(
        f"full sync of {N:,} registrations over loopback (server on SQLite), median of {len(runs)}:"
    )
    print(f"  time {med['seconds']:.1f} s ({med['rps']:,.0f} records/s)")
    print(
        f"  request bytes on the wire {med['bytes_per_record']:.0f} B/record, response {med['received_per_record']:.0f} B/record"
    )


if __name__ == "__main__":
    main()
