"""Paper-form import: 1,000 rows with 37 planted invalid ones, error file, re-import."""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

import pytest

from common import errors as E
from common.csvformat import COLUMNS, REQUIRED_COLUMNS, to_row
from common.enums import Channel, Status
from common.errors import ApiError
from common.synthetic import MUTATIONS, Generator
from common.validation import check
from desktop.services.importer import (
    ERROR_COLUMNS,
    NIK_ALREADY_REGISTERED,
    import_csv,
    write_template,
)

TODAY = date(2026, 3, 2)
INVALID = 37


def _write(path: Path, rows: list[dict[str, str]], delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def planted() -> tuple[list[dict[str, str]], dict[int, str]]:
    """1,000 CSV rows from the synthetic generator; 37 of them mutated to be invalid.

    Returns the rows and {row index: the planted error code}."""
    gen = Generator(seed=1000, today=TODAY)
    samples = [s.applicant for s in gen.samples(1000)]
    rng = random.Random(37)
    bad = sorted(rng.sample(range(1000), INVALID))
    expected: dict[int, str] = {}
    for n, index in enumerate(bad):
        code, mutate = MUTATIONS[n % len(MUTATIONS)]
        mutate(samples[index], rng, TODAY)
        expected[index] = code
    for i, a in enumerate(samples):  # the plant is what we think it is
        result = check(a, TODAY)
        assert result.ok is (i not in expected), (i, result.error_codes)
        if i in expected:
            assert expected[i] in result.error_codes
    assert len({a["nik"] for i, a in enumerate(samples) if i not in expected}) == 1000 - INVALID
    return [to_row(a) for a in samples], expected


def test_1000_rows_with_37_invalid_then_reimport_adds_nothing(
    tmp_path,
    store,
    operator,
    clock,
    planted,
    service,
) -> None:
    rows, expected = planted
    src = _write(tmp_path / "forms.csv", rows)
    report = import_csv(store, src, operator=operator, clock=clock)
    assert (report.total, report.saved, report.already_present, report.rejected) == (
        1000,
        963,
        0,
        37,
    )
    assert report.errors_path == tmp_path / "forms.errors.csv"

    with open(report.errors_path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == list(COLUMNS) + list(ERROR_COLUMNS)
        rejected = list(reader)
    assert len(rejected) == 37
    for line in rejected:
        index = int(line["source_row"]) - 2  # line 1 is the header
        assert {c: line[c] for c in COLUMNS} == rows[index]  # every column, as it was
        assert expected[index] in line["error_codes"].split(";")
        assert line["error_messages"]

    assert service.count() == 963
    assert service.counts_by_status()[Status.SAVED] == 963
    one = service.find_by_nik(rows[0]["nik"] if 0 not in expected else rows[1]["nik"])
    assert one is not None and one.provenance.channel is Channel.PAPER

    again = import_csv(store, src, operator=operator, clock=clock)
    assert (again.saved, again.already_present, again.rejected) == (0, 963, 37)
    assert service.count() == 963


def test_fixed_error_file_imports_as_is(
    tmp_path, store, operator, clock, generator, service
) -> None:
    good = generator.applicant()
    bad = generator.applicant()
    bad["postal_code"] = "123"
    src = _write(tmp_path / "a.csv", [to_row(good), to_row(bad)])
    report = import_csv(store, src, operator=operator, clock=clock)
    assert (report.saved, report.rejected) == (1, 1)
    with open(report.errors_path, newline="", encoding="utf-8-sig") as fh:
        fixed = list(csv.DictReader(fh))
    assert fixed[0]["error_codes"] == E.POSTAL_CODE_INVALID
    fixed[0]["postal_code"] = "16110"
    with open(tmp_path / "fixed.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(fixed[0]))
        writer.writeheader()
        writer.writerows(fixed)
    report = import_csv(store, tmp_path / "fixed.csv", operator=operator, clock=clock)
    assert (report.saved, report.rejected, report.errors_path) == (1, 0, None)
    assert service.count() == 2
    from sqlalchemy import select

    from desktop.store.models import AuditEvent

    with store.session(write=False) as s:
        trail = s.execute(
            select(AuditEvent.action, AuditEvent.registration_id, AuditEvent.operator)
        ).all()
    per_record = [t for t in trail if t.registration_id is not None]
    runs = [t for t in trail if t.registration_id is None]
    assert [t.action for t in per_record] == ["imported", "imported"]
    assert [t.action for t in runs] == ["imported", "imported"]  # one summary per import run
    assert {t.operator for t in trail} == {operator.username}


def test_same_nik_with_different_content_is_rejected(
    tmp_path, store, operator, clock, generator, service
) -> None:
    a = generator.applicant()
    import_csv(store, _write(tmp_path / "1.csv", [to_row(a)]), operator=operator, clock=clock)
    changed = dict(a, street="Jl. Lain No. 9")
    twice = [to_row(changed), to_row(dict(changed, phone="081234567890"))]
    report = import_csv(store, _write(tmp_path / "2.csv", twice), operator=operator, clock=clock)
    assert (report.saved, report.already_present, report.rejected) == (0, 0, 2)
    with open(report.errors_path, newline="", encoding="utf-8-sig") as fh:
        codes = [r["error_codes"] for r in csv.DictReader(fh)]
    assert codes == [NIK_ALREADY_REGISTERED, NIK_ALREADY_REGISTERED]
    assert service.count() == 1


def test_blank_consent_time_and_blank_optional_cells(
    tmp_path, store, operator, clock, generator, service
) -> None:
    a = generator.applicant()
    row = to_row(a)
    row["consent_at"] = ""
    row["disability"] = ""
    row["email"] = ""
    src = _write(tmp_path / "b.csv", [row], delimiter=";")  # Excel in an Indonesian locale
    report = import_csv(store, src, operator=operator, clock=clock)
    assert report.saved == 1, report
    reg = service.find_by_nik(a["nik"])
    assert reg.applicant.consent_at == clock.now
    assert reg.applicant.disability.value == "none"
    # the same row again, at a later time, is still "already present"
    clock.advance(days=1)
    assert import_csv(store, src, operator=operator, clock=clock).already_present == 1


def test_dry_run_needs_no_store_and_saves_nothing(tmp_path, generator) -> None:
    bad = generator.applicant()
    bad["nik"] = bad["nik"][:15]
    src = _write(tmp_path / "c.csv", [to_row(generator.applicant()), to_row(bad)])
    out = tmp_path / "errs.csv"
    report = import_csv(None, src, operator=None, dry_run=True, errors_path=out)
    assert (report.total, report.saved, report.rejected, report.errors_path) == (2, 1, 1, out)
    assert out.exists()
    with pytest.raises(ValueError):
        import_csv(None, src, operator=None)


def test_file_level_problems(tmp_path) -> None:
    template = write_template(tmp_path / "t.csv")
    assert template.read_text(encoding="utf-8-sig").strip() == ",".join(COLUMNS)
    assert import_csv(None, template, operator=None, dry_run=True).total == 0

    (tmp_path / "missing.csv").write_text("nik,full_name\n1,A\n", encoding="utf-8")
    with pytest.raises(ApiError) as info:
        import_csv(None, tmp_path / "missing.csv", operator=None, dry_run=True)
    assert info.value.code == E.IMPORT_COLUMNS_MISSING
    assert "kk_number" in info.value.params["columns"]

    (tmp_path / "extra.csv").write_text(
        ",".join([*REQUIRED_COLUMNS, "catatan"]) + "\n", encoding="utf-8"
    )
    with pytest.raises(ApiError) as info:
        import_csv(None, tmp_path / "extra.csv", operator=None, dry_run=True)
    assert info.value.code == E.UNKNOWN_FIELD


def test_a_row_with_the_wrong_number_of_cells_is_rejected(tmp_path, generator) -> None:
    header = ",".join(COLUMNS)
    good = to_row(generator.applicant())
    text = header + "\n" + ",".join(f'"{good[c]}"' for c in COLUMNS) + "\n" + "1,2,3\n\n"
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    report = import_csv(None, tmp_path / "d.csv", operator=None, dry_run=True)
    assert (report.total, report.saved, report.rejected) == (2, 1, 1)
    with open(report.errors_path, newline="", encoding="utf-8-sig") as fh:
        line = next(csv.DictReader(fh))
    assert line["error_codes"] == E.IMPORT_ROW_MALFORMED and line["source_row"] == "3"


def test_import_doc_lists_every_column_and_allowed_value() -> None:
    from common.enums import CONSENT_VERSIONS, Disability, Education, EmploymentStatus, Sex, Skill

    doc = (Path(__file__).resolve().parents[2] / "docs" / "IMPORT.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| `{column}` |" in doc, column
    for enum in (Sex, Education, EmploymentStatus, Disability, Skill):
        for member in enum:
            assert f"| `{member.value}` |" in doc, member
    for version in CONSENT_VERSIONS:
        assert version in doc
    for column in ERROR_COLUMNS:
        assert f"| `{column}` |" in doc
