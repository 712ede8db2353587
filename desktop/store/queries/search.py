"""The search index text of a registration, and FTS5 queries over it: one definition.

The index holds one token per way a record can be asked for, each kind with its own prefix so
that one kind never matches another (a name word "kode" is not a code, the office digits of
every code are not a NIK fragment). common/search_terms.py reads the query; :func:`fts_query`
turns its terms into prefix or exact matches on these tokens:

    n<nik> k<kk_number>             a whole NIK (or family-card number): exact
    p<phone digits, 62...>          a whole phone: exact
    kode<code without dashes>       a whole code (exact) or its beginning (prefix)
    d<suffix>                       every suffix of the NIK's digits, the phone's digits (62...
                                    and 0... forms) and the code after its office part, so a
                                    digit fragment found anywhere in them is a prefix match
    w<word>                         every name word, case-folded, accents dropped: prefix

The save path, the sync engine (a revision from another device), store migration 0002 and the
retention purge (a purged record keeps only its code token, written in SQL by
:func:`code_token_sql`) all take their text from here.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, func, literal
from sqlalchemy.orm import InstrumentedAttribute

from common import search_terms
from common.record import Applicant
from common.search_terms import Kind, Term

#: The prefix of a code's token.
CODE_PREFIX = "kode"
_NAME_SPLIT = re.compile(r"[^\w]+|_+")
#: A digit fragment this long also matches the beginning of a code (past its office part).
_CODE_PREFIX_MIN = 7


def _fold(word: str) -> str:
    """As common.search_terms folds a query's name words: NFKC, case-folded, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", word).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def code_token(code: str) -> str:
    """The token of a whole code: ``kode`` and the code without dashes, lower case."""
    return CODE_PREFIX + code.replace("-", "").lower()


def code_token_sql(code: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[str]:
    """:func:`code_token` as an SQL expression over a code column (the same text)."""
    return literal(CODE_PREFIX) + func.lower(func.replace(code, "-", ""))


def _suffixes(digits: str) -> list[str]:
    return [digits[i:] for i in range(len(digits))]


def search_text(nik: str, kk_number: str, full_name: str, phone: str, code: str) -> str:
    """The tokens the search index holds for one record (see the table above). A record whose
    personal data retention purged keeps only :func:`code_token`."""
    tokens: list[str] = []
    fragments: list[str] = []
    if nik:
        tokens.append("n" + nik)
        fragments += _suffixes(nik)
    if kk_number:
        tokens.append("k" + kk_number)
    if phone:
        digits = phone.lstrip("+")
        tokens.append("p" + digits)
        fragments += _suffixes(digits)
        if digits.startswith("62"):
            fragments.append("0" + digits[2:])
    if code:
        tokens.append(code_token(code))
        tail = "".join(code.split("-")[1:]).lower()  # device, sequence, check character
        fragments += _suffixes(tail)
    tokens += ["w" + w for w in _NAME_SPLIT.split(_fold(full_name)) if w]
    tokens += ["d" + f for f in dict.fromkeys(fragments)]
    return " ".join(tokens)


def search_text_for(applicant: Applicant, code: str) -> str:
    """The index text of a registration (:func:`search_text`)."""
    return search_text(
        applicant.nik, applicant.kk_number, applicant.full_name, applicant.phone or "", code
    )


def _match(term: Term) -> list[str]:
    value = term.value
    if term.kind is Kind.NIK:
        return [f'"n{value}"', f'"k{value}"']
    if term.kind is Kind.PHONE:
        return [f'"p{value.lstrip("+")}"']
    if term.kind is Kind.CODE:
        return [f'"{code_token(value)}"']
    if term.kind is Kind.DIGITS:
        out = [f'"d{value}"*']
        if len(value) >= _CODE_PREFIX_MIN:
            out.append(f'"{CODE_PREFIX}{value}"*')
        return out
    return [f'"w{value}"*']


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression for what the clerk typed, read by common.search_terms: every
    group must match, any one term of a group will do. ``0812 3456 7890`` is one phone,
    ``000012`` part of a code, ``7890`` the last digits of a NIK, ``siti`` a name word."""
    groups = search_terms.parse(query)
    if not groups:
        return None
    parts = []
    for group in groups:
        alternatives = list(dict.fromkeys(m for term in group for m in _match(term)))
        parts.append(
            alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
        )
    return " AND ".join(parts)
