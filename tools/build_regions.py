"""Pack the Kemendagri region list (shared/data/idn-area-data-4.0.1) into common/data/.

The packed form is one gzip'd text file, one line per area in hierarchical order, each line
``<level><local code>\t<name>`` where the local code is only the part below the parent
(``P11``, ``R01``, ``D01``, ``V2001``). That is about a quarter of the CSVs' size and loads in
one pass. Run: ``python tools/build_regions.py [SOURCE_DIR]``.
"""

from __future__ import annotations

import csv
import gzip
import shutil
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "idn-area-data-4.0.1"
OUT = ROOT / "common" / "data"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main(source: Path) -> None:
    provinces = read(source / "provinces.csv")
    children: dict[str, list[dict[str, str]]] = defaultdict(list)
    for name, parent_key in (
        ("regencies.csv", "province_code"),
        ("districts.csv", "regency_code"),
        ("villages.csv", "district_code"),
    ):
        for row in read(source / name):
            children[row[parent_key]].append(row)
    lines: list[str] = []

    def emit(level: str, row: dict[str, str], parent: str | None) -> None:
        code = row["code"]
        local = code if parent is None else code[len(parent) + 1 :]
        lines.append(f"{level}{local}\t{row['name'].strip()}")

    for p in sorted(provinces, key=lambda r: r["code"]):
        emit("P", p, None)
        for r in sorted(children[p["code"]], key=lambda r: r["code"]):
            emit("R", r, p["code"])
            for d in sorted(children[r["code"]], key=lambda r: r["code"]):
                emit("D", d, r["code"])
                for v in sorted(children[d["code"]], key=lambda r: r["code"]):
                    emit("V", v, d["code"])
    OUT.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with gzip.GzipFile(OUT / "regions.txt.gz", "wb", compresslevel=9, mtime=0) as fh:
        fh.write(data)
    for name in ("LICENSE.md", "LICENSE-code-MIT", "SOURCE.md"):
        shutil.copyfile(source / name, OUT / f"regions-{name}")
    print(
        f"{len(lines)} areas -> {OUT / 'regions.txt.gz'} ({(OUT / 'regions.txt.gz').stat().st_size} bytes)"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE)
