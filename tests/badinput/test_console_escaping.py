"""Injection strings shown in the review console come out escaped. Validation refuses ``<`` in
a name, so the record is pushed with a clean name through the real API and the name is then
changed in the central database directly (data that got there some other way: an old import,
a bug): the record page of the real server process must still show it as text."""

from __future__ import annotations

import json
import re

import requests
from sqlalchemy import text

from tests.badinput.conftest import Api
from tests.badinput.test_handwritten import PUSH, applicant, batch, post, record

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PASSWORD = "rahasia-sekali-123"


def test_a_script_name_renders_escaped_on_the_record_page(api: Api) -> None:
    rec = record(applicant())
    r = post(api, PUSH, batch(api, [rec]))
    assert r.status_code == 200 and r.json()["results"][0]["outcome"] == "accepted", r.text
    app = dict(rec["applicant"], full_name=SCRIPT, street=IMG, motivation=SCRIPT)
    with api.central.engine.begin() as conn:
        conn.execute(
            text("UPDATE registrations SET full_name = :n, applicant = :a WHERE id = :id"),
            {"n": SCRIPT, "a": json.dumps(app), "id": rec["id"]},
        )
    api.server.cli("add-user", "penguji", "--role", "admin", password=PASSWORD)
    web = requests.Session()
    login = web.get(api.url + "/console/login", timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert csrf, login.text[:500]
    r = web.post(
        api.url + "/console/login",
        data={"username": "penguji", "password": PASSWORD, "csrf_token": csrf.group(1)},
        timeout=30,
    )
    assert r.status_code < 400, r.status_code
    page = web.get(f"{api.url}/console/records/{rec['id']}", timeout=30)
    assert page.status_code == 200, page.status_code
    html = page.text
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    listing = web.get(f"{api.url}/console/records/", timeout=30)
    assert listing.status_code == 200 and SCRIPT not in listing.text
