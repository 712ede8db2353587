"""Run benchmarks: ``python -m bench`` runs every ``bench/<name>.py`` that has a ``main()``;
``python -m bench NAME [NAME ...]`` runs the named ones; ``--list`` lists them.

Each benchmark prints its own table and returns normally; figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def available() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--list"]:
        print("\n".join(available()))
        return 0
    names = argv or available()
    failed = []
    for name in names:
        if name not in available():
            print(f"unknown benchmark {name!r}; available: {', '.join(available())}")
            return 2
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"\n=== bench {name} ===", flush=True)
        started = time.perf_counter()
        try:
            module.main()
        except Exception as exc:  # keep going; report at the end
            failed.append(name)
            print(f"bench {name} failed: {exc!r}")
        print(f"=== {name}: {time.perf_counter() - started:.1f} s ===", flush=True)
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
