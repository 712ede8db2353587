"""Issue 14, defect 11, in real Chromium: every console page shows every label in the language
of the request, whichever language the server process rendered that page in first (Jinja
folded a filter on a literal, ``{{ 'verified'|status }}``, into the compiled template: the
bulk decision options stayed Indonesian in English).

The server renders each page in one language first, then in the other; restarted, the other
way round. Each time, no text of the page (element texts, options, placeholders, titles) is
one that only the other language uses."""

from __future__ import annotations

import re
from typing import Any

from common.enums import LABELS
from syncserver.console.texts_id import ID
from tests.browser.test_console import sign_in

_PARAM = re.compile(r"%\(\w+\)s")

#: every leaf text, option and label-like attribute of the page, whitespace collapsed
_TEXTS_JS = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE') continue;
    for (const n of el.childNodes) {
      if (n.nodeType === 3 && n.textContent.trim()) out.push(n.textContent);
    }
    for (const a of ['placeholder', 'title', 'aria-label', 'data-confirm', 'value']) {
      if (a === 'value' && !(el.tagName === 'BUTTON' || (el.tagName === 'INPUT' && el.type === 'submit'))) continue;
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push(v);
    }
  }
  return out.map(t => t.replace(/\\s+/g, ' ').replace(/^[^\\p{L}]+|[^\\p{L}.)]+$/gu, ''));
}"""


def _language_only_texts() -> tuple[set[str], set[str]]:
    """(texts only Indonesian pages show, texts only English pages show)."""
    pairs = [(en, id_) for en, id_ in ID.items() if not _PARAM.search(en)]
    pairs += [(p[1], p[0]) for labels in LABELS.values() for p in labels.values()]
    english = {en for en, _ in pairs}
    indonesian = {id_ for _, id_ in pairs}
    # message ids that are codes ("same_person") are never shown as such in English
    english_shown = {en for en in english if " " in en or en[:1].isupper()}
    return indonesian - english, english_shown - indonesian


def _pages(base: str, ids: dict[str, str]) -> list[str]:
    c = base + "/console"
    return [
        c + "/",
        c + "/batches/",
        c + f"/batches/{ids['batch']}",
        c + "/duplicates/",
        c + f"/duplicates/{ids['group']}",
        c + "/records/",
        c + "/records/?status=received",
        c + f"/records/{ids['record']}",
        c + "/admin/offices",
        c + "/admin/devices",
        c + "/admin/users",
        c + "/admin/audit",
        c + "/password",
        c + "/records/no-such-record",
    ]


def _switch(page: Any, lang: str) -> None:
    page.click(f"form.lang button[value={lang}]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang


def _check_all(page: Any, urls: list[str], lang: str) -> dict[str, set[str]]:
    id_only, en_only = _language_only_texts()
    wrong_set = en_only if lang == "id" else id_only
    wrong: dict[str, set[str]] = {}
    for url in urls:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == lang
        found = {t for t in page.evaluate(_TEXTS_JS) if t in wrong_set}
        if found:
            wrong[url] = found
    return wrong


def test_every_page_is_in_the_requested_language_whichever_came_first(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    bogor, makassar = desks["bogor"], desks["makassar"]
    rid = bogor.save(applicants[0])
    for a in applicants[1:4]:
        bogor.save(a)
    makassar.save(dict(applicants[0], phone="081311112222"))  # same NIK: a duplicate group
    bogor.sync()
    makassar.sync()

    sign_in(page, base, "admin")
    page.goto(base + "/console/batches/")
    batch = page.locator("a[href*='/console/batches/']", has_text=re.compile(".")).last
    batch_id = re.sub(r".*/batches/(\d+).*", r"\1", batch.get_attribute("href") or "")
    page.goto(base + "/console/duplicates/")
    link = page.locator("a[href*='/console/duplicates/']").last.get_attribute("href") or ""
    group_id = re.sub(r".*/duplicates/(\d+).*", r"\1", link)
    assert batch_id.isdigit() and group_id.isdigit()
    urls = _pages(base, {"batch": batch_id, "group": group_id, "record": rid})

    # this process renders every page in Indonesian first, then in English
    assert _check_all(page, urls, "id") == {}
    _switch(page, "en")
    assert _check_all(page, urls, "en") == {}
    page.goto(base + "/console/records/")
    options = page.locator("fieldset.bulk select[name=action] option").all_inner_texts()
    assert "Verified" in options and "Terverifikasi" not in options

    # a fresh process renders every page in English first (the session kept English)
    console_server.restart()
    assert _check_all(page, urls, "en") == {}
    _switch(page, "id")
    assert _check_all(page, urls, "id") == {}
    page.goto(base + "/console/records/")
    options = page.locator("fieldset.bulk select[name=action] option").all_inner_texts()
    assert "Terverifikasi" in options and "Verified" not in options
