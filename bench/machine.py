"""A one-line description of the machine, for docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path


def describe() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {sys.version.split()[0]}, "
        f"{platform.system()} {platform.release()}"
    )


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def write_section(doc: Path, heading: str, section: str) -> None:
    """Put ``section`` (starting with ``heading``) into the benchmarks document, replacing the
    previous text under that heading and keeping every other section."""
    doc.parent.mkdir(parents=True, exist_ok=True)
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    if heading in text:
        before, _, rest = text.partition(heading)
        nxt = rest.find("\n## ")
        text = before + section + (rest[nxt:] if nxt >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")
    print(f"results written to {doc}")
