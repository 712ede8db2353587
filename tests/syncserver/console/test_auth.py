"""Sign-in, rate limiting, sign-out, cookies and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.syncserver.console.conftest import PASSWORD, login, post, token


def test_sign_in_and_out(app: Flask, users: Any) -> None:
    c = app.test_client()
    r = login(c, "reviewer")
    assert r.status_code == 303 and r.headers["Location"] == "/console/"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = c.get("/console/")
    assert "reviewer" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    r = post(c, "/console/logout")
    assert r.status_code == 303
    assert c.get("/console/").status_code == 303
    actions = [a for (a,) in _audit(app)]
    assert actions.count("login") == 1 and "logout" in actions


def test_wrong_password_and_unknown_user(app: Flask, users: Any) -> None:
    c = app.test_client()
    r = login(c, "reviewer", "salah-sekali")
    assert r.status_code == 200 and "Nama pengguna atau kata sandi salah" in r.get_data(
        as_text=True
    )
    assert login(c, "nobody").status_code == 200
    assert c.get("/console/").status_code == 303
    assert [a for (a,) in _audit(app)].count("login.failed") == 2


def test_next_goes_back_to_the_page_asked_for_but_never_off_site(app: Flask, users: Any) -> None:
    c = app.test_client()
    r = c.get("/console/batches/?office=320101")
    assert r.headers["Location"] == "/console/login?next=/console/batches/?office%3D320101"
    r = c.post(
        "/console/login",
        data={
            "username": "admin",
            "password": PASSWORD,
            "next": "/console/batches/",
            "csrf_token": token(c),
        },
    )
    assert r.headers["Location"] == "/console/batches/"
    c2 = app.test_client()
    r = c2.post(
        "/console/login",
        data={
            "username": "admin",
            "password": PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": token(c2),
        },
    )
    assert r.headers["Location"] == "/console/"


def test_language_switch_is_kept_in_the_session(app: Flask, users: Any) -> None:
    c = app.test_client()
    page = c.get("/console/login").get_data(as_text=True)
    assert 'lang="id"' in page and "Masuk" in page
    r = c.post(
        "/console/lang", data={"lang": "en", "next": "/console/login", "csrf_token": token(c)}
    )
    assert r.status_code == 303 and r.headers["Location"] == "/console/login"
    page = c.get("/console/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page
    login(c, "admin")
    assert "Dashboard" in c.get("/console/").get_data(as_text=True)  # survives signing in


def test_cookie_secure_setting(tmp_path: Any) -> None:
    from syncserver.app import create_app

    def secure(**cfg: Any) -> bool:
        app = create_app(
            {"database": f"sqlite:///{tmp_path / 'x.db'}", "data_dir": str(tmp_path), **cfg}
        )
        app.extensions["loket"].engine.dispose()
        return bool(app.config["SESSION_COOKIE_SECURE"])

    assert secure(host="0.0.0.0") is True
    assert secure(host="127.0.0.1") is False
    assert secure(host="127.0.0.1", cookie_secure="true") is True
    assert secure(host="0.0.0.0", cookie_secure="false") is False
    assert secure(host="0.0.0.0", TESTING=True) is False


def _audit(app: Flask) -> list[Any]:
    from sqlalchemy import text

    with app.extensions["loket"].engine.connect() as conn:
        return list(conn.execute(text("select action from audit_log order by id")).all())
