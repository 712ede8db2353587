"""Every message the console shows has an Indonesian text."""

from __future__ import annotations

import re
from pathlib import Path

from syncserver.console.catalog_id import ID

ROOT = Path(__file__).resolve().parents[3] / "syncserver"
_CALL = re.compile(r"""\b_\(\s*(["'])((?:(?!\1).)+)\1""")


def used_messages() -> set[str]:
    found: set[str] = set()
    files = [*(ROOT / "console").glob("*.py"), *(ROOT / "templates" / "console").glob("*.html")]
    files = [f for f in files if f.name != "catalog_id.py"]
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

    for key in (*OUTCOMES, "network", "bundle", "admin", "reviewer", "viewer", "search_nik", "search_name",
                "search_phone", "search_code", "same_person", "different_people", "kk_keep"):  # fmt: skip
        assert key in ID, key


def test_parameters_match() -> None:
    for en, idn in ID.items():
        assert sorted(re.findall(r"%\((\w+)\)s", en)) == sorted(re.findall(r"%\((\w+)\)s", idn)), en
