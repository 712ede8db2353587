"""Encoding a push batch for the wire (issue 15): the hand-written encoder against orjson
serialising the protocol dataclasses directly, side by side in one run.

    .venv/bin/python -m bench wire_encoding                # results -> docs/benchmarks.md
    .venv/bin/python -m bench.wire_encoding --no-write     # print only

Three messages of 500 items: the client's push body (500 synthetic records, the desktop's
batch size), the server's answer to it (500 results, every outcome) and a pull page of 500
changes (decisions and revisions). Each path serialises each message ``--repeat`` times per
round, the paths alternating round by round; the figure is the median of ``--rounds`` rounds,
per message. Both paths must give the same bytes (checked before timing; the test suite holds
them to a fixture: tests/common/test_wire_bytes.py). Compression is not timed: it is the same
for both.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from bench.machine import describe, write_section
from common import protocol as P
from common import wire
from common.enums import Status
from common.regcode import make_code
from common.synthetic import push_records

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Wire encoding of a batch (issue 15)"
OFFICE = "320101"


# --- the baseline: the encoders before issue 15, kept here only ----------------------------
def old_encode(obj: Any) -> Any:
    """``common.protocol.encode`` as it was: a message as JSON-ready data, walked in Python."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: old_encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [old_encode(v) for v in obj]
    if isinstance(obj, dict):
        return {k: old_encode(v) for k, v in obj.items()}
    return obj


def old_push_body(request: P.PushRequest) -> bytes:
    """``SyncClient.push``'s body as it was made."""
    message = old_encode(request)
    if message.get("backlog") is None:
        message.pop("backlog", None)
    return wire.dumps(message)


def old_response_dict(response: P.PushResponse) -> dict[str, Any]:
    """``syncserver.ingest.response_dict`` as it was: the push answer written out by hand."""
    return {
        "batch_id": response.batch_id,
        "results": [
            {
                "id": r.id,
                "revision": r.revision,
                "outcome": r.outcome.value,
                "status": r.status.value if r.status is not None else None,
                "errors": list(r.errors),
                "duplicate_of": r.duplicate_of,
                "server_revision": r.server_revision,
            }
            for r in response.results
        ],
        "server_time": response.server_time,
    }


# --- the messages ----------------------------------------------------------------------------
def messages(n: int) -> tuple[P.PushRequest, P.PushResponse, P.PullResponse]:
    records = push_records(n, OFFICE, seed=15, today=date(2026, 6, 1))
    request = P.PushRequest(str(uuid.uuid4()), OFFICE, str(uuid.uuid4()), records)
    kinds = [
        P.RecordResult("", 1, P.Outcome.ACCEPTED, Status.RECEIVED),
        P.RecordResult(
            "",
            1,
            P.Outcome.DUPLICATE_NIK,
            Status.POTENTIAL_DUPLICATE,
            duplicate_of=make_code(OFFICE, 2, 7),
        ),
        P.RecordResult("", 1, P.Outcome.INVALID, errors=["NIK_FORMAT", "PHONE_FORMAT"]),
        P.RecordResult("", 2, P.Outcome.CONFLICT, Status.VERIFIED, server_revision=3),
    ]  # each in turn
    results = [dataclasses.replace(kinds[i % len(kinds)], id=r.id) for i, r in enumerate(records)]
    response = P.PushResponse(request.batch_id, results, "2026-06-01T02:00:00.123456Z")
    changes = [
        P.Change(
            i + 1,
            P.ChangeKind.DECISION,
            r.id,
            1,
            Status.RETURNED,
            note="Periksa NIK",
            decided_at="2026-06-02T03:00:00Z",
        )
        if i % 2
        else P.Change(
            i + 1,
            P.ChangeKind.REVISION,
            r.id,
            2,
            Status.RECEIVED,
            decided_at="2026-06-02T03:00:00Z",
            data={"applicant": r.applicant, "content_hash": r.content_hash, "operator": r.operator},
        )
        for i, r in enumerate(records)
    ]
    return request, response, P.PullResponse(changes, str(n), False)


def _time(fn: Callable[[], bytes], repeat: int) -> float:
    """Milliseconds per call, over ``repeat`` calls."""
    t = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t) * 1000 / repeat


def bench(n: int = 500, rounds: int = 15, repeat: int = 20) -> dict[str, dict[str, Any]]:
    request, response, page = messages(n)
    paths: dict[str, tuple[Callable[[], bytes], Callable[[], bytes]]] = {
        "client push body": (lambda: old_push_body(request), lambda: wire.push_body(request)),
        "server push answer": (
            lambda: wire.dumps(old_response_dict(response)),
            lambda: wire.dumps(response),
        ),
        "pull page": (lambda: wire.dumps(old_encode(page)), lambda: wire.dumps(page)),
    }
    out: dict[str, dict[str, Any]] = {}
    for name, (old, new) in paths.items():
        body = new()
        assert old() == body, f"{name}: the bytes differ"
        times: dict[str, list[float]] = {"old": [], "new": []}
        for i in range(rounds):
            order = (("old", old), ("new", new)) if i % 2 == 0 else (("new", new), ("old", old))
            for label, fn in order:
                times[label].append(_time(fn, repeat))
        old_ms, new_ms = statistics.median(times["old"]), statistics.median(times["new"])
        out[name] = {
            "old_ms": old_ms,
            "new_ms": new_ms,
            "ratio": old_ms / new_ms,
            "bytes": len(body),
        }
        print(
            f"{name} ({n} items, {len(body):,} bytes): old {old_ms:.2f} ms, "
            f"new {new_ms:.3f} ms, {old_ms / new_ms:.1f}x (median of {rounds} rounds)"
        )
    return out


def report(r: dict[str, dict[str, Any]], n: int, rounds: int, repeat: int, load: float) -> str:
    rows = "\n".join(
        f"| {name} | {v['bytes']:,} | {v['old_ms']:.2f} | {v['new_ms']:.3f} | "
        f"**{v['ratio']:.1f}x** |"
        for name, v in r.items()
    )
    push = r["client push body"]
    return f"""{HEADING}

Run {time.strftime("%Y-%m-%d")} on {describe()}; load average {load:.1f} when it
started (a shared machine: compare the two columns, which ran interleaved in the same minutes).
`.venv/bin/python -m bench wire_encoding`: {n} items per message, each path {repeat} times per
round, the paths alternating round by round; median ms per message over {rounds} rounds.
"Before" is the hand-written encoder (`common.protocol.encode`, which walked the message in
Python into dicts and lists for orjson, and the server's `response_dict`), kept in the
benchmark as the baseline; "after" is orjson serialising the dataclasses directly
(`common.wire.dumps`, `wire.push_body`). Both give the same bytes (checked in the run, and held
to a fixture by `tests/common/test_wire_bytes.py`); compression is not timed.

| message ({n} items) | bytes | before, ms | after, ms | speed-up |
|---|---|---|---|---|
{rows}

Status: the client's batch encoding is {push["ratio"]:.1f}x faster (target >= 5x).
"""


def main(argv: list[str] | None = None) -> dict[str, dict[str, Any]]:
    ap = argparse.ArgumentParser(prog="python -m bench wire_encoding")
    ap.add_argument("--records", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args(argv if argv is not None else [])
    load = os.getloadavg()[0]
    print(describe())
    r = bench(args.records, args.rounds, args.repeat)
    if not args.no_write:
        write_section(DOC, HEADING, report(r, args.records, args.rounds, args.repeat, load))
    return r


if __name__ == "__main__":
    main(sys.argv[1:])
