"""Every message the console shows has an Indonesian text."""

from __future__ import annotations

import re
from pathlib import Path

from syncserver.console.texts_id import ID

ROOT = Path(__file__).resolve().parents[3] / "syncserver"
_CALL = re.compile(r"""\b_\(\s*(["'])((?:(?!\1).)+)\1""")


def used_messages() -> set[str]:
    found: set[str] = set()
    files = [*(ROOT / "console").glob("*.py"), *(ROOT / "templates" / "console").glob("*.html")]
    files = [f for f in files if f.name != "texts_id.py"]
    for path in files:
        found.update(m.group(2) for m in _CALL.finditer(path.read_text()))
    from syncserver.console import web

    found.update(web._TITLES.values())
    found.discard("search_")  # _("search_" + kind): the keys are checked below
    return found


def test_every_message_has_an_indonesian_text() -> None:
    used = used_messages()
    assert len(used) > 150
    missing = sorted(m for m in used if m not in ID)
    assert not missing, missing


def test_dynamic_keys_are_in_the_catalog() -> None:
    from syncserver.queries.console_batches import OUTCOMES

    for key in (
        *OUTCOMES,
        "network",
        "bundle",
        "admin",
        "reviewer",
        "intake",
        "viewer",
        "search_nik",
        "search_name",
        "search_phone",
        "search_code",
        "same_person",
        "different_people",
        "kk_keep",
    ):
        assert key in ID, key


def test_parameters_match() -> None:
    for en, idn in ID.items():
        assert sorted(re.findall(r"%\((\w+)\)s", en)) == sorted(re.findall(r"%\((\w+)\)s", idn)), en


def test_bulk_confirmation_questions_are_in_the_catalog() -> None:
    from syncserver.console.decisions import CONFIRM_QUESTIONS

    for question in CONFIRM_QUESTIONS.values():
        assert question in ID, question


def test_no_console_filter_is_folded_into_a_compiled_template() -> None:
    """Issue 14, defect 11: Jinja computes a plain filter on a literal once, when it compiles
    the template, in the first request's language; every console filter takes the context."""
    from flask import Flask
    from jinja2.utils import _PassArg

    from syncserver.console import formatting

    app = Flask(__name__)
    formatting.install(app.jinja_env)
    assert {"status", "field_label", "field_value", "num", "ago", "channel"} <= set(
        app.jinja_env.filters
    )
    for name in (
        "dt",
        "date",
        "ago",
        "status",
        "channel",
        "region",
        "region_path",
        "field_label",
        "field_value",
        "masknik",
        "shown",
        "num",
    ):
        assert _PassArg.from_obj(app.jinja_env.filters[name]) is _PassArg.context, name
