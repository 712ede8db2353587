"""CSV export (issue 12, finding 15): the masked NIK cannot be rebuilt from the other columns of
its row, and no cell runs as a formula whichever separator a spreadsheet splits on."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from common.synthetic import generate
from tests.syncserver.console.conftest import post
from tests.syncserver.console.test_export import rows_of

TRIGGERS = tuple("=+-@\uff1d\uff0b\uff0d\uff20")
PHONE = re.compile(r"\+?\d{8,16}")


def _push_samples(api: Any, count: int, seed: int) -> None:
    samples = [s.applicant for s in generate(count, seed=seed) if not s.expected_errors]
    dev = api.enroll("320101")
    for i in range(0, len(samples), 100):
        r = api.push(dev, [api.record(a, dev) for a in samples[i : i + 100]])
        assert "invalid" not in r.outcomes, r.outcomes


def _dates(row: dict[str, str]) -> list[date]:
    """Every birth date the row allows."""
    if row.get("birth_date"):
        return [date.fromisoformat(row["birth_date"])]
    years = [int(row["birth_year"])] if row.get("birth_year") else list(range(1930, 2015))
    out = []
    for y in years:
        d = date(y, 1, 1)
        while d.year == y:
            out.append(d)
            d += timedelta(days=1)
    return out


def nik_candidates(row: dict[str, str]) -> set[str]:
    """Every NIK that fits the row: its visible digits, and NIK = 6-digit district (the
    village code's first 6 digits) + DDMMYY (DD + 40 for women) + 4-digit sequence."""
    shown = row["nik"]
    visible = {i: ch for i, ch in enumerate(shown) if ch.isdigit()}
    district = re.sub(r"\D", "", row["village_code"])[:6]
    seqs = [shown[12:]] if shown[12:].isdigit() else [f"{n:04d}" for n in range(1, 10000)]
    sexes = [row["sex"]] if row.get("sex") in ("L", "P") else ["L", "P"]
    out: set[str] = set()
    for d in _dates(row):
        for sex in sexes:
            middle = f"{d.day + (40 if sex == 'P' else 0):02d}{d.month:02d}{d.year % 100:02d}"
            for seq in seqs:
                nik = district + middle + seq
                if all(nik[i] == ch for i, ch in visible.items()):
                    out.add(nik)
    return out


def test_masked_nik_not_rebuilt_from_the_row(signed_in: dict[str, Any], api: Any) -> None:
    _push_samples(api, 160, seed=1512)
    truth = dict(api.sql("select id, nik from registrations"))
    kk = dict(api.sql("select id, kk_number from registrations"))
    rows = rows_of(post(signed_in["reviewer"], "/console/export.csv", {}))
    assert len(rows) == len(truth) >= 100
    for row in rows:
        candidates = nik_candidates(row)
        assert truth[row["id"]] in candidates  # the attack is the right one
        assert len(candidates) >= 365, (row, sorted(candidates)[:3])
        # The family card: only its last 4 digits, and its issue date (digits 7-12) nowhere.
        assert row["kk_number"] == "*" * 12 + kk[row["id"]][-4:]
        issue = kk[row["id"]][6:12]
        # (the server's own times are left out: on 3 December at 15:00 WIB "2026-12-03T15"
        # holds the digits of a card issued on 12-03-15, from the clock, not from the card)
        leaks = [
            (k, v)
            for k, v in row.items()
            if k != "kk_number" and not k.endswith("_at") and issue in re.sub(r"\D", "", v)
        ]
        assert not leaks, (issue, leaks)
        # Still useful: year, sex, place, last digits to match against the paper form.
        assert re.fullmatch(r"\d{4}", row["birth_year"]) and row["sex"] in ("L", "P")
        assert row["nik"].endswith(truth[row["id"]][-4:]) and row["village_code"]
    assert "birth_date" not in rows[0]


def test_full_nik_export_keeps_every_column(signed_in: dict[str, Any], api: Any) -> None:
    _push_samples(api, 30, seed=1513)
    truth = {r[0]: r[1:] for r in api.sql("select id, nik, kk_number from registrations")}
    rows = rows_of(post(signed_in["admin"], "/console/export.csv", {"full_nik": "1"}))
    assert rows and all((r["nik"], r["kk_number"]) == truth[r["id"]] for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r["birth_date"]) for r in rows)
    assert "birth_year" not in rows[0]
    audit = api.sql("select actor from audit_log where action = 'export.csv'")
    assert audit == [("admin",)]


PAYLOADS = (
    "X;=1+2",
    'Budi,=HYPERLINK("http://x")',
    "Ani\t+1+1",
    "Sri|@SUM(1)",
    "Dewi; -2+3",
    'Eka;"=1"',
    "=cmd|' /C calc'!A0",
    "Rina\n=1",
    "Tuti;\uff1d1",
)


def _formula_cells(raw: str) -> list[str]:
    """Cells that start a formula when the file is cut on any separator, quote-aware (as
    Excel reads a file) or naively (as a line split)."""
    found: list[str] = []
    text_ = raw.lstrip("\ufeff")
    for sep in (",", ";", "\t", "|"):
        parsed = [c for line in csv.reader(io.StringIO(text_), delimiter=sep) for c in line]
        naive = [c for line in text_.splitlines() for c in line.split(sep)]
        for cell in parsed + naive:
            lead = cell.lstrip(' "\u00a0\r\n\t')
            if lead[:1] in TRIGGERS and not PHONE.fullmatch(lead.strip('"')):
                found.append(cell)
    return found


def test_no_formula_cell_whichever_separator(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    ids = seeded.ids[: len(PAYLOADS)]
    with api.ext.engine.begin() as conn:  # stored text as an old server or a bug left it
        for rid, payload in zip(ids, PAYLOADS, strict=True):
            conn.execute(
                text("update registrations set full_name = :v where id = :i"),
                {"v": payload, "i": rid},
            )
    for who, form in (("reviewer", {}), ("admin", {"full_nik": "1"})):
        r = post(signed_in[who], "/console/export.csv", form)
        raw = r.get_data().decode("utf-8-sig")
        assert _formula_cells(raw) == []
        # Each payload is still one cell, shown with its apostrophes.
        names = {row["id"]: row["full_name"] for row in rows_of(r)}
        assert names[ids[0]] == "X;'=1+2"
        assert names[ids[6]] == "'=cmd|' /C calc'!A0"
        assert all(
            names[i].replace("'", "") == p.replace("'", "")
            for i, p in zip(ids, PAYLOADS, strict=True)
        )


def test_pages_that_mask_the_nik_show_no_birth_date_that_rebuilds_it(
    signed_in: dict[str, Any], api: Any, seeded: Any
) -> None:
    """The same rule on screen: whoever sees the NIK masked (a viewer) sees the birth year only,
    on the record page, its revision diff and the duplicate comparison; a reviewer sees all."""
    first = seeded.dup_ids[0]
    applicant = api.sql("select applicant from registrations where id = :i", i=first)[0][0]
    if isinstance(applicant, str):  # SQLite hands back the JSON text
        applicant = json.loads(applicant)
    born, nik = applicant["birth_date"], applicant["nik"]
    group = api.sql("select id from duplicate_groups where kind = 'nik'")[0][0]
    pages = (f"/console/records/{first}", f"/console/duplicates/{group}")
    for path in pages:
        r = signed_in["viewer"].get(path)
        assert r.status_code == 200, path
        viewer = r.get_data(as_text=True)
        assert born not in viewer and nik not in viewer, path
        assert f">{born[:4]}<" in viewer, path  # the year alone, in its own cell
        reviewer = signed_in["reviewer"].get(path).get_data(as_text=True)
        assert born in reviewer and nik in reviewer, path
