"""A push batch's bytes by rows and by columns, side by side in one run (issue 17 item 3).

    .venv/bin/python -m bench push_formats             # results -> docs/benchmarks.md
    .venv/bin/python -m bench.push_formats --no-write  # print only

Batches of 50, 200, 500 and 1,000 synthetic records of one office (common.synthetic, as a
device makes them: ids, codes, content hashes), each encoded by rows (``wire.push_body``) and
by columns (``common.columns.to_columns``), compressed with zstd at the default level (6) and
at the slow-link level (15); and the server's answer to 500 records by rows and by columns.
Bytes per record after compression (the same every round) and the time to encode and
compress (median of ``--rounds`` rounds, the variants alternating). The target of issue 17 is
at most 100 bytes per record upstream on a 2G link, counted on the link (bench/slow_link.py
measures that); a trained zstd dictionary was measured too, earlier (docs/benchmarks.md),
and made batches of 500 larger.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench.machine import describe, write_section
from common import columns, wire
from common import protocol as P
from common.enums import Status
from common.record import content_hash, new_registration_id
from common.regcode import make_code
from common.synthetic import generate
from common.validation import check

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Push formats: rows and columns (issue 17)"
SIZES = (50, 200, 500, 1000)


def batch(n: int, seed: int = 3) -> P.PushRequest:
    records = []
    for i, sample in enumerate(generate(n, seed, today=date.today())):
        a = check(sample.applicant).applicant.to_dict()
        records.append(
            P.PushRecord(
                id=new_registration_id(),
                code=make_code("320101", 1, i + 1),
                revision=1,
                base_revision=0,
                content_hash=content_hash(a),
                applicant=a,
                operator="petugas",
                channel="counter",
                device_time="2026-12-03T06:00:00+07:00",
            )
        )
    return P.PushRequest(
        new_registration_id(), "320101", new_registration_id(), records, P.Backlog(n, 3600)
    )


def answer(request: P.PushRequest) -> dict[str, Any]:
    results = []
    for i, r in enumerate(request.records):
        row: dict[str, Any] = {"id": r.id, "revision": r.revision, "outcome": "accepted"}
        row["status"] = Status.RECEIVED.value
        if i % 50 == 7:
            row.update(outcome="duplicate_nik", status="potential_duplicate", duplicate_of=r.code)
        results.append(row)
    return {"batch_id": request.batch_id, "results": results, "server_time": "2026-12-03T00:00Z"}


def _median_ms(fn: Callable[[], bytes], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _variants(request: P.PushRequest) -> dict[str, Callable[[], bytes]]:
    def rows() -> bytes:
        return wire.compress(wire.push_body(request))

    def by_columns() -> bytes:
        return wire.compress(wire.dumps(columns.to_columns(request)))

    def by_columns_slow_link() -> bytes:
        raw = wire.dumps(columns.to_columns(request))
        return wire.compress(raw, level=wire.ZSTD_LEVEL_SLOW_LINK)

    return {
        "rows, level 6": rows,
        "columns, level 6": by_columns,
        "columns, level 15": by_columns_slow_link,
    }


def bench(rounds: int) -> dict[str, Any]:
    out: dict[str, Any] = {"push": {}, "answer": {}}
    for n in SIZES:
        request = batch(n)
        variants = _variants(request)
        row = {}
        for name, fn in variants.items():
            row[name] = {"bytes": len(fn()) / n, "ms": _median_ms(fn, rounds)}
        out["push"][n] = row
        print(
            f"{n:>5} records: "
            + " | ".join(f"{k} {v['bytes']:.0f} B/record {v['ms']:.1f} ms" for k, v in row.items())
        )
    request = batch(500, seed=5)
    rows = answer(request)
    out["answer"] = {
        "rows": len(wire.compress(wire.dumps(rows))) / 500,
        "columns": len(wire.compress(wire.dumps(columns.answer_to_columns(rows)))) / 500,
    }
    print(
        "answer to 500 records: rows {rows:.1f} B/record, columns {columns:.1f} B/record".format(
            **out["answer"]
        )
    )
    return out


def report(r: dict[str, Any], rounds: int, load: float) -> str:
    names = list(next(iter(r["push"].values())))
    head = "| records | " + " | ".join(names) + " |"
    rule = "|---|" + "---|" * len(names)
    lines = [
        f"| {n:,} | "
        + " | ".join(f"{v['bytes']:.0f} B ({v['ms']:.1f} ms)" for v in row.values())
        + " |"
        for n, row in r["push"].items()
    ]
    a = r["answer"]
    table = "\n".join([head, rule, *lines])
    return f"""{HEADING}

`.venv/bin/python -m bench push_formats`, {date.today().isoformat()} on {describe()}, load
average {load:.1f}. Bytes per record after zstd, and the time to encode and compress (median
of {rounds} rounds), for synthetic batches of one office:

{table}

The answer to 500 records (2 % of them possible duplicates): **{a["rows"]:.1f} bytes per record
by rows, {a["columns"]:.1f} by columns** (no ids or revisions; outcome and status lists).
By columns each content hash goes as its first 8 hex digits (the server computes the whole),
the applicant's field names once per shape. The desktop sends columns to a server that said
it takes them, at level 15 when a body would take over a second on the link as measured.
"""


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(prog="python -m bench push_formats")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args(argv if argv is not None else [])
    load = os.getloadavg()[0]
    print(describe())
    r = bench(args.rounds)
    if not args.no_write:
        write_section(DOC, HEADING, report(r, args.rounds, load))
    return r


if __name__ == "__main__":
    main(sys.argv[1:])
