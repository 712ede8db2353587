"""The one reading of a search query that the desktop and the console share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.regcode import make_code
from common.search_terms import MAX_GROUPS, Kind, Term, compact_code, parse

PHONE = "+6281234567890"
CODE = make_code("320101", 1, 12)


@pytest.mark.parametrize(
    "typed",
    [
        "081234567890",
        "0812 3456 7890",
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "81234567890",
        "(0812) 3456.7890",
    ],
)
def test_every_way_of_saying_a_phone_reads_as_that_phone(typed: str) -> None:
    [group] = parse(typed)
    assert Term(Kind.PHONE, PHONE) in group


@pytest.mark.parametrize(
    "typed", ["3201011234567890", "3201 0112 3456 7890", "3201-0112-3456-7890"]
)
def test_a_nik_with_spaces_or_dashes_is_one_nik(typed: str) -> None:
    [group] = parse(typed)
    assert group[0] == Term(Kind.NIK, "3201011234567890")
    assert all(t.kind is not Kind.DIGITS for t in group)


def test_codes_without_dashes_lowercase_or_with_lookalike_letters() -> None:
    variants = [
        CODE,
        CODE.lower(),
        CODE.replace("-", ""),
        CODE.replace("0", "O"),
        CODE.replace("-", " "),
        f"  {CODE.replace('1', 'l')} ",
    ]
    for typed in variants:
        assert parse(typed) == [(Term(Kind.CODE, CODE),)], typed


def test_digit_fragments_are_searched_anywhere() -> None:
    assert parse("7890") == [(Term(Kind.DIGITS, "7890"),)]
    assert parse("001-000012") == [(Term(Kind.DIGITS, "001000012"),)]
    assert compact_code(CODE) == CODE.replace("-", "")


def test_name_parts_are_case_folded_words_split_at_punctuation() -> None:
    assert parse("Hidayat") == [(Term(Kind.WORD, "hidayat"),)]
    assert parse("DUPLI-hidayat  Ṣiti") == [
        (Term(Kind.WORD, "dupli"),),
        (Term(Kind.WORD, "hidayat"),),
        (Term(Kind.WORD, "siti"),),
    ]


def test_mixed_words_and_numbers_each_must_match() -> None:
    assert parse("siti 7890") == [(Term(Kind.WORD, "siti"),), (Term(Kind.DIGITS, "7890"),)]
    assert parse("siti 0812-3456-7890")[1][0] == Term(Kind.PHONE, PHONE)


def test_blank_and_punctuation_only_queries_mean_nothing() -> None:
    assert parse("") == [] and parse("   ") == [] and parse(" - . ") == []


def test_a_long_query_is_bounded_and_repeats_count_once() -> None:
    assert len(parse(" ".join(f"w{i}x" for i in range(50)))) == MAX_GROUPS
    assert parse("siti siti SITI") == [(Term(Kind.WORD, "siti"),)]


@given(st.text(max_size=80))
def test_any_text_parses_to_bounded_well_formed_groups(text: str) -> None:
    groups = parse(text)
    assert len(groups) <= MAX_GROUPS
    for group in groups:
        assert group
        for term in group:
            assert term.value and term.value == term.value.strip()
            if term.kind is Kind.DIGITS:
                assert term.value.isdigit()
            if term.kind is Kind.NIK:
                assert len(term.value) == 16 and term.value.isdigit()
