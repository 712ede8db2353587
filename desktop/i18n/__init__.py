"""Translations of the desktop app.

``loket_id.ts`` / ``loket_en.ts`` are the sources (``tools/update_translations.sh`` refreshes
them from the code with ``pyside6-lupdate`` and compiles the ``.qm`` files with
``pyside6-lrelease``). Source strings in the code are English; Indonesian is the default
language, so ``loket_id.qm`` is installed unless English is chosen.

Sentences are never built by concatenation: a translated template carries ``%1``, ``%2`` …
and :func:`arg` fills them (Qt's ``QString::arg`` for Python strings).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from common.assets import TRANSLATIONS, asset
from common.errors import CATALOG
from common.i18n import Lang

I18N_DIR = asset(TRANSLATIONS)

_PLACEHOLDER = re.compile(r"%(\d{1,2})")


def arg(template: str, *values: object) -> str:
    """Fill ``%1`` … ``%n`` in a translated template in one pass (values are never re-scanned)."""

    def sub(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return str(values[n - 1]) if 1 <= n <= len(values) else match.group(0)

    return _PLACEHOLDER.sub(sub, template)


def local_time(value: datetime, seconds: bool = False) -> str:
    """A stored time as the clerk's clock shows it, ``2026-05-04 09:30`` (``:15`` with
    ``seconds``); a time without a zone is UTC, as the store keeps them."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def qm_path(lang: str) -> Path:
    """The compiled translation file for ``lang`` ("id" or "en")."""
    return I18N_DIR / f"loket_{lang}.qm"


def ui_lang() -> Lang:
    """The UI's language now: the app sets Qt's default locale with its translator (so a
    switch in the running app is seen at once)."""
    from PySide6.QtCore import QLocale

    return Lang.EN if QLocale().language() == QLocale.Language.English else Lang.ID


def catalog_message(exc: BaseException, lang: str | Lang | None = None) -> str | None:
    """The catalog's words for ``exc`` when it carries a catalog code (``ApiError``,
    ``common.errors.InvalidValue``), in ``lang`` (default: the UI's); None for anything else.

    The desktop never puts ``str(exc)`` into a sentence the clerk reads (it is English, and
    often technical): a caller shows this, or else its own tr() sentence and logs the details.
    """
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None)
    if isinstance(code, str) and code in CATALOG and callable(message):
        return str(message(lang if lang is not None else ui_lang()))
    return None
