"""common/bulk.py: the bulk rows agree with each other and with the programme's rules (every
applicant valid, NIKs unique but for the planted duplicates, each family card in at most two
slots, the summaries equal to the rows), and any range of batches is the same rows whether
generated alone or with the rest."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from common.bulk import BATCH, BulkSpec, Counts
from common.validation import check

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ROWS = 60_000  # past DUP_DISTANCE, and several laps of the smallest pools (per_regency=20)


def _rows(spec: BulkSpec, table: str) -> list[list[str]]:
    text, _ = spec.table(table, 0, spec.n_batches)
    return [line.split("\t") for line in text.splitlines()]


def test_shares_uniqueness_and_validity() -> None:
    spec = BulkSpec(ROWS, seed=3, per_regency=20, now=NOW)
    regs = _rows(spec, "registrations")
    assert len(regs) == ROWS
    flagged = [r for r in regs if r[21] == "duplicate_nik"]
    assert len(flagged) == ROWS // 50  # 2 %
    primaries = {r[4]: r[0] for r in regs if r[21] == "\\N"}
    assert len(primaries) == ROWS - len(flagged)  # unique NIKs but for the duplicates
    for r in flagged:  # each repeats one stored NIK, and points at its first registration
        assert primaries[r[4]] == r[22]
    assert len({r[22] for r in flagged}) == len(flagged)
    kk = Counter(r[5] for r in regs if r[21] == "\\N")
    assert max(kk.values()) == 2 and sum(1 for n in kk.values() if n == 2) == ROWS // 20
    # each batch from one of the 1,028 devices of all 514 regencies, its people from there
    assert len({r[2] for r in regs}) > 90 and len({r[9] for r in flagged}) > 50
    assert all(r[9].replace(".", "") == r[2][:4] for r in regs if r[21] == "\\N")
    assert len(spec.offices) == 514 == len({reg for _, reg in spec.offices})
    assert spec.laps_used() > 1  # serials past the first lap are exercised
    assert len({r[1] for r in regs}) == ROWS  # registration codes
    for r in regs[:: ROWS // 300]:  # the stored document is a valid applicant, as stored
        doc = json.loads(r[13].replace("\\\\", "\\"))
        assert doc == spec.applicant(int(r[0][:8], 16))
        assert (doc["nik"], doc["kk_number"], doc["full_name"]) == (r[4], r[5], r[6])
        result = check(doc, NOW.date())
        assert result.problems == [], (doc, result.problems)
    claims = _rows(spec, "nik_primaries")
    assert {c[0]: c[1] for c in claims} == primaries
    slots = _rows(spec, "kk_slots")
    assert len({(s[0], s[1]) for s in slots}) == len(slots) == len(primaries)
    groups = _rows(spec, "duplicate_groups")
    assert len(groups) == len(flagged) and {g[2] for g in groups} == {r[4] for r in flagged}


def test_ranges_are_independent_and_summaries_match() -> None:
    spec = BulkSpec(5 * BATCH + 17, seed=9, per_regency=10, now=NOW)
    whole, counts = spec.table("registrations", 0, spec.n_batches)
    parts = Counts()
    texts = []
    for b0 in (3, 0, 5, 1):  # out of order, as worker processes may deliver them
        b1 = {0: 1, 1: 3, 3: 5, 5: 6}[b0]
        text, c = spec.table("registrations", b0, b1)
        texts.append((b0, text))
        parts.add(c)
    assert "".join(t for _, t in sorted(texts)) == whole
    assert parts.regency_status == counts.regency_status
    regs = [line.split("\t") for line in whole.splitlines()]
    assert counts.regency_status == Counter((r[9], r[11]) for r in regs)
    decisions, dc = spec.table("review_decisions", 0, spec.n_batches)
    decided = [r for r in regs if r[11] in ("verified", "returned", "rejected")]
    assert len(decisions.splitlines()) == len(decided) == sum(dc.day_decisions.values())
    batches = [
        line.split("\t") for line in spec.table("batches", 0, spec.n_batches)[0].splitlines()
    ]
    assert sum(int(b[6]) for b in batches) == len(regs)


def test_imports_no_database_driver_qt_or_flask() -> None:
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'flask', 'psycopg', 'sqlalchemy'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from common.bulk import BulkSpec\n"
        "print(len(BulkSpec(1000, per_regency=5).table('registrations', 0, 2)[0]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 1000
