"""Access control: every console route refuses a signed-out visitor (redirect to the sign-in
page) and a role that may not use it (403); every POST needs a valid CSRF token (400)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from syncserver.console.access import PERMISSIONS, PUBLIC
from tests.syncserver.console.conftest import login, token

_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


def console_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(method, concrete path, permission) of every console route."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console_") or rule.endpoint == "console_root":
            continue
        perm = getattr(app.view_functions[rule.endpoint], "console_perm", None)
        path = _ARG.sub(lambda m: "1" if m.group(1) == "int" else "x", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, path, str(perm)))
    return out


def test_every_console_view_declares_a_permission(app: Flask) -> None:
    routes = console_routes(app)
    assert len(routes) >= 20
    for method, path, perm in routes:
        assert perm in {PUBLIC, *{p for ps in PERMISSIONS.values() for p in ps}}, (method, path)


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask, users: Any) -> None:
    client = app.test_client()
    tok = token(client)  # a valid token: the refusal is about the missing sign-in, not CSRF
    for method, path, perm in console_routes(app):
        if perm == PUBLIC:
            continue
        r = client.open(path, method=method, data={"csrf_token": tok} if method == "POST" else None)
        assert r.status_code in (302, 303), (method, path, r.status_code)
        assert r.headers["Location"].startswith("/console/login"), (method, path)


@pytest.mark.parametrize("role", ["viewer", "reviewer", "intake"])
def test_roles_are_refused_what_they_may_not_do(
    app: Flask, signed_in: dict[str, Any], role: str
) -> None:
    client = signed_in[role]
    tok = token(client, "/console/")
    refused = 0
    for method, path, perm in console_routes(app):
        if perm == PUBLIC or perm in PERMISSIONS[role]:
            continue
        r = client.open(path, method=method, data={"csrf_token": tok} if method == "POST" else None)
        assert r.status_code == 403, (role, method, path, r.status_code)
        refused += 1
    assert refused >= (12 if role == "viewer" else 8)


def test_what_each_role_may_open(signed_in: dict[str, Any], seeded: Any) -> None:
    for role in ("viewer", "reviewer", "intake", "admin"):
        c = signed_in[role]
        for path in (
            "/console/",
            "/console/batches/",
            "/console/records/",
            "/console/duplicates/",
            f"/console/records/{seeded.ids[0]}",
        ):
            assert c.get(path).status_code == 200, (role, path)
        assert c.get("/console/admin/users").status_code == (200 if role == "admin" else 403)
        may_import = role in ("intake", "admin")
        assert c.get("/console/bundles/").status_code == (200 if may_import else 403)


def test_post_without_valid_csrf_token_is_refused(signed_in: dict[str, Any], seeded: Any) -> None:
    c = signed_in["reviewer"]
    path = f"/console/records/{seeded.ids[0]}/decide"
    assert c.post(path, data={"action": "verified"}).status_code == 400
    assert c.post(path, data={"action": "verified", "csrf_token": "forged"}).status_code == 400
    other = signed_in["admin"]  # a token of another session is not valid in this one
    assert (
        c.post(
            path, data={"action": "verified", "csrf_token": token(other, "/console/")}
        ).status_code
        == 400
    )
    assert c.post("/console/logout").status_code == 400
    anonymous = c.application.test_client()
    assert (
        anonymous.post("/console/login", data={"username": "admin", "password": "x"}).status_code
        == 400
    )
    # nothing was decided
    page = c.get(f"/console/records/{seeded.ids[0]}").get_data(as_text=True)
    assert "badge s-received" in page


def test_device_api_needs_no_csrf_token(api: Any, seeded: Any) -> None:
    r = api.pull(seeded.devices["320101"])
    assert r.status_code == 200


def test_reviewer_limited_to_provinces(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    jabar = signed_in["jabar"]  # West Java (32) only
    inside = api.sql("select id from registrations where province_code = '32' limit 1")
    outside = api.sql("select id from registrations where province_code <> '32' limit 1")[0][0]
    assert jabar.get(f"/console/records/{outside}").status_code == 403
    page = jabar.get("/console/records/").get_data(as_text=True)
    assert outside not in page
    if inside:
        assert inside[0][0] in page
    r = jabar.post(
        f"/console/records/{outside}/decide",
        data={"action": "verified", "csrf_token": token(jabar, "/console/")},
    )
    assert r.status_code == 403
    batches = jabar.get("/console/batches/").get_data(as_text=True)
    assert "737101" not in batches and "320101" in batches


def test_disabled_account_loses_its_session(app: Flask, signed_in: dict[str, Any]) -> None:
    from syncserver import db
    from syncserver.queries import users as users_q

    with db.transaction(app.extensions["loket"].sessions) as s:
        viewer = users_q.get_user(s, "viewer")
        assert viewer is not None
        viewer.active = False
    r = signed_in["viewer"].get("/console/")
    assert r.status_code == 303 and r.headers["Location"].startswith("/console/login")
    assert login(app.test_client(), "viewer").status_code == 200  # the form again, no session
