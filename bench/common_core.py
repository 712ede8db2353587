"""Foundation benchmarks (issue 2): validation rate and region data/search latency.

Targets: validation >= 50,000 records/s on one core; region data loaded < 200 ms;
village prefix search p95 < 5 ms.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date

from bench.machine import describe, percentile
from common import regions as regions_module
from common.synthetic import generate
from common.validation import check, parse_applicant, validate


def bench_validation(n: int = 20_000, rounds: int = 5) -> dict[str, float]:
    today = date.today()
    raws = [s.applicant for s in generate(n, seed=2024, today=today, invalid_share=0.05)]
    typed = [parse_applicant(r)[0] for r in raws]
    full, rules = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        for raw in raws:
            check(raw, today)
        full.append(n / (time.perf_counter() - t))
        t = time.perf_counter()
        for a in typed:
            validate(a, today)
        rules.append(n / (time.perf_counter() - t))
    return {"check_rps": statistics.median(full), "rules_rps": statistics.median(rules)}


def bench_regions(queries: int = 2_000) -> dict[str, float]:
    loads = []
    for _ in range(7):
        t = time.perf_counter()
        regions_module.load()
        loads.append(time.perf_counter() - t)
    r = regions_module.load()
    t = time.perf_counter()
    r.warm()
    index_s = time.perf_counter() - t
    rng = random.Random(7)
    villages = [v.code for d in r.children("32.01") for v in r.children(d.code)]
    names = [
        r.name(c)
        for p in r.children("")
        for reg in r.children(p.code)[:3]
        for d in r.children(reg.code)[:3]
        for c in (v.code for v in r.children(d.code))
    ]
    names += [r.name(c) for c in villages]
    prefixes = []
    for _ in range(queries):
        name = rng.choice(names) or "a"
        word = rng.choice(name.split())
        prefixes.append(word[: rng.randint(1, max(1, min(8, len(word))))])
    lat = []
    for q in prefixes:
        t = time.perf_counter()
        r.search(q, limit=20)
        lat.append((time.perf_counter() - t) * 1000)
    return {
        "load_ms_median": statistics.median(loads) * 1000,
        "index_ms": index_s * 1000,
        "search_ms_median": statistics.median(lat),
        "search_ms_p95": percentile(lat, 95),
        "search_ms_max": max(lat),
    }


def main() -> None:
    print(describe())
    v = bench_validation()
    print(
        f"validation, full check (parse + rules) from raw dicts: {v['check_rps']:,.0f} records/s (median of 5)"
    )
    print(f"validation, rules only on typed records:             {v['rules_rps']:,.0f} records/s")
    r = bench_regions()
    print(
        f"region data load: {r['load_ms_median']:.1f} ms median; search index build: {r['index_ms']:.0f} ms (once, lazily)"
    )
    print(
        f"village prefix search: median {r['search_ms_median']:.3f} ms, p95 {r['search_ms_p95']:.3f} ms, max {r['search_ms_max']:.2f} ms"
    )


if __name__ == "__main__":
    main()
