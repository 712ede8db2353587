"""Language selection shared by the desktop and the server.

Indonesian is the default; English is the only other language. Messages in ``common`` carry
both texts; the user interface picks one with :func:`pick`.
"""

from __future__ import annotations

from enum import StrEnum


class Lang(StrEnum):
    ID = "id"
    EN = "en"


DEFAULT_LANG = Lang.ID


def as_lang(value: str | Lang | None) -> Lang:
    """Map ``"id"``, ``"en"``, ``"en_US"``, ``"id-ID"`` … to a :class:`Lang` (default Indonesian)."""
    if isinstance(value, Lang):
        return value
    if value and value.lower().startswith("en"):
        return Lang.EN
    return DEFAULT_LANG


def pick(texts: tuple[str, str], lang: str | Lang | None = None) -> str:
    """Return the Indonesian (index 0) or English (index 1) text."""
    return texts[1] if as_lang(lang) is Lang.EN else texts[0]
