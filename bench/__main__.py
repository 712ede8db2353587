"""Run benchmarks: ``python -m bench`` runs every ``bench/<name>.py`` that has a ``main()``;
``python -m bench NAME [NAME ...]`` runs the named ones; ``--list`` lists them.

Each benchmark prints its own table (medians of its runs, ratios to what it measures side by
side); several also keep their own section of docs/benchmarks.md up to date. The runner
rewrites the document's first section, "Latest `make bench` run": the date, the machine and
its load average before and after, and for each benchmark its time, whether it completed and
what it printed. A run of some benchmarks replaces their entries and keeps the others' from
earlier runs (each says when it ran). ``--no-write`` leaves the document alone; ``--doc
PATH`` writes another one.
"""

from __future__ import annotations

import importlib
import io
import os
import pkgutil
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import bench
from bench.machine import describe

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
RUN_HEADING = "## Latest `make bench` run"
_ENTRY = re.compile(r"^### `(?P<name>[a-z0-9_]+)`", re.MULTILINE)


def available() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )


@dataclass
class Ran:
    name: str
    seconds: float
    output: str
    error: str = ""
    when: str = ""


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.kept = io.StringIO()

    def write(self, text: str) -> int:
        self.out.write(text)
        return self.kept.write(text)

    def flush(self) -> None:
        self.out.flush()


def run_one(name: str) -> Ran | None:
    module = importlib.import_module(f"bench.{name}")
    if not hasattr(module, "main"):
        return None
    print(f"\n=== bench {name} ===", flush=True)
    tee = _Tee(sys.stdout)
    saved, sys.stdout = sys.stdout, tee
    started = time.perf_counter()
    error = ""
    try:
        module.main()
    except Exception as exc:  # keep going; report at the end
        error = repr(exc)
        print(f"bench {name} failed: {error}")
    finally:
        sys.stdout = saved
    seconds = time.perf_counter() - started
    print(f"=== {name}: {seconds:.1f} s ===", flush=True)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Ran(name, seconds, tee.kept.getvalue(), error, when)


def entry(ran: Ran) -> str:
    state = f"**failed**: `{ran.error}`" if ran.error else "completed"
    lines = ran.output.rstrip("\n").splitlines()[-60:]  # a table, not a log
    body = "\n".join(lines).replace("```", "'''")
    return (
        f"### `{ran.name}`\n\n{ran.when}, {ran.seconds:.0f} s, {state}.\n\n```text\n{body}\n```\n"
    )


def write_run(doc: Path, ran: list[Ran], header: str) -> None:
    """Put the run's section first in ``doc`` (after its title), keeping the entries of
    benchmarks this run did not run and every other section of the document."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    entries: dict[str, str] = {}
    if RUN_HEADING in text:
        before, _, rest = text.partition(RUN_HEADING)
        end = rest.find("\n## ")
        old, after = (rest[:end], rest[end + 1 :]) if end >= 0 else (rest, "")
        starts = [m for m in _ENTRY.finditer(old)]
        for i, m in enumerate(starts):
            stop = starts[i + 1].start() if i + 1 < len(starts) else len(old)
            entries[m["name"]] = old[m.start() : stop].rstrip("\n") + "\n"
        text = before.rstrip("\n") + "\n\n" + after
    for r in ran:
        entries[r.name] = entry(r)
    section = "\n".join([RUN_HEADING, "", header, "", *(entries[k] for k in sorted(entries))])
    title, _, rest = text.partition("\n")
    if not title.startswith("# "):
        title, rest = "# Benchmarks", text
    doc.write_text(f"{title}\n\n{section}\n{rest.lstrip(chr(10))}", encoding="utf-8")
    print(f"run written to {doc}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--list"]:
        print("\n".join(available()))
        return 0
    write, doc = True, DOC
    names: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--no-write":
            write = False
        elif arg == "--doc":
            doc = Path(next(args))
        else:
            names.append(arg)
    for name in names:
        if name not in available():
            print(f"unknown benchmark {name!r}; available: {', '.join(available())}")
            return 2
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    ran = [r for r in (run_one(name) for name in names or available()) if r is not None]
    load_after = os.getloadavg()
    failed = [r.name for r in ran if r.error]
    if write:
        header = (
            f"Started {started:%Y-%m-%d %H:%M} UTC on {describe()}; load average (1, 5, 15 min) "
            f"{_load(load_before)} before, {_load(load_after)} after. This run: "
            f"{', '.join(r.name for r in ran)}"
            + (f"; failed: {', '.join(failed)}" if failed else "")
            + ". Each entry is what the benchmark printed (its medians and ratios); the "
            "sections further down explain the figures and keep earlier measurements."
        )
        write_run(doc, ran, header)
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    return 0


def _load(values: Any) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
