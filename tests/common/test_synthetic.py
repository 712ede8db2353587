from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.csvformat import COLUMNS
from common.nik import parse_nik
from common.regions import regions
from common.synthetic import MUTATIONS, generate
from common.validation import check

TODAY = date(2026, 6, 1)
ROOT = Path(__file__).resolve().parents[2]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1), invalid_share=st.floats(0, 1), duplicate_share=st.floats(0, 0.5)
)
def test_valid_records_validate_and_planted_ones_give_exactly_their_codes(
    seed: int, invalid_share: float, duplicate_share: float
) -> None:
    for sample in generate(
        30,
        seed,
        today=TODAY,
        offices=3,
        invalid_share=invalid_share,
        duplicate_share=duplicate_share,
        family_share=0.1,
    ):
        result = check(sample.applicant, TODAY)
        assert set(result.error_codes) == set(sample.expected_errors), (sample, result.problems)
        if not sample.expected_errors:
            assert result.problems == []  # no warnings either


def test_every_mutation_is_used_and_yields_its_code() -> None:
    samples = generate(3000, 11, today=TODAY, invalid_share=0.5)
    planted = Counter(code for s in samples for code in s.expected_errors)
    assert set(planted) == {code for code, _ in MUTATIONS}


def test_realistic_values() -> None:
    areas = regions()
    for s in generate(300, 5, today=TODAY):
        a = check(s.applicant, TODAY).applicant
        parts = parse_nik(a.nik, TODAY)
        assert parts is not None and parts.sex is a.sex and parts.birth_date == a.birth_date
        assert a.village_code.startswith(parts.district_code)  # NIK agrees with the region
        assert a.village_code in areas
        assert 19 <= (TODAY - a.birth_date).days // 365 <= 63


def test_deterministic_for_a_seed() -> None:
    a = [s.applicant for s in generate(50, 42, today=TODAY)]
    b = [s.applicant for s in generate(50, 42, today=TODAY)]
    c = [s.applicant for s in generate(50, 43, today=TODAY)]
    assert a == b and a != c


def test_cross_office_duplicates_and_shared_family_cards() -> None:
    samples = generate(500, 3, today=TODAY, offices=4, duplicate_share=0.1, family_share=0.1)
    dups = [s for s in samples if s.duplicate_of is not None]
    fams = [s for s in samples if s.same_kk_as is not None]
    assert len(dups) > 20 and len(fams) > 20
    for s in dups:
        src = samples[s.duplicate_of]
        assert s.applicant["nik"] == src.applicant["nik"] and s.office != src.office
    for s in fams:
        assert s.applicant["kk_number"] == samples[s.same_kk_as].applicant["kk_number"]


def test_cli_csv_and_jsonl(tmp_path: Path) -> None:
    out_csv = tmp_path / "a.csv"
    out_jsonl = tmp_path / "a.jsonl"
    for fmt, out in (("csv", out_csv), ("jsonl", out_jsonl)):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "common.synthetic",
                "--count",
                "25",
                "--seed",
                "9",
                "--format",
                fmt,
                "--out",
                str(out),
                "--invalid-share",
                "0.2",
            ],
            cwd=ROOT,
            check=True,
            timeout=120,
        )
    with out_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 25 and tuple(rows[0]) == COLUMNS
    lines = [json.loads(line) for line in out_jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 25
    # the CSV rows validate exactly as the JSON ones do
    for row, line in zip(rows, lines, strict=True):
        assert set(check(row).error_codes) == set(line["expected_errors"])
