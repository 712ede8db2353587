"""Keyset pagination for the console's lists (no OFFSET over big tables, no COUNT(*)).

A list is ordered newest first by ``(time, id)``; a page is fetched with one more row than
shown, to know whether another page follows. ``after`` continues towards older rows,
``before`` goes back towards newer ones (fetched in ascending order, then reversed).
Cursors are opaque, URL-safe strings: ``<iso time>~<id>``.
"""

from __future__ import annotations

import base64
import binascii
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, tuple_

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Cursor:
    at: datetime
    id: str

    def encode(self) -> str:
        return f"{aware(self.at).strftime('%Y%m%dT%H%M%S.%f')}~{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        stamp, sep, ident = text.partition("~")
        if not sep or not ident or len(ident) > 64:
            return None
        try:
            at = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
        except ValueError:
            return None
        return cls(at, ident)


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    next: str | None = None  # cursor for older rows
    prev: str | None = None  # cursor for newer rows


def aware(value: datetime) -> datetime:
    """SQLite gives naive UTC datetimes back, PostgreSQL aware ones: make both aware UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def keyset(
    stmt: Select[Any],
    time_col: Any,
    id_col: Any,
    *,
    after: Cursor | None,
    before: Cursor | None,
    limit: int,
) -> tuple[Select[Any], bool]:
    """``stmt`` limited to one page (newest first); returns it and whether it runs reversed."""
    if before is not None:
        stmt = stmt.where(tuple_(time_col, id_col) > tuple_(before.at, before.id))
        return stmt.order_by(time_col.asc(), id_col.asc()).limit(limit + 1), True
    if after is not None:
        stmt = stmt.where(tuple_(time_col, id_col) < tuple_(after.at, after.id))
    return stmt.order_by(time_col.desc(), id_col.desc()).limit(limit + 1), False


def keyset_sorted(
    stmt: Select[Any],
    key_col: Any,
    id_col: Any,
    *,
    descending: bool,
    after: tuple[Any, str] | None,
    before: tuple[Any, str] | None,
    limit: int,
) -> tuple[Select[Any], bool]:
    """:func:`keyset` on any sort column, either way: ``after`` continues in the list's order,
    ``before`` goes back (fetched the other way round, then reversed by :func:`page_of`)."""
    forward = operator.lt if descending else operator.gt
    backward = operator.gt if descending else operator.lt
    if before is not None:
        stmt = stmt.where(backward(tuple_(key_col, id_col), tuple_(*before)))
        order = (key_col.asc(), id_col.asc()) if descending else (key_col.desc(), id_col.desc())
        return stmt.order_by(*order).limit(limit + 1), True
    if after is not None:
        stmt = stmt.where(forward(tuple_(key_col, id_col), tuple_(*after)))
    order = (key_col.desc(), id_col.desc()) if descending else (key_col.asc(), id_col.asc())
    return stmt.order_by(*order).limit(limit + 1), False


def encode_key(value: datetime | str, ident: str) -> str:
    """A cursor on a time (as :class:`Cursor`) or a text sort key (``t<base64>~id``)."""
    if isinstance(value, datetime):
        return Cursor(value, ident).encode()
    packed = base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")
    return f"t{packed}~{ident}"


def decode_key(text: str | None, kind: str) -> tuple[datetime | str, str] | None:
    """The (value, id) of a cursor made by :func:`encode_key`; ``kind`` is ``time`` or
    ``text``. Anything else (a cursor of another sort, garbage) is no cursor."""
    if kind == "time":
        cursor = Cursor.decode(text)
        return (cursor.at, cursor.id) if cursor else None
    if not text or not text.startswith("t"):
        return None
    packed, sep, ident = text[1:].partition("~")
    if not sep or not ident or len(ident) > 64 or len(packed) > 400:
        return None
    try:
        value = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return value, ident


def page_of(
    rows: list[T],
    reversed_: bool,
    limit: int,
    key: Any,
    *,
    had_cursor: bool,
    encode: Callable[[Any, str], str] | None = None,
) -> Page[T]:
    """Cut the ``limit + 1`` rows fetched by :func:`keyset` into a page with its cursors;
    ``key(row)`` gives the row's (time, id), or (sort value, id) with ``encode``
    (:func:`encode_key`)."""
    more = len(rows) > limit
    rows = rows[:limit]
    if reversed_:
        rows.reverse()
    page: Page[T] = Page(rows)
    if not rows:
        return page
    first, last = key(rows[0]), key(rows[-1])
    enc = encode or (lambda at, ident: Cursor(at, ident).encode())
    if reversed_:
        page.next = enc(*last)
        page.prev = enc(*first) if more else None
    else:
        page.next = enc(*last) if more else None
        page.prev = enc(*first) if had_cursor else None
    return page
