"""The desktop's headless sync in a process of its own, for the kill-mid-sync scenario:

    python -m tests.faults.sync_runner DATA_DIR [BATCH] [PAGE]

Runs one sync of the real engine on the real store (small batches, so there are many points
to be killed at) and prints a line per batch answered, then ``done <outcome>``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, cast

from desktop.sync.commands import make_client
from desktop.sync.engine import BatchSizer, SyncEngine, SyncProgress
from tests.faults.harness import open_store


def main(argv: list[str]) -> int:
    data_dir = Path(argv[0])
    batch = int(argv[1]) if len(argv) > 1 else 10
    page = int(argv[2]) if len(argv) > 2 else 500
    store = open_store(data_dir)
    client = make_client(store)
    pull = client.pull
    cast(Any, client).pull = lambda cursor, limit=page, **kw: pull(cursor, min(limit, page), **kw)
    engine = SyncEngine(store, client, sizer=BatchSizer(batch, 1, batch), retries=2, backoff_s=0.02)

    def progress(p: SyncProgress) -> None:
        print(f"{p.stage} {p.records_sent}/{p.records_total} {p.changes_applied}", flush=True)

    print("start", flush=True)
    report = engine.run(progress)
    client.close()
    store.close()
    print(f"done {report.outcome.value} pending {report.pending_after}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
