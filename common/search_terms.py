"""What a person typed into a search box, read the way the desk and the console both read it.

A clerk or a reviewer types what the applicant says: ``0812 3456 7890``, ``+62 812-3456-7890``
or ``81234567890`` for one phone; ``3201 0112 3456 7890`` for a NIK; ``32O101-001-000012-7``
(letter O for zero) or ``3201010010000127`` for a code; ``000012`` or ``7890`` for part of a
code, the last four digits of a NIK; any word or part of a name. :func:`parse` turns the text
into groups of alternatives: every group must match, and a group matches when any one of its
terms does. One module, so the desktop and the console never disagree on what a query means.

Rules, in order:

1. The whole text, without spaces, dashes, dots and brackets, is tried first, so the spaces
   people put inside phones and NIKs do not split them: 16 digits read as a NIK (and as a
   dash-less code when its check character fits); a mobile number (``08…``, ``628…``,
   ``+628…``, or ``8…`` with the leading 0 left out) reads as that phone and also as a digit
   fragment; a valid code (dashes optional, O/I/L read as 0/1/1) reads as that code; any
   other run of digits reads as a digit fragment.
2. Otherwise every word is read on its own with the same rules, and a word with letters is a
   name word (case-folded, split at punctuation: ``Dupli-Hidayat`` is two words).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from common.regcode import is_valid_code, normalise_code
from common.validation import normalise_phone

__all__ = ["Kind", "Term", "parse", "compact_code", "MAX_GROUPS"]

#: Groups one query yields at most (more words are ignored: a search box, not a document).
MAX_GROUPS = 8

_SEPARATORS = re.compile(r"[\s\-().]+")
_WORD_SPLIT = re.compile(r"[^\w]+|_+")
_DIGITS = re.compile(r"^[0-9]+$")


class Kind(StrEnum):
    """What a term is matched against."""

    #: 16 digits: the NIK, or the family-card number, exactly.
    NIK = "nik"
    #: A mobile number in E.164 (``+62812…``): the phone exactly.
    PHONE = "phone"
    #: A whole registration code, normalised (``320101-001-000012-7``): the code exactly.
    CODE = "code"
    #: Digits (``7890``, ``000012``): anywhere in the NIK, the phone's digits or the code's digits.
    DIGITS = "digits"
    #: Part of a name, case-folded (``hidayat``, ``dupli``): anywhere in the full name.
    WORD = "word"


@dataclass(frozen=True, slots=True)
class Term:
    kind: Kind
    value: str


Group = tuple[Term, ...]


def compact_code(code: str) -> str:
    """A code's characters without dashes (``3201010010000127``): what code parts match in."""
    return normalise_code(code).replace("-", "")


def _fold(word: str) -> str:
    """Case-folded, compatibility-normalised, accents dropped: ``Ṣiti`` -> ``siti``."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _phone(compact: str) -> str | None:
    if compact.startswith("8"):
        compact = "0" + compact
    return normalise_phone(compact)


def _read(text: str) -> Group | None:
    """The alternatives one piece of text stands for, or None when it is not a number or code."""
    compact = _SEPARATORS.sub("", text)
    if not compact:
        return None
    terms: list[Term] = []
    bare = compact[1:] if compact.startswith("+") else compact
    if _DIGITS.match(bare):
        if len(bare) == 16 and not compact.startswith("+"):
            terms.append(Term(Kind.NIK, bare))
        phone = _phone(compact)
        if phone is not None:
            terms.append(Term(Kind.PHONE, phone))
    if any(ch.isdigit() for ch in compact) and is_valid_code(compact):
        terms.append(Term(Kind.CODE, normalise_code(compact)))
    if _DIGITS.match(bare):
        if not terms or terms[0].kind is Kind.PHONE:
            terms.append(Term(Kind.DIGITS, bare))
    elif not terms:
        return None
    return tuple(terms)


def parse(query: str) -> list[Group]:
    """The groups of alternatives ``query`` stands for (empty for a blank query)."""
    query = unicodedata.normalize("NFKC", query).strip()
    if not query:
        return []
    whole = _read(query)
    if whole is not None:
        return [whole]
    groups: list[Group] = []
    for word in query.split():
        read = _read(word)
        if read is not None:
            groups.append(read)
        else:
            groups.extend((Term(Kind.WORD, w),) for w in _WORD_SPLIT.split(_fold(word)) if w)
    unique = list(dict.fromkeys(groups))
    return unique[:MAX_GROUPS]
