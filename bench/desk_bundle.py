"""Desktop bundle benchmark (issue 18): the bundle's size and its cold start to the login window.

    .venv/bin/python -m bench desk_bundle [--runs 7] [--no-build] [--drop-caches] [--no-write]

* Builds ``dist/loket-desk/`` and the .deb as ``make installer`` does (incremental: the runtime
  venv and PyInstaller's analysis are reused), unless ``--no-build`` (then it measures what is
  in dist/).
* Size: the bundle's files (symlinks not counted twice) and the .deb. Target: < 250 MB.
* Cold start: ``dist/loket-desk/loket-desk --data-dir NEW`` with ``LOKET_DESK_EXIT_AFTER_SHOW=1``
  (desktop/application.py: prints ``LOKET_LOGIN_SHOWN <time.monotonic()>`` when the login window
  is shown, then quits) on the offscreen platform: from spawning the process to that line, the
  first run on a fresh data folder and then the median of ``--runs``. ``--drop-caches`` empties
  the page cache before every run (root; slows everything else on the machine for a moment),
  so each start reads the bundle from disk. Target: < 3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.machine import describe, write_section

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Desktop bundle (issue 18)"
DIST = ROOT / "dist"
PROGRAM = DIST / "loket-desk" / "loket-desk"


def _drop_caches() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def _size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_symlink())


def build() -> float:
    started = time.monotonic()
    for script in ("installers/desktop/build.py", "installers/linux/build_deb.py"):
        subprocess.run([sys.executable, script], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def start_once(data_dir: Path, drop: bool) -> float:
    if drop:
        _drop_caches()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LOKET_DESK_EXIT_AFTER_SHOW": "1"}
    started = time.monotonic()
    out = subprocess.run(
        [str(PROGRAM), "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    shown = next(
        float(line.split()[1]) for line in out.splitlines() if line.startswith("LOKET_LOGIN_SHOWN")
    )
    return shown - started


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(prog="python -m bench desk_bundle")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-build", action="store_true", help="measure dist/ as it is")
    ap.add_argument("--drop-caches", action="store_true", help="empty the page cache each run")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args(argv if argv is not None else [])
    r: dict[str, Any] = {"load": os.getloadavg()[0], "drop": args.drop_caches}
    r["build_s"] = None if args.no_build else build()
    r["bundle_bytes"] = _size(PROGRAM.parent)
    debs = sorted(DIST.glob("loket-desk_*_amd64.deb"))
    r["deb_bytes"] = debs[-1].stat().st_size if debs else None
    work = Path(tempfile.mkdtemp(prefix="loket-bench-bundle-"))
    r["first"] = start_once(work / "first", args.drop_caches)
    times = [start_once(work / "again", args.drop_caches) for _ in range(args.runs)]
    r["runs"], r["median"], r["max"] = args.runs, statistics.median(times), max(times)
    print(f"bundle {r['bundle_bytes'] / 1e6:.1f} MB; .deb {(r['deb_bytes'] or 0) / 1e6:.1f} MB")
    print(
        f"start to login window: first {r['first']:.2f} s, median of {args.runs} "
        f"{r['median']:.2f} s (max {r['max']:.2f})"
    )
    if not args.no_write:
        write_doc(r)
    return r


def write_doc(r: dict[str, Any]) -> None:
    build_line = "" if r["build_s"] is None else f" (`make installer` took {r['build_s']:.0f} s)"
    deb = "-" if r["deb_bytes"] is None else f"{r['deb_bytes'] / 1e6:.1f} MB"
    cache = (
        "the page cache emptied before every start (`--drop-caches`)"
        if r["drop"]
        else "the page cache warm (the bundle's files read before)"
    )
    section = f"""{HEADING}

Run {date.today().isoformat()} on {describe()}; load average {r["load"]:.1f} when it started.
`.venv/bin/python -m bench desk_bundle`{build_line}.

| measure | result | target |
|---|---|---|
| bundle `dist/loket-desk/` (PyInstaller one folder, stripped) | {r["bundle_bytes"] / 1e6:.1f} MB | < 250 MB |
| package `dist/loket-desk_<version>_amd64.deb` (gzip) | {deb} | |
| start of the bundled program to the login window, first start on a new data folder | {r["first"]:.2f} s | < 3 s |
| the same, median of {r["runs"]} starts (max) | {r["median"]:.2f} s ({r["max"]:.2f}) | < 3 s |

Start: spawning `dist/loket-desk/loket-desk --data-dir D` with `LOKET_DESK_EXIT_AFTER_SHOW=1` on the
offscreen platform until it prints `LOKET_LOGIN_SHOWN` (the login window shown), with {cache}.
The bundle unpacks nothing at start (one folder, not one file): Python and Qt load from
`_internal/` as from an installed environment.
"""
    write_section(DOC, HEADING, section)


if __name__ == "__main__":
    main(sys.argv[1:])
