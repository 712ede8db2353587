"""The console's translations: a small catalog module instead of Flask-Babel.

Why not Flask-Babel with compiled catalogs: the console has two languages and a few hundred
strings; a Python dict needs no extra dependency (Flask-Babel is not among the project's
dependencies), no compile step and no committed ``.mo`` binaries, and a test
(tests/syncserver/console/test_i18n.py) checks that every message used in the templates and
views has an Indonesian text, which is what the catalog tooling would otherwise give.

Messages are written in English in the code (``_("Sign in")``); :data:`ID` gives the
Indonesian. Parameters use ``%(name)s``, so sentences are never built by concatenation.
Indonesian is the default; the choice is kept in the session (``session["lang"]``).
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, session

from common.i18n import Lang, as_lang
from syncserver.console.texts_id import ID

LANGS = (Lang.ID, Lang.EN)


def current_lang() -> Lang:
    if has_request_context():
        return as_lang(session.get("lang") or Lang.ID.value)
    return Lang.ID


def gettext(message: str, **params: Any) -> str:
    text = ID.get(message, message) if current_lang() is Lang.ID else message
    return text % params if params else text


_ = gettext
