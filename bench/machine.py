"""A one-line description of the machine, for docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sys


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
