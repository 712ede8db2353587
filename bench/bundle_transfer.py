"""Transfer by file, end to end (issue 16): a field laptop's 10,000 pending registrations
exported from a real encrypted store (``export_bundle``, what ``loket-desk export-bundle``
runs), imported into a fresh central database (``import_bundle``, what
``loket-server import-bundle`` and the console's upload page run: checks, ingest of every
batch, the acknowledgement), and the acknowledgement applied on the laptop
(``import_ack``). SQLite always; PostgreSQL too when a cluster can be started here
(tests/support/pgcluster.py).

Targets: the file under 2 MB, export under 5 s, import under 10 s.

    python -m bench bundle_transfer [--records N] [--rounds N] [--backend sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.desk_store import DEVICE_NO, OFFICE, bulk_fill
from bench.machine import describe, write_section
from common.enums import Status
from common.protocol import EnrollResponse, decode
from desktop.services import bundles as desk_bundles
from desktop.services.device import set_local_identity
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.keys import KeySlots
from desktop.sync import bundle_keys as desk_keys
from syncserver import db
from syncserver.app import create_app
from syncserver.bundles import import_bundle
from syncserver.enrollment import issue_code
from syncserver.queries import devices as devices_q

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Transfer by file: export, import, acknowledgement (issue 16)"


@contextlib.contextmanager
def _server(url: str, data_dir: Path) -> Iterator[Any]:
    app = create_app({"database": url, "data_dir": str(data_dir)})
    ext = app.extensions["loket"]
    db.migrate(ext.engine)
    try:
        yield app
    finally:
        ext.engine.dispose()


def _enroll(app: Any, store: Store) -> None:
    """Enroll ``store`` with the server in-process (the enrollment request the device sends,
    with its bundle keys), as office OFFICE, device DEVICE_NO."""
    ext = app.extensions["loket"]
    now = datetime.now(UTC)
    with db.transaction(ext.sessions) as s:
        if devices_q.get_office(s, OFFICE) is None:
            devices_q.add_office(s, OFFICE, f"{OFFICE[:2]}.{OFFICE[2:4]}", "Bench", now)
        code = issue_code(s, OFFICE, now, ttl=timedelta(days=1))
    with store.write() as s:
        pair = desk_keys.device_keys(s)
    r = app.test_client().post(
        "/api/v1/devices/enroll",
        json={"code": code, "device_key": {**pair.public().to_dict(), "accept_until": None}},
    )
    answer = decode(EnrollResponse, r.get_json())
    assert answer.device_no == DEVICE_NO, answer
    with store.write() as s:
        S.DEVICE_ID.set(s, answer.device_id)
        S.ENROLLED.set(s, True)
        S.BUNDLE_KEY_REGISTERED.set(s, True)
        desk_keys.save_server_keys(s, answer.bundle_keys)


def one_round(url_of: Any, records: int, work: Path) -> dict[str, float]:
    store = Store.open(work / "desk", KeySlots.new_key())  # encrypted, as on a device
    try:
        set_local_identity(store, OFFICE, DEVICE_NO)
        bulk_fill(store, records, seed=16, status_mix=[(Status.SAVED, 1.0)])
        with _server(url_of(), work / "server") as app:
            _enroll(app, store)
            ext = app.extensions["loket"]
            out = work / "laptop.loket"
            started = time.perf_counter()
            exported = desk_bundles.export_bundle(store, out, operator="bench")
            export_s = time.perf_counter() - started
            assert exported.records == records, exported
            raw = out.read_bytes()
            started = time.perf_counter()
            done = import_bundle(
                ext.sessions,
                ext.settings,
                raw,
                now=datetime.now(UTC),
                uploaded_by="bench",
                via="cli",
            )
            import_s = time.perf_counter() - started
            assert done.records == records and not done.already_imported
            ack = work / "laptop.loket.ack"
            ack.write_bytes(done.ack)
            started = time.perf_counter()
            applied = desk_bundles.import_ack(store, ack, operator="bench")
            ack_s = time.perf_counter() - started
            assert applied.pending_after == 0, applied
        return {
            "bytes": float(len(raw)),
            "ack_bytes": float(len(done.ack)),
            "export_s": export_s,
            "import_s": import_s,
            "ack_s": ack_s,
        }
    finally:
        store.close()


def run_backend(name: str, url_of: Any, records: int, rounds: int) -> dict[str, float]:
    runs = []
    for i in range(rounds):
        with tempfile.TemporaryDirectory(prefix="loket-bench-bundle-") as tmp:
            runs.append(one_round(url_of, records, Path(tmp)))
        r = runs[-1]
        print(
            f"  {name} round {i + 1}: export {r['export_s']:.2f} s, import {r['import_s']:.2f} s,"
            f" ack {r['ack_s']:.2f} s, file {r['bytes'] / 1e6:.2f} MB",
            flush=True,
        )
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench bundle_transfer")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args(argv or [])
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="loket-bench-sqlite-") as tmp:
        if args.backend in ("sqlite", "both"):
            counter = iter(range(10_000))
            results["SQLite"] = run_backend(
                "sqlite",
                lambda: f"sqlite:///{Path(tmp) / f'central-{next(counter)}.db'}",
                args.records,
                args.rounds,
            )
    if args.backend in ("postgres", "both"):
        from tests.support.pgcluster import PgCluster

        with PgCluster(fast=False) as pg:
            counter = iter(range(10_000))
            results["PostgreSQL"] = run_backend(
                "postgres",
                lambda: pg.url(pg.create_database(f"bundle{next(counter)}")),
                args.records,
                args.rounds,
            )
    lines = [
        "| central database | bundle file | export | import (checks, ingest, ack) | ack applied | ack file |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['bytes'] / 1e6:.2f} MB ({r['bytes'] / args.records:.0f} B/record) "
            f"| {r['export_s']:.2f} s | {r['import_s']:.2f} s | {r['ack_s']:.2f} s "
            f"| {r['ack_bytes'] / 1e6:.2f} MB |"
        )
    table = "\n".join(lines)
    print(table)
    section = (
        f"{HEADING}\n\n"
        f"Machine: {describe()}; {args.records:,} pending registrations on an encrypted desktop "
        f"store, {args.rounds} rounds each, medians (`python -m bench bundle_transfer`). "
        "Export: outbox read, batches planned, sealed, written atomically, the outbox marked. "
        "Import: into a fresh central database through the push's ingest (500-record batches, "
        "about 2,000 records per transaction), the acknowledgement sealed. Ack applied: verified, opened, every "
        "result and change applied, the cursor moved. Targets (issue 16): file under 2 MB, "
        "export under 5 s, import under 10 s.\n\n"
        f"{table}\n"
    )
    write_section(DOC, HEADING, section)


if __name__ == "__main__":
    main(sys.argv[1:])
