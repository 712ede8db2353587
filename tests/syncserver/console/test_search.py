"""Issue 14, defect 4: the console finds records the way reviewers type them: any word or
part of a name, phones without the leading 0 or with +62 and spaces, codes without dashes or
with the letter O for zero, NIKs with spaces, digit fragments; read by common.search_terms,
matched through the search indexes of migration 0009 (trigram GIN on PostgreSQL, FTS5 on
SQLite), kept current by ingest. Run on PostgreSQL too (test_postgres.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from common.synthetic import generate

NAME = "Agus Duplianto Hidayat"
#: The revision migration 0009 (the search index) follows.
BEFORE_SEARCH_INDEX = "0008_decision_rules"


@pytest.fixture
def findable(api: Any) -> dict[str, Any]:
    bogor = api.enroll("320101", name="PC 1")
    samples = [s.applicant for s in generate(12, seed=1404)]
    target = dict(samples[0], full_name=NAME, phone="081234567890")
    words = "Ani Budi Cici Dodi Edo Fani Gani Hani Ika Joni Kiki".split()
    others = [dict(a, full_name=f"{w} Santoso") for w, a in zip(words, samples[1:], strict=True)]
    recs = [api.record(target, bogor), *(api.record(a, bogor) for a in others)]
    assert set(api.push(bogor, recs).outcomes) == {"accepted"}
    row = api.sql("select id, nik, code, phone from registrations where id = :i", i=recs[0].id)
    rid, nik, code, phone = row[0]
    return {
        "id": rid,
        "nik": nik,
        "code": code,
        "phone": phone,
        "device": bogor,
        "ids": [r.id for r in recs],
        "target": target,
        "rec": recs[0],
    }


def found(client: Any, q: str) -> list[str]:
    page = client.get("/console/records/", query_string={"q": q})
    assert page.status_code == 200
    return re.findall(r'href="/console/records/([0-9a-f-]{36})[?"]', page.get_data(as_text=True))


@pytest.mark.parametrize(
    "q",
    [
        "Hidayat",
        "hidayat",
        "HIDAYAT",
        "Dupli",
        "dupli",
        "uplian",
        "ayat",
        "Agus Hidayat",
        "hidayat agus",
        "Duplianto-Hidayat",
        "agus  hidayat ",
    ],
)
def test_any_word_or_part_of_a_name(
    signed_in: dict[str, Any], findable: dict[str, Any], q: str
) -> None:
    assert found(signed_in["viewer"], q) == [findable["id"]]


def test_every_word_must_match(signed_in: dict[str, Any], findable: dict[str, Any]) -> None:
    c = signed_in["viewer"]
    assert found(c, "Hidayat Santoso") == []
    assert found(c, "Zzzyx") == []
    assert len(found(c, "santoso")) == 11


def test_phones_as_people_write_them(signed_in: dict[str, Any], findable: dict[str, Any]) -> None:
    c = signed_in["viewer"]
    assert findable["phone"] == "+6281234567890"
    for q in (
        "081234567890",
        "0812 3456 7890",
        "0812-3456-7890",
        "81234567890",
        "+6281234567890",
        "+62 812-3456-7890",
        "62 812 3456 7890",
        "(0812) 3456.7890",
    ):
        assert found(c, q) == [findable["id"]], q


def test_codes_and_niks_as_people_write_them(
    signed_in: dict[str, Any], findable: dict[str, Any]
) -> None:
    c = signed_in["viewer"]
    code, nik = findable["code"], findable["nik"]
    compact = code.replace("-", "")
    variants = [
        code,
        code.lower(),
        compact,
        compact.lower(),
        code.replace("0", "O"),
        compact.replace("0", "o"),
        " ".join(code.split("-")),
    ]
    for q in variants:
        assert found(c, q) == [findable["id"]], q
    spaced = " ".join(nik[i : i + 4] for i in range(0, 16, 4))
    for q in (nik, spaced, f"{nik[:6]}.{nik[6:12]}.{nik[12:]}"):
        assert findable["id"] in found(c, q), q


def test_digit_fragments_of_nik_phone_and_code(
    signed_in: dict[str, Any], findable: dict[str, Any], api: Any
) -> None:
    c = signed_in["viewer"]
    sequence = findable["code"].split("-")[2]  # "000001": the part on the receipt findable read
    assert findable["id"] in found(c, sequence)
    assert findable["id"] in found(c, findable["nik"][-6:])
    assert findable["id"] in found(c, "34567890")
    for rid in found(c, findable["nik"][-6:]):
        row = api.sql("select nik, phone, code from registrations where id = :i", i=rid)[0]
        assert findable["nik"][-6:] in row[0] + row[1] + row[2].replace("-", "")


def test_ingest_keeps_the_search_index_current(
    signed_in: dict[str, Any], findable: dict[str, Any], api: Any
) -> None:
    """A new revision with another name and phone: found by the new ones, not the old."""
    c = signed_in["viewer"]
    edited = dict(findable["target"], full_name="Siti Rahmawati Kusuma", phone="085711112222")
    rec = api.record(edited, findable["device"], id=findable["id"], revision=2, base_revision=1)
    assert api.push(findable["device"], [rec]).outcomes == ["accepted"]
    assert found(c, "rahmawati") == [findable["id"]] and found(c, "85711112222") == [findable["id"]]
    assert found(c, "Dupli") == [] and found(c, "81234567890") == []
    assert found(c, findable["code"]) == [findable["id"]]


def test_search_combines_with_filters_sort_and_export(
    signed_in: dict[str, Any], findable: dict[str, Any]
) -> None:
    from tests.syncserver.console.conftest import post

    c = signed_in["viewer"]
    page = c.get("/console/records/", query_string={"q": "santoso", "sort": "name"})
    text = page.get_data(as_text=True)
    assert "1–11 dari 11" in text
    names = re.findall(r"<td>([A-Za-z]+ Santoso)</td>", text)
    assert names == sorted(names, key=str.lower) and len(names) == 11
    r = post(signed_in["reviewer"], "/console/export.csv", {"q": "dupli"})
    assert findable["code"] in r.get_data(as_text=True)


def test_migration_indexes_the_records_already_there(
    signed_in: dict[str, Any], api: Any, people_before: list[str]
) -> None:
    """0009 on a database with records (pushed before it, at 0007): they are found by parts
    of their names at once, and down and up again leaves the same answers."""
    c = signed_in["viewer"]
    assert sorted(found(c, "ersebelu")) == people_before  # "Persebelum", inside a name
    from alembic import command

    from syncserver import db

    engine = api.ext.engine
    engine.dispose()
    command.downgrade(db.alembic_config(engine), BEFORE_SEARCH_INDEX)
    engine.dispose()
    db.migrate(engine)
    assert sorted(found(c, "ersebelu")) == people_before


@pytest.fixture
def people_before(api: Any, app: Any) -> list[str]:
    """Two records in the database, then the search index taken away (down to the revision
    before 0009) and migrated up again: 0009 indexes records it did not see arrive. (The
    records are pushed at the head: later migrations add columns the models write.)"""
    from alembic import command

    from syncserver import db

    engine = api.ext.engine
    device = api.enroll("320101", name="PC lama")
    samples = [s.applicant for s in generate(2, seed=1499)]
    recs = [
        api.record(dict(a, full_name=f"Yanti Persebelum {w}"), device)
        for a, w in zip(samples, ("Satu", "Dua"), strict=True)
    ]
    assert api.push(device, recs).outcomes == ["accepted", "accepted"]
    engine.dispose()
    command.downgrade(db.alembic_config(engine), BEFORE_SEARCH_INDEX)
    engine.dispose()
    db.migrate(engine)
    return sorted(r.id for r in recs)
