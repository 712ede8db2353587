"""The central database at national scale: fresh, 1,000,000 and 10,000,000 stored (issue 17).

    .venv/bin/python -m bench central_scale          # fresh, 1M, 10M (about an hour here)
    .venv/bin/python -m bench.central_scale [--rows 0,1000000,10000000] [--quick]
        [--database URL]  # measure a database loaded earlier (its row count is read)
        [--keep]          # leave the cluster running after the run (prints its URLs)
        [--setting shared_buffers=6GB]  # PostgreSQL settings for the clusters

For each size: a throw-away PostgreSQL cluster (tests/support/pgcluster.py, fsync on,
``wal_level = minimal`` for the load) loaded with COPY from common/bulk.py (bench/_bulkload.py:
offices in all 514 regencies, 2% duplicate NIKs, 5% shared family cards, statuses, decisions,
summaries), then the REAL server on it (``loket-server run``, gunicorn, 4 workers x 2 threads,
as bench/ingest.py) and, through HTTP:

- ingest with 4 devices: each pushes ``--batches`` batches of 500 fresh registrations
  (bench.ingest.Data: 2% duplicate NIKs and 5% shared family cards among themselves) of which
  2% more are people already stored (a stored registration's applicant sent again, found by
  the duplicate check in the stored NIK claims); median of ``--runs`` runs, records/s;
- NIK lookup: the statement ingest runs to find an existing NIK's first registration
  (syncserver.queries.ingest.nik_primaries, one NIK per call, half stored and half not) and
  the console's NIK search page, p50/p99;
- console pages p95 (signed in as bench/console.py does): dashboard, review queue, name-part
  search, a filtered list (province and status);
- disk: pg_total_relation_size per table and the whole database, per registration.

Ratios: each size against the 1,000,000 one (target: ingest at 10M >= 80% of 1M). Targets at
10M: NIK lookup p99 < 5 ms, dashboard, queue and name-part search p95 < 500 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, cast

from bench import ingest as bi
from bench.machine import describe, percentile
from common import protocol as P
from common.bulk import BulkSpec
from common.record import content_hash, new_registration_id
from common.regcode import make_code

PASSWORD = "bench-password-123"
TABLES = (
    "registrations",
    "registration_revisions",
    "batch_records",
    "nik_primaries",
    "kk_slots",
    "review_decisions",
    "duplicate_groups",
    "batches",
)


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class StoredData(bi.Data):
    """bench.ingest.Data, with a share of people already stored sent again."""

    def __init__(self, spec: BulkSpec | None, stored: int, seed: int, share: float = 0.02):
        super().__init__(4000, seed)
        self.spec, self.stored, self.share = spec, stored, share
        self.rng = random.Random(seed)

    def records(self, n: int, device_no: int = 1) -> list[P.PushRecord]:
        out = super().records(n, device_no)
        if not self.spec or not self.stored:
            return out
        for k in range(0, n, max(1, round(1 / self.share))):
            a = self.spec.applicant(self.rng.randrange(self.stored))
            out[k] = P.PushRecord(
                id=new_registration_id(),
                code=make_code(bi.OFFICE, device_no, (self.next + k) % 1000000),
                revision=1,
                base_revision=0,
                content_hash=content_hash(a),
                applicant=a,
                operator="bench",
                channel="counter",
                device_time="2026-01-05T09:00:00Z",
            )
        return out


def _enroll(server: Any) -> bi.Device:
    import requests

    code = server.office_and_code(bi.OFFICE, "32.01")
    r = requests.post(
        server.url + "/api/v1/devices/enroll", json={"code": code, "device_name": "bench"}
    )
    r.raise_for_status()
    body = r.json()
    http = requests.Session()
    http.headers["Authorization"] = "Bearer " + body["credential"]
    return bi.Device(body["device_id"], body["credential"], http, body["device_no"])


def nik_lookup(url: str, spec: BulkSpec | None, stored: int, n: int) -> dict[str, float]:
    """p50/p99 ms of ingest's NIK lookup for one NIK (half stored, half unknown)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from syncserver.queries.ingest import nik_primaries

    rng = random.Random(17)
    engine = create_engine(url)
    times: list[float] = []
    found = 0
    with Session(engine) as session:
        for k in range(n + 50):
            if spec and stored and k % 2 == 0:
                nik = spec.nik(rng.randrange(stored))
            else:
                nik = f"3201{rng.randrange(10**12):012d}"
            t = time.perf_counter()
            got = nik_primaries(session, [nik])
            dt = time.perf_counter() - t
            if k >= 50:  # the first ones warm the connection and the statement cache
                times.append(dt)
                found += bool(got)
        session.rollback()
    engine.dispose()
    return {
        "p50": statistics.median(times) * 1000,
        "p99": percentile(times, 99) * 1000,
        "found": found / len(times),
    }


def console_pages(base: str, url: str, spec: BulkSpec | None, stored: int, repeat: int) -> Any:
    from bench.console import sign_in, timed

    http = sign_in(base)
    nik = spec.nik(stored // 2) if spec and stored else "3201010101010001"
    part = "idaya"  # inside "Hidayat", a common family name
    pages = [
        ("dashboard", "/console/"),
        ("review queue", "/console/records/queue"),
        ("name-part search 'idaya'", f"/console/records/?q={part}"),
        ("filtered list (province 32, received)", "/console/records/?province=32&status=received"),
        ("NIK search (console)", f"/console/records/?q={nik}"),
    ]
    out = {}
    for label, path in pages:
        times = timed(http, base + path, repeat)
        out[label] = {
            "p50": statistics.median(times) * 1000,
            "p95": percentile(times, 95) * 1000,
        }
        print(
            f"    {label}: p50 {out[label]['p50']:.0f} ms, p95 {out[label]['p95']:.0f} ms",
            flush=True,
        )
    return out


def outcomes(url: str, device_ids: list[str]) -> dict[str, int]:
    """What ingest decided for the benchmark's own records (the checks ran as in production)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.outcome, count(*) FROM batch_records r JOIN batches b ON b.id = r.batch_pk "
                "WHERE b.device_id = ANY(:ids) GROUP BY 1 ORDER BY 1"
            ),
            {"ids": device_ids},
        ).all()
    engine.dispose()
    return {str(o): int(n) for o, n in rows}


def loaded_rows(url: str) -> int:
    """How many registrations common/bulk.py loaded into ``url`` (its batches are named
    ``batch-<n>``; what benchmark runs pushed since is not counted)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(
            text("SELECT coalesce(sum(record_count), 0) FROM batches WHERE batch_id LIKE 'batch-%'")
        ).scalar_one()
    engine.dispose()
    return int(n)


def disk(url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM registrations")).scalar_one()
        out["rows"] = rows
        out["database"] = conn.execute(
            text("SELECT pg_database_size(current_database())")
        ).scalar_one()
        for t in TABLES:
            out[t] = conn.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar_one()
    engine.dispose()
    return out


def postmaster_pid(url: str) -> int:
    """The database server's process (the parent of this connection's backend)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        stat = Path(f"/proc/{backend}/stat").read_text()
    engine.dispose()
    return int(stat.rsplit(")", 1)[1].split()[1])


class Target:
    """One database being measured: its server, devices and data."""

    def __init__(self, url: str, spec: BulkSpec | None, stored: int, db_pid: int | None):
        self.url, self.spec, self.stored, self.db_pid = url, spec, stored, db_pid
        self.res: dict[str, Any] = {"stored": stored}
        self.runs: list[bi.Result] = []
        self.tmp = tempfile.TemporaryDirectory()

    def start(self) -> None:
        from tests.support.liveserver import LiveServer

        self.server = LiveServer(
            Path(self.tmp.name) / "server",
            database=self.url,
            workers=4,
            env={"LOKET_THREADS": "2", "LOKET_LOG_LEVEL": "WARNING"},
        ).start()
        self.server.cli("add-user", "bench", "--role", "admin", password=PASSWORD, check=False)
        self.devices = [_enroll(self.server) for _ in range(4)]
        # a seed of its own per run of the benchmark: a reused database must get new people
        self.data = StoredData(self.spec, self.stored, seed=time.time_ns() % 1_000_000_007)
        self._probes()
        bi.batched(
            cast(Any, self.server), self.devices, self.data, 1, 100
        )  # warm-up: workers connect

    def _probes(self) -> None:
        bi.PROBES.clear()
        assert self.server.proc is not None
        bi.PROBES["server"] = self.server.proc.pid
        if self.db_pid is not None:
            bi.PROBES["database"] = self.db_pid

    def _db_counters(self) -> tuple[int, int, int, int]:
        """WAL position, blocks read and found in shared buffers, checkpoints so far."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn, d.blks_read, d.blks_hit, "
                    "b.checkpoints_timed + b.checkpoints_req FROM pg_stat_database d, "
                    "pg_stat_bgwriter b WHERE d.datname = current_database()"
                )
            ).one()
        engine.dispose()
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    def ingest_run(self, batches: int) -> bi.Result:
        self._probes()
        before = self._db_counters()
        r = bi.batched(cast(Any, self.server), self.devices, self.data, batches, 500)
        time.sleep(1.2)  # backends flush their statistics at most once a second
        after = self._db_counters()
        wal, read, hit, ckpt = (a - b for a, b in zip(after, before, strict=True))
        r.cpu["wal_bytes"] = wal  # per record below, like the CPU
        r.cpu["blocks_read"] = read
        r.cpu["blocks_touched"] = read + hit
        r.cpu["checkpoints"] = ckpt
        self.runs.append(r)
        return r

    def stop(self) -> None:
        self.server.stop()
        self.tmp.cleanup()


def measure(targets: list[Target], args: argparse.Namespace) -> None:
    """Everything, for every target; the ingest runs alternate between the targets (round
    robin), so that a change in the machine's load falls on all of them alike."""
    for t in targets:
        res = t.res
        res["loadavg_before"] = _loadavg()
        res["disk"] = disk(t.url)
        res["nik_db"] = nik_lookup(t.url, t.spec, t.stored, args.lookups)
        print(
            f"  {t.stored:,}: NIK lookup (ingest's statement): p50 {res['nik_db']['p50']:.2f} ms, "
            f"p99 {res['nik_db']['p99']:.2f} ms ({res['nik_db']['found']:.0%} found)",
            flush=True,
        )
    for t in targets:
        t.start()
    try:
        for k in range(args.runs):
            for t in targets if k % 2 == 0 else targets[::-1]:
                r = t.ingest_run(args.batches)
                print(
                    f"  {t.stored:,}: ingest run {k + 1}: {r.rate:,.0f} rec/s"
                    + "".join(f", {p} CPU {r.cpu_us_per_record(p):.0f} us/rec" for p in bi.PROBES)
                    + f", WAL {r.cpu['wal_bytes'] / r.records:,.0f} B/rec, blocks "
                    f"{r.cpu['blocks_touched'] / r.records:.0f}/rec "
                    f"({r.cpu['blocks_read'] / r.records:.1f} read), "
                    f"{r.cpu['checkpoints']:.0f} checkpoints (load {_loadavg()})",
                    flush=True,
                )
        for t in targets:
            probes = ["server", "wal_bytes", "blocks_touched", "blocks_read"]
            probes += ["database"] if t.db_pid is not None else []
            t.res["ingest"] = {
                "rps": statistics.median(r.rate for r in t.runs),
                "runs": [round(r.rate) for r in t.runs],
                **{
                    f"{p}_us": statistics.median(r.cpu_us_per_record(p) for r in t.runs)
                    for p in probes
                },
            }
            t.res["outcomes"] = outcomes(t.url, [d.id for d in t.devices])
            print(f"  {t.stored:,}: outcomes of the pushed records: {t.res['outcomes']}")
            print(f"  {t.stored:,}: console pages", flush=True)
            t.res["pages"] = console_pages(t.server.url, t.url, t.spec, t.stored, args.repeat)
            t.res["loadavg_after"] = _loadavg()
    finally:
        for t in targets:
            t.stop()


def table(results: list[dict[str, Any]]) -> str:
    base = next((r for r in results if r["stored"] == 1_000_000), None)
    heads = [f"{r['stored']:,}" if r["stored"] else "fresh" for r in results]
    lines = [
        "| measure | " + " | ".join(heads) + (" | vs 1M |" if base else " |"),
        "|---" * (len(results) + 1 + bool(base)) + "|",
    ]

    def row(label: str, get: Any, fmt: str, higher_better: bool = False) -> None:
        vals = [get(r) for r in results]
        cells = [format(v, fmt) for v in vals]
        ratio = ""
        if base:
            b = get(base)
            ratio = " | " + ", ".join(
                f"{v / b:.2f}" for r, v in zip(results, vals, strict=True) if r is not base and b
            )
        lines.append(f"| {label} | " + " | ".join(cells) + ratio + " |")

    row("ingest, 4 devices (rec/s)", lambda r: r["ingest"]["rps"], ",.0f", True)
    for p in ("server", "database"):
        if all(f"{p}_us" in r["ingest"] for r in results):
            row(f"  {p} CPU (us/record)", lambda r, p=p: r["ingest"][f"{p}_us"], ".0f")
    row("  WAL (bytes/record)", lambda r: r["ingest"]["wal_bytes_us"] / 1e6, ",.0f")
    row(
        "  buffers touched (blocks/record)", lambda r: r["ingest"]["blocks_touched_us"] / 1e6, ".1f"
    )
    row("  read into buffers (blocks/record)", lambda r: r["ingest"]["blocks_read_us"] / 1e6, ".2f")
    row("NIK lookup p50 (ms)", lambda r: r["nik_db"]["p50"], ".2f")
    row("NIK lookup p99 (ms)", lambda r: r["nik_db"]["p99"], ".2f")
    for label in results[0]["pages"]:
        row(f"{label} p95 (ms)", lambda r, k=label: r["pages"][k]["p95"], ".0f")
    rows = [max(1, r["disk"]["rows"]) for r in results]
    for t in ("database", *TABLES[:3]):
        vals = [r["disk"][t] / n for r, n in zip(results, rows, strict=True)]
        lines.append(
            f"| disk {t} (bytes/registration) | "
            + " | ".join(f"{v:,.0f}" if n > 1 else "-" for v, n in zip(vals, rows, strict=True))
            + (" | |" if base else " |")
        )
    lines.append(
        "| load average before / after | "
        + " | ".join(f"{r['loadavg_before']} / {r['loadavg_after']}" for r in results)
        + (" | |" if base else " |")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.central_scale")
    p.add_argument("--rows", default="0,1000000,10000000", help="sizes, comma-separated")
    p.add_argument(
        "--database", help="measure these databases as loaded (URLs, comma-separated; no load)"
    )
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--batches", type=int, default=8, help="batches of 500 per device per run")
    p.add_argument("--repeat", type=int, default=20, help="requests per console page")
    p.add_argument("--lookups", type=int, default=2000)
    p.add_argument("--keep", action="store_true", help="leave the clusters running at the end")
    p.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the clusters (e.g. shared_buffers=6GB), repeatable",
    )
    p.add_argument("--quick", action="store_true", help="fresh and 20,000 rows, few requests")
    args = p.parse_args(argv if argv is not None else [])
    from bench._bulkload import CLUSTER_SETTINGS, load
    from tests.support.pgcluster import PgCluster

    if args.quick:
        args.rows, args.runs, args.batches, args.repeat, args.lookups = "0,20000", 1, 2, 5, 200
    print(describe(), flush=True)
    targets: list[Target] = []
    kept: list[Any] = []
    for url in args.database.split(",") if args.database else ():
        from bench._bulkload import migrate

        url = url.replace("postgresql://", "postgresql+psycopg://")
        migrate(url)
        stored = loaded_rows(url)
        print(f"{stored:,} loaded (given database)", flush=True)
        targets.append(
            Target(url, BulkSpec(stored) if stored else None, stored, postmaster_pid(url))
        )
    loads: list[str] = []
    try:
        for rows in (int(x) for x in args.rows.split(",") if x and not args.database):
            settings = {**CLUSTER_SETTINGS, **dict(kv.split("=", 1) for kv in args.setting)}
            pg = PgCluster(fast=False, settings=settings).start()
            kept.append(pg)
            print(f"{rows:,} stored: loading (load {_loadavg()})", flush=True)
            url, spec, times = load(pg, "loket_scale", rows)
            print(f"  load: {times['total']:.0f} s {dict((k, round(v)) for k, v in times.items())}")
            loads.append(f"{rows:,}: {times['total']:.0f} s")
            targets.append(Target(url, spec if rows else None, rows, pg.pid))
            if args.keep:
                print(f"  kept: {pg.url('loket_scale')}", flush=True)
        measure(targets, args)
        results = [t.res for t in targets]
        print()
        print(table(results))
        if loads:
            print("\nload (COPY + indexes + VACUUM ANALYZE): " + ", ".join(loads))
        if kept and args.keep:
            print("clusters kept running (--keep) until this process is interrupted", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for pg in kept:
            pg.stop()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
