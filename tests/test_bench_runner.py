"""`make bench` (python -m bench) rewrites the first section of docs/benchmarks.md: the run's
date, machine and load, and each benchmark's printed table; a partial run replaces only its
own entries, and every other section of the document is kept as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.__main__ import RUN_HEADING, Ran, write_run

ROOT = Path(__file__).resolve().parents[1]
DOC = """# Benchmarks

## How to read these figures

Hand-written words.

## Ingest (issue 4)

| a | b |
|---|---|
| 1 | 2 |
"""


def test_a_run_rewrites_its_section_and_keeps_the_rest(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)
    write_run(
        doc,
        [Ran("alpha", 3.0, "alpha table\n", when="t1"), Ran("beta", 1.0, "b1\n", when="t1")],
        "first run",
    )
    write_run(doc, [Ran("beta", 2.0, "b2\n", error="RuntimeError('x')", when="t2")], "second run")
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\n" + RUN_HEADING)
    assert text.count(RUN_HEADING) == 1 and "first run" not in text and "second run" in text
    assert "alpha table" in text and "t1, 3 s, completed" in text  # kept from the first run
    assert "b1" not in text and "b2" in text and "**failed**" in text  # replaced
    assert text.endswith(DOC.split("\n", 2)[2])  # the hand-written sections as they were


def test_make_bench_runs_a_benchmark_and_writes_what_it_printed(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC)
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--doc", str(doc), "common_core"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = doc.read_text()
    entry = text.split("### `common_core`", 1)[1].split("\n## ", 1)[0]
    assert "completed" in entry and "records/s (median of 5)" in entry
    assert "load average" in text and "cores" in text  # the machine and its load
    assert "Hand-written words." in text
