"""Sync over emulated slow links: 2G, 3G and an awful link (issue 17 item 2).

    .venv/bin/python -m bench.slow_link [--profile 2g,3g,awful] [--records 1000] [--runs 1]
                                        [--parts sync,drop,window,app] [--app-seconds 600]
                                        [--drop-at S] [--tls-chain] [--quick]

Every run builds a fresh link with tests/support/linkemu.py: two network namespaces joined by
the user-space emulator (rate, RTT, random loss, a drop-tail buffer, outages), so real kernel
TCP runs on both ends. In the server namespace: a real ``loket-server`` (SQLite) behind the
real nginx with the project's site file, terminating TLS (a self-signed certificate for the
server's link address, given to the desktop as ``--ca-bundle``; ``--tls-chain``: an RSA-2048
leaf and intermediate, the size of a public CA's chain). In the client namespace: the
real ``loket-desk`` commands as subprocesses (``python -m desktop``), on a desktop data folder
whose N registrations were saved offline.

Parts (``--parts``):

- ``sync``: ``loket-desk enroll`` (attempts, time) then ``loket-desk sync`` timed end to end
  (process start to exit): wall time, exit code, bytes per record up and down counted on the
  link (every IP packet the ends sent, so TCP/TLS/HTTP overhead and retransmissions are in),
  TCP connections opened (SYNs on the link) and requests (lines of nginx's access log).
- ``drop``: the same over the profile with the link down 5 s every 30 s, the first outage
  5 s after the command starts (``--drop-at``), so that even a 3G sync meets one.
- ``window``: a field officer's week (3,000 records, ``--window-records``) through one
  2-minute window (link up 120 s from the sync's start, then down until the command gives up),
  then the link back up and ``loket-desk sync`` again: what was left, what the second run sent
  (records and bytes on the link) and what the server holds (every record once).
- ``idle`` (not in the default parts): the same with nothing to send for ``--idle-seconds``
  over ``--idle-profile``: what the automatic syncs cost on metered data.
- ``app``: the app's automatic sync: the desktop's ``SyncController`` headless
  (``QT_QPA_PLATFORM=offscreen``, as the app makes it) in the client namespace for
  ``--app-seconds`` with the records waiting: when (if) the outbox empties, the state changes,
  the connections and requests made.

``--quick``: 2G only, 200 records, the ``sync`` part. Targets (issue 17): 2G 1,000
registrations in under 22 s with the drop every 30 s survived, at most 100 bytes per record
upstream and 20 downstream on the link; the awful link completes, with the command and with
the app's automatic sync. Figures: docs/benchmarks.md, "Slow links (issue 17)".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402
from tests.support.linkemu import (  # noqa: E402
    Link,
    Meter,
    Profile,
    Transfer,
    check_available,
    profile,
)
from tests.support.liveserver import LiveServer  # noqa: E402
from tests.support.nginx import Nginx  # noqa: E402

OPERATOR = "bench"
PASSWORD = "bench-password-17"
DROP_AT_S = 5.0  # with "+drop": the first outage this long after a measured command starts
#: --tls-chain: nginx serves an RSA-2048 leaf and intermediate (a public CA's size) instead of
#: one small self-signed ECDSA certificate
OPTIONS = {"tls_chain": False}
SYNC_LIMIT_S = 1200  # a sync still running after 20 minutes is killed (rc "killed")


@dataclass
class Rig:
    link: Link
    server: LiveServer
    nginx: Nginx
    folder: Path

    @property
    def url(self) -> str:
        return self.nginx.url

    def requests_logged(self) -> list[str]:
        path = self.nginx.access_log
        return path.read_text(errors="replace").splitlines() if path.exists() else []


@contextlib.contextmanager
def rig(prof: Profile, folder: Path, seed: int | None = None) -> Iterator[Rig]:
    with Link(prof, seed=seed) as link:
        server = LiveServer(
            folder / "server", netns=link.server_ns, host="127.0.0.1", env=_server_env()
        )
        server.start()
        try:
            proxy = Nginx(
                folder / "nginx",
                [server.port],
                host=link.server_ip,
                netns=link.server_ns,
                chain=OPTIONS["tls_chain"],
            ).start()
            try:
                yield Rig(link, server, proxy, folder)
            finally:
                proxy.stop()
        finally:
            server.stop()


def _server_env() -> dict[str, str]:
    return {}


def _desk_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    env.update(
        {
            "LOKET_PASSWORD": PASSWORD,
            "PYTHONUNBUFFERED": "1",
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def make_desk(folder: Path) -> Path:
    from desktop.services.operators import create_first_operator

    desk = folder / "desk"
    store, _operator = create_first_operator(desk, OPERATOR, PASSWORD)
    store.close()
    return desk


def save_records(desk: Path, n: int, seed: int) -> None:
    from common.synthetic import generate
    from common.validation import check
    from desktop.services.operators import unlock
    from desktop.services.registrations import RegistrationService

    store, operator = unlock(desk, OPERATOR, PASSWORD)
    try:
        applicants = [check(s.applicant).applicant for s in generate(n, seed, today=date.today())]
        RegistrationService(store, operator).save_batch(applicants)
    finally:
        store.close()


def pending(desk: Path) -> int:
    """Records not yet acknowledged, from ``loket-desk status --json`` (no network)."""
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(desk), "status", "--json"]
        + ["--operator", OPERATOR],
        cwd=ROOT,
        env=_desk_env(),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    data = json.loads(out.stdout)
    return int(data["pending"])


@dataclass
class Command:
    rc: int | None  # None: killed at the time limit
    seconds: float
    output: str
    transfer: Transfer
    requests: list[str] = field(default_factory=list)

    def sent(self) -> int:
        m = re.search(r"sync \w+: sent (\d+)", self.output)
        return int(m.group(1)) if m else -1

    def summary_line(self) -> str:
        """The command's closing ``sync ...`` line, else its last line (an error)."""
        lines = self.output.strip().splitlines()
        summaries = [line for line in lines if line.startswith("sync ")]
        if summaries:
            return summaries[-1]
        return lines[-1] if lines else ""


def desk_cmd(
    r: Rig,
    desk: Path,
    *args: str,
    limit_s: float = 1800,
    window_s: float | None = None,
    drop_at: float = DROP_AT_S,
) -> Command:
    """``loket-desk --data-dir DESK ARGS`` in the client namespace, timed, with the link's
    counters and nginx's access log lines meanwhile. ``window_s``: take the link down that
    many seconds after the start (and leave it down)."""
    cmd = r.link.client_cmd(
        sys.executable, "-m", "desktop", "--data-dir", str(desk), *args, "--operator", OPERATOR
    )
    logged = len(r.requests_logged())
    # with drops: the first one DROP_AT_S after the command starts (inside even a 3G sync)
    r.link.restart_schedule(drop_at)
    with Meter(r.link) as meter:
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=_desk_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        rc: int | None = None
        taken_down = False
        while True:
            elapsed = time.monotonic() - started
            if window_s is not None and not taken_down and elapsed >= window_s:
                r.link.set_down(True)
                taken_down = True
            try:
                rc = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if elapsed > limit_s:
                    proc.kill()
                    proc.wait()
                    rc = None
                    break
        seconds = time.monotonic() - started
        output = proc.stdout.read() if proc.stdout else ""
    time.sleep(0.5)  # nginx writes the log line as the answer goes out
    assert meter.result is not None
    return Command(rc, seconds, output, meter.result, r.requests_logged()[logged:])


def enroll(r: Rig, desk: Path, tries: int = 5) -> tuple[int, float]:
    """``loket-desk enroll`` until it succeeds: (attempts, seconds in total)."""
    started = time.monotonic()
    for attempt in range(1, tries + 1):
        code = r.server.office_and_code()
        out = desk_cmd(
            r,
            desk,
            "enroll",
            "--server",
            r.url,
            "--code",
            code,
            "--ca-bundle",
            str(r.nginx.ca_bundle),
        )
        if out.rc == 0:
            return attempt, time.monotonic() - started
        print(f"    enroll attempt {attempt} failed: {out.output.strip()[-300:]}", flush=True)
    raise AssertionError("enrollment failed on every attempt")


def server_count(r: Rig) -> tuple[int, int]:
    """(registrations, distinct ids) the server holds (its SQLite database, read directly)."""
    import sqlite3

    dbs = sorted((r.folder / "server").glob("*.db")) + sorted(
        (r.folder / "server").glob("*.sqlite*")
    )
    for db in dbs:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            tables = {
                t for (t,) in con.execute("select name from sqlite_master where type='table'")
            }
            if "registrations" in tables:
                total = con.execute("select count(*) from registrations").fetchone()[0]
                cols = [c[1] for c in con.execute("pragma table_info(registrations)")]
                key = "id" if "id" in cols else cols[0]
                distinct = con.execute(
                    f"select count(distinct {key}) from registrations"
                ).fetchone()[0]
                return int(total), int(distinct)
        finally:
            con.close()
    return -1, -1


def _status_counts(lines: list[str]) -> str:
    counts: dict[str, int] = {}
    for line in lines:
        m = re.search(r'" (\d{3}) ', line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return " ".join(f"{k}x{v}" for k, v in sorted(counts.items()))


# --- parts ------------------------------------------------------------------------------------


def part_sync(prof: Profile, n: int, seed: int, drop_at: float = DROP_AT_S) -> dict[str, Any]:
    """One ``loket-desk sync`` of ``n`` records; ``seed`` picks the records and the link's
    losses."""
    with (
        tempfile.TemporaryDirectory(prefix="loket-bench-slow-") as tmp,
        rig(prof, Path(tmp), seed=seed) as r,
    ):
        desk = make_desk(Path(tmp))
        attempts, enroll_s = enroll(r, desk)
        save_records(desk, n, seed)
        out = desk_cmd(r, desk, "sync", limit_s=SYNC_LIMIT_S, drop_at=drop_at)
        total, distinct = server_count(r)
        t = out.transfer
        return {
            "profile": prof.name,
            "records": n,
            "rc": out.rc,
            "seconds": out.seconds,
            "up_per_record": t.up.sent_bytes / n,
            "down_per_record": t.down.sent_bytes / n,
            "up_bytes": t.up.sent_bytes,
            "down_bytes": t.down.sent_bytes,
            # the link's own time for the busier direction's bytes (no waiting, no loss)
            "link_s": max(t.up.sent_bytes, t.down.sent_bytes) * 8 / prof.rate_bps,
            "connections": t.up.connections,
            "requests": len(out.requests),
            "statuses": _status_counts(out.requests),
            "enroll_attempts": attempts,
            "enroll_s": enroll_s,
            "server_total": total,
            "server_distinct": distinct,
            "summary": out.summary_line(),
            "lost": t.up.dropped_loss + t.down.dropped_loss,
            "outage_drops": t.up.dropped_outage + t.down.dropped_outage,
            "queue_drops": t.up.dropped_queue + t.down.dropped_queue,
        }


def part_window(prof: Profile, n: int, seed: int, window_s: float = 120.0) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="loket-bench-slow-") as tmp, rig(prof, Path(tmp)) as r:
        desk = make_desk(Path(tmp))
        enroll(r, desk)
        save_records(desk, n, seed)
        first = desk_cmd(r, desk, "sync", limit_s=window_s + 600, window_s=window_s)
        left = pending(desk)
        after_first = server_count(r)
        r.link.set_down(False)
        second = desk_cmd(r, desk, "sync", limit_s=1800)
        total, distinct = server_count(r)
        return {
            "profile": prof.name,
            "records": n,
            "first_rc": first.rc,
            "first_s": first.seconds,
            "first_summary": first.summary_line(),
            "first_up": first.transfer.up.sent_bytes,
            "server_after_first": after_first[0],
            "left": left,
            "second_rc": second.rc,
            "second_s": second.seconds,
            "second_sent": second.sent(),
            "second_summary": second.summary_line(),
            "second_up": second.transfer.up.sent_bytes,
            "second_down": second.transfer.down.sent_bytes,
            "second_requests": len(second.requests),
            "server_total": total,
            "server_distinct": distinct,
        }


def part_app(
    prof: Profile, n: int, seed: int, seconds: float, stay: bool = False
) -> dict[str, Any]:
    """The app's SyncController for ``seconds`` with ``n`` records waiting; it stops once the
    outbox is empty unless ``stay`` (the idle measurement: what the automatic syncs cost with
    nothing to send)."""
    with tempfile.TemporaryDirectory(prefix="loket-bench-slow-") as tmp, rig(prof, Path(tmp)) as r:
        desk = make_desk(Path(tmp))
        attempts, _ = enroll(r, desk)
        if n:
            save_records(desk, n, seed)
        logged = len(r.requests_logged())
        cmd = r.link.client_cmd(
            sys.executable,
            "-m",
            "bench.slow_link",
            "--app-run",
            str(desk),
            "--app-seconds",
            str(seconds),
            *(["--app-stay"] if stay else []),
        )
        with Meter(r.link) as meter:
            proc = subprocess.run(
                cmd,
                cwd=ROOT,
                env=_desk_env(),
                capture_output=True,
                text=True,
                timeout=seconds + 120,
                stdin=subprocess.DEVNULL,
            )
        events = []
        for line in proc.stdout.splitlines():
            with contextlib.suppress(ValueError):
                events.append(json.loads(line))
        time.sleep(0.5)
        requests = r.requests_logged()[logged:]
        done = [e for e in events if e.get("event") == "finished" and e.get("pending_after") == 0]
        states = [f"{e['t']:.0f}s {e['state']}" for e in events if e.get("event") == "state"]
        finished = [e for e in events if e.get("event") == "finished"]
        total, distinct = server_count(r)
        assert meter.result is not None
        return {
            "profile": prof.name,
            "records": n,
            "seconds": seconds,
            "completed_at": done[0]["t"] if done else None,
            "syncs_finished": len(finished),
            "outcomes": [
                f"{e['t']:.0f}s {e['outcome']} sent {e['sent']} left {e['pending_after']}"
                for e in finished
            ][:12],
            "states": states[:20],
            "connections": meter.result.up.connections,
            "requests": len(requests),
            "statuses": _status_counts(requests),
            "up_bytes": meter.result.up.sent_bytes,
            "down_bytes": meter.result.down.sent_bytes,
            "server_total": total,
            "server_distinct": distinct,
            "stderr_tail": proc.stderr[-600:] if proc.returncode else "",
            "enroll_attempts": attempts,
        }


def app_run(desk: Path, seconds: float, stay: bool = False) -> int:
    """The app's automatic sync, headless: prints one JSON line per event (run by part_app in
    the client namespace)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.services.operators import unlock
    from desktop.services.retention import purge_after_sync
    from desktop.sync.controller import SyncController
    from desktop.tasks import TaskManager

    app = QApplication([])
    store, _operator = unlock(desk, OPERATOR, PASSWORD)
    tasks = TaskManager()
    t0 = time.monotonic()

    def emit(event: str, **kw: Any) -> None:
        print(json.dumps({"t": round(time.monotonic() - t0, 1), "event": event, **kw}), flush=True)

    # as the app makes it (desktop/application.py, _make_sync)
    ctl = SyncController(store, tasks, lang="id", after_pull=lambda: purge_after_sync(store))
    ctl.state_changed.connect(lambda s: emit("state", state=s))
    ctl.pending_changed.connect(lambda p: emit("pending", pending=p))

    def finished(report: Any) -> None:
        emit(
            "finished",
            outcome=report.outcome.value,
            sent=report.sent,
            pending_after=report.pending_after,
            error=report.error_code,
        )
        if report.pending_after == 0 and report.outcome.value == "ok" and not stay:
            QTimer.singleShot(1000, app.quit)

    ctl.finished.connect(finished)
    ctl.start()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    emit("stopped")
    ctl.stop(wait_s=5)
    store.close()
    os._exit(0)  # an I/O worker may still wait on the link; the measurement is over


# --- report -----------------------------------------------------------------------------------


def _fmt_rc(rc: int | None) -> str:
    return "killed" if rc is None else str(rc)


def print_sync(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'profile':<12} {'records':>7} {'rc':>6} {'time s':>8} {'link s':>6} {'up B/rec':>9} {'down B/rec':>10} "
        f"{'conns':>5} {'reqs':>5}  statuses, enrollment, server"
    )
    for row in rows:
        print(
            f"{row['profile']:<12} {row['records']:>7,} {_fmt_rc(row['rc']):>6} {row['seconds']:>8.1f} "
            f"{row['link_s']:>6.1f} "
            f"{row['up_per_record']:>9.0f} {row['down_per_record']:>10.0f} {row['connections']:>5.0f} "
            f"{row['requests']:>5.0f}  {row['statuses']}; enroll {row['enroll_attempts']} try "
            f"{row['enroll_s']:.1f} s; server holds {row['server_total']} ({row['server_distinct']} distinct)"
        )
        print(f"{'':<12} {row['summary']}")


def median_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(rows[0])
    for key in ("seconds", "link_s", "up_per_record", "down_per_record", "connections", "requests"):
        out[key] = statistics.median(r[key] for r in rows)
    out["profile"] = f"{rows[0]['profile']} (med {len(rows)})"
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.slow_link", description=__doc__.split("\n")[0])
    parser.add_argument("--profile", default="2g,3g,awful")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--window-records", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--first-seed", type=int, default=1, help="seed of the first run (records, losses)"
    )
    parser.add_argument(
        "--awful-runs", type=int, default=1, help="runs on the awful link (each takes minutes)"
    )
    parser.add_argument("--parts", default="sync,drop,window,app")
    parser.add_argument("--app-profile", default="awful")
    parser.add_argument("--app-seconds", type=float, default=600.0)
    parser.add_argument("--window-profile", default="2g")
    parser.add_argument("--window-seconds", type=float, default=120.0)
    parser.add_argument("--drop-at", type=float, default=DROP_AT_S, metavar="S")
    parser.add_argument(
        "--tls-chain",
        action="store_true",
        help="an RSA certificate chain of a public CA's size (default: one small ECDSA certificate)",
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--idle-profile", default="2g")
    parser.add_argument("--idle-seconds", type=float, default=360.0)
    parser.add_argument("--app-run", metavar="DESK", help=argparse.SUPPRESS)
    parser.add_argument("--app-stay", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.app_run:
        sys.exit(app_run(Path(args.app_run), args.app_seconds, args.app_stay))
    if args.quick:
        args.profile, args.records, args.parts = "2g", 200, "sync"
    OPTIONS["tls_chain"] = args.tls_chain
    why = check_available()
    if why:
        print(f"slow_link not run: {why}")
        return
    parts = set(args.parts.split(","))
    names = [p.strip() for p in args.profile.split(",") if p.strip()]
    print(describe())
    print(
        "TLS: "
        + (
            "RSA-2048 leaf + intermediate"
            if args.tls_chain
            else "one self-signed ECDSA P-256 certificate"
        )
    )
    print(
        f"load average at start: {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    for name in names:
        print(profile(name).describe())
    if "sync" in parts or "drop" in parts:
        rows = []
        variants = [n for n in names if "sync" in parts] + [
            f"{n}+drop" for n in names if "drop" in parts and "+" not in n
        ]
        for name in variants:
            count = args.awful_runs if name.startswith("awful") else args.runs
            runs = [
                part_sync(profile(name), args.records, seed, args.drop_at)
                for seed in range(args.first_seed, args.first_seed + count)
            ]
            rows.extend(runs)
            if len(runs) > 1:
                rows.append(median_rows(runs))
            print_sync(rows[-1:] if len(runs) == 1 else runs + rows[-1:])
            print(f"  load average {os.getloadavg()[0]:.2f}", flush=True)
        print(
            f"\n`loket-desk sync` of {args.records:,} registrations (bytes: IP packets on the link):"
        )
        print_sync(rows)
    if "window" in parts:
        w = part_window(profile(args.window_profile), args.window_records, 7, args.window_seconds)
        print(
            f"\nwindow: {w['records']:,} records over {w['profile']}, link up {args.window_seconds:.0f} s then down:"
        )
        for key, value in w.items():
            print(f"  {key}: {value}")
        if w["left"] > 0 and w["second_sent"] >= 0:
            print(f"  second run: {w['second_up'] / max(1, w['left']):.0f} B up per record left")
        print(f"  load average {os.getloadavg()[0]:.2f}", flush=True)
    if "app" in parts:
        a = part_app(profile(args.app_profile), args.records, 11, args.app_seconds)
        print(
            f"\nautomatic sync (SyncController, headless) over {a['profile']}, {a['records']:,} waiting, up to {a['seconds']:.0f} s:"
        )
        for key, value in a.items():
            print(f"  {key}: {value}")
        print(f"  load average {os.getloadavg()[0]:.2f}", flush=True)
    if "idle" in parts:
        a = part_app(profile(args.idle_profile), 0, 0, args.idle_seconds, stay=True)
        minutes = a["seconds"] / 60
        print(
            f"\nautomatic sync with nothing to send over {a['profile']}, {a['seconds']:.0f} s: "
            f"{a['syncs_finished']} syncs, {a['connections']} TCP connections, {a['requests']} requests, "
            f"{(a['up_bytes'] + a['down_bytes']) / minutes / 1000:.1f} KB per minute on the link "
            f"(up {a['up_bytes']:,} B, down {a['down_bytes']:,} B)"
        )
        for key, value in a.items():
            print(f"  {key}: {value}")
        print(f"  load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
