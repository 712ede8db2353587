"""Server-side console sessions, sign-in throttling and the client address behind a proxy
(issue 12, findings 6 and 11), on SQLite and PostgreSQL.

Sessions end at sign-out, password change, password reset and disabling the account (a
cookie copied before is refused after), after the idle and the absolute lifetime; the cookie
is ``__Host-``, Secure, HttpOnly, SameSite behind a trusted TLS proxy. Sign-in throttling
cannot lock anyone out: an attacker's address waits, the real user's does not; fresh
usernames from one address are bounded without an argon2 hash each; concurrent attempts from
two server instances cannot pass the limit.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from syncserver.app import create_app
from tests.syncserver.conftest import Clock
from tests.syncserver.console.conftest import PASSWORD, login, open_session, post, token

#: as nginx forwards a browser's request; over HTTPS Flask-WTF also wants a same-origin Referer
PROXY = {"X-Forwarded-Proto": "https", "Referer": "https://localhost/console/login"}


class FrozenClock(Clock):
    """Time moves only when the test moves it: the delays and lifetimes tested here do not
    depend on how fast the (shared, noisy) machine hashes passwords."""

    def __init__(self) -> None:
        super().__init__()
        self.base = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.base + self.offset


@pytest.fixture
def clock() -> Clock:
    return FrozenClock()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'loket-server.db'}"
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def make_app(
    app: Flask, db_url: str, tmp_path: Path, clock: Clock
) -> Iterator[Callable[..., Flask]]:
    """Another server instance (its own engine and pool, as a second process would have) on
    the test's database, with settings of its own."""
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        other = create_app(
            {"database": db_url, "data_dir": str(tmp_path), "clock": clock, **settings}
        )
        made.append(other)
        return other

    yield make
    for other in made:
        other.extensions["loket"].engine.dispose()


def _sql(app: Flask, query: str) -> list[Any]:
    with app.extensions["loket"].engine.connect() as conn:
        return list(conn.execute(text(query)).all())


def _actions(app: Flask, action: str) -> list[tuple[str, Any]]:
    rows = _sql(
        app, f"select target_id, details from audit_log where action = '{action}' order by id"
    )
    return [(t, json.loads(d) if isinstance(d, str) else d) for t, d in rows]


def _signed_in(c: FlaskClient, headers: dict[str, str] | None = None) -> bool:
    r = c.get("/console/", headers=headers or {})
    return r.status_code == 200


def _login_from(
    c: FlaskClient,
    username: str,
    password: str = PASSWORD,
    headers: dict[str, str] | None = None,
    addr: str | None = None,
) -> Any:
    """A sign-in with ``headers`` on both the form page and the post (behind a proxy the
    cookie's name depends on them) and from REMOTE_ADDR ``addr``."""
    env = {"REMOTE_ADDR": addr} if addr else {}
    page = c.get("/console/login", headers=headers or {}, environ_base=env)
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert tok, page.status_code
    return c.post(
        "/console/login",
        headers=headers or {},
        environ_base=env,
        data={"username": username, "password": password, "csrf_token": tok.group(1)},
    )


# --- finding 11: sessions ---------------------------------------------------------------------
def test_a_cookie_copied_before_sign_out_is_refused_after(app: Flask, users: Any) -> None:
    c = app.test_client()
    r = login(c, "reviewer")
    assert r.status_code == 303
    name, value = r.headers["Set-Cookie"].split(";")[0].split("=", 1)
    thief = app.test_client()
    thief.set_cookie(name, value)
    assert _signed_in(thief)
    assert post(c, "/console/logout").status_code == 303
    assert not _signed_in(thief)
    assert not _signed_in(c)
    assert _sql(app, "select count(*) from console_sessions")[0][0] == 0
    assert name == "loket_console"  # the intended name (Flask's "session" was used before)


def test_the_cookie_holds_only_a_random_token_stored_hashed(app: Flask, users: Any) -> None:
    c = app.test_client()
    login(c, "admin")
    with c.session_transaction() as sess:
        assert set(sess) <= {"sid", "lang", "csrf_token", "_permanent", "_flashes"}
        token_value = sess["sid"]
    (stored,) = _sql(app, "select id_hash from console_sessions")[0]
    assert len(token_value) >= 40 and token_value not in stored and len(stored) == 64


def test_changing_the_own_password_ends_the_other_sessions(app: Flask, users: Any) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    assert login(here, "reviewer").status_code == 303
    assert login(elsewhere, "reviewer").status_code == 303
    page = "/console/password"
    assert here.get(page).status_code == 200
    new = "kata-sandi-baru-456"
    r = post(here, page, {"current": "salah-sekali", "new": new, "again": new}, page)
    assert r.status_code == 200 and "Kata sandi sekarang salah" in r.get_data(as_text=True)
    r = post(here, page, {"current": PASSWORD, "new": new, "again": new + "x"}, page)
    assert "tidak sama" in r.get_data(as_text=True)
    r = post(here, page, {"current": PASSWORD, "new": "pendek", "again": "pendek"}, page)
    assert "sedikitnya 8" in r.get_data(as_text=True)
    r = post(here, page, {"current": PASSWORD, "new": new, "again": new}, page)
    assert r.status_code == 303
    assert _signed_in(here) and not _signed_in(elsewhere)
    assert login(app.test_client(), "reviewer").status_code == 200  # the old one is gone
    assert login(app.test_client(), "reviewer", new).status_code == 303
    assert _actions(app, "user.password")[0][1] == {"sessions_ended": 1}


def test_an_admin_reset_and_disabling_end_the_sessions(app: Flask, users: Any) -> None:
    admin = open_session(app, "admin")
    reviewer, viewer = open_session(app, "reviewer"), open_session(app, "viewer")
    assert _signed_in(reviewer) and _signed_in(viewer)
    ids = dict(_sql(app, "select username, id from staff_users"))
    r = post(admin, f"/console/admin/users/{ids['reviewer']}/password", page="/console/admin/users")
    assert r.status_code == 200
    found = re.search(r'id="temporary-password">([^<]+)<', r.get_data(as_text=True))
    assert found
    assert not _signed_in(reviewer)
    assert login(app.test_client(), "reviewer").status_code == 200
    assert login(app.test_client(), "reviewer", found.group(1)).status_code == 303
    assert [t for t, _ in _actions(app, "user.password_reset")] == ["reviewer"]
    assert found.group(1) not in str(_sql(app, "select details from audit_log"))
    r = post(
        admin,
        f"/console/admin/users/{ids['viewer']}",
        {"role": "viewer", "scope": "all"},
        "/console/admin/users",
    )
    assert r.status_code == 303
    assert not _signed_in(viewer)
    assert (
        _sql(app, f"select count(*) from console_sessions where user_id = {ids['viewer']}")[0][0]
        == 0
    )
    # an admin cannot reset their own password here (the password page asks for the current one)
    post(admin, f"/console/admin/users/{ids['admin']}/password", page="/console/admin/users")
    assert len(_actions(app, "user.password_reset")) == 1


def test_idle_and_absolute_lifetimes(app: Flask, users: Any, clock: Clock) -> None:
    c = open_session(app, "viewer")
    clock.offset = timedelta(minutes=29)
    assert _signed_in(c)  # 29 idle minutes: still on (default idle: 30)
    clock.offset = timedelta(minutes=29 + 31)
    assert not _signed_in(c)
    assert _sql(app, "select count(*) from console_sessions")[0][0] == 0
    clock.offset = timedelta()
    busy = open_session(app, "viewer")
    for minutes in range(20, 8 * 60, 20):  # active every 20 minutes, yet 8 hours is the end
        clock.offset = timedelta(minutes=minutes)
        assert _signed_in(busy), minutes
    clock.offset = timedelta(hours=8)
    assert not _signed_in(busy)


def test_cookie_flags_and_name_behind_a_trusted_tls_proxy(
    make_app: Callable[..., Flask], users: Any
) -> None:
    proxied = make_app(trusted_proxies=1)
    c = proxied.test_client()
    headers = {**PROXY, "X-Forwarded-For": "203.0.113.9"}
    r = _login_from(c, "reviewer", headers=headers)
    assert r.status_code == 303
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("__Host-loket_console=")
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite", "path", "expires"} <= flags and "domain" not in flags
    assert "SameSite=Lax" in cookie and "Path=/" in cookie
    expires_match = re.search(r"Expires=([^;]+)", cookie)
    assert expires_match is not None, cookie
    expires = parsedate_to_datetime(expires_match.group(1))
    assert abs(expires - datetime.now(UTC) - timedelta(hours=8)) < timedelta(minutes=5)
    assert _signed_in(c, headers)
    assert _actions(proxied, "login")[-1][1] == {"address": "203.0.113.9"}


def test_forwarded_headers_are_ignored_without_trusted_proxies(
    make_app: Callable[..., Flask], users: Any
) -> None:
    direct = make_app(trusted_proxies=0)
    c = direct.test_client()
    r = _login_from(c, "reviewer", headers={**PROXY, "X-Forwarded-For": "203.0.113.9"})
    assert r.status_code == 303
    assert r.headers["Set-Cookie"].startswith("loket_console=")
    assert "Secure" not in r.headers["Set-Cookie"]
    assert _actions(direct, "login")[-1][1] == {"address": "127.0.0.1"}
    # nor can a client claim a fresh address for each guess
    for n in range(6):
        guess = _login_from(
            direct.test_client(), "viewer", "salah", headers={"X-Forwarded-For": f"198.51.100.{n}"}
        )
        assert guess.status_code == (200 if n < 3 else 429)
    assert {t for t, _ in _actions(direct, "login.failed")} == {"127.0.0.1"}


# --- finding 6: throttling ----------------------------------------------------------------------
def test_a_lock_out_attempt_from_one_address_does_not_stop_the_real_user(
    make_app: Callable[..., Flask], users: Any, clock: Clock
) -> None:
    proxied = make_app(trusted_proxies=1)  # every client arrives from nginx on 127.0.0.1
    attacker, user = proxied.test_client(), proxied.test_client()
    evil = {**PROXY, "X-Forwarded-For": "198.51.100.66"}
    codes = [
        _login_from(attacker, "reviewer", "tebakan", headers=evil).status_code for _ in range(8)
    ]
    assert codes[:3] == [200, 200, 200] and set(codes[3:]) == {429}
    r = _login_from(user, "reviewer", headers={**PROXY, "X-Forwarded-For": "203.0.113.5"})
    assert r.status_code == 303  # the real user, from their own address, at once
    # and even the attacker's address is only delayed, never locked: after the wait it may try
    r = _login_from(attacker, "reviewer", headers=evil)
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 2
    clock.offset = timedelta(seconds=3)
    assert _login_from(attacker, "reviewer", headers=evil).status_code == 303
    assert len(_actions(proxied, "login.failed")) == 3  # refused guesses write no row each
    assert len(_actions(proxied, "login.throttled")) == 1


def test_delays_grow_and_are_capped(
    make_app: Callable[..., Flask], users: Any, clock: Clock
) -> None:
    capped = make_app(login_max_delay_seconds=10)
    c = capped.test_client()
    waits = []
    for _ in range(7):
        r = _login_from(c, "reviewer", "tebakan")
        if r.status_code == 429:
            waits.append(int(r.headers["Retry-After"]))
            clock.offset += timedelta(seconds=waits[-1])
            r = _login_from(c, "reviewer", "tebakan")
        assert r.status_code == 200
    assert waits == [2, 4, 8, 10]


def test_fresh_usernames_from_one_address_are_bounded_without_hashing(
    make_app: Callable[..., Flask], users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import syncserver.console.auth as auth_mod

    hashed: list[int] = []
    real = auth_mod.verify_password
    monkeypatch.setattr(auth_mod, "verify_password", lambda h, p: hashed.append(1) or real(h, p))
    bounded = make_app(login_address_max=5)
    c = bounded.test_client()
    codes = [
        _login_from(c, f"nobody{n}", "tebakan", addr="198.51.100.7").status_code for n in range(15)
    ]
    assert codes == [200] * 5 + [429] * 10
    assert len(hashed) == 5
    assert len(_actions(bounded, "login.failed")) == 5
    assert len(_actions(bounded, "login.throttled")) == 1
    assert _login_from(c, "reviewer", addr="203.0.113.5").status_code == 303  # others sign in


def test_a_server_wide_limit_slows_everyone_for_a_minute(
    make_app: Callable[..., Flask], users: Any, clock: Clock
) -> None:
    limited = make_app(login_global_per_minute=4)
    c = limited.test_client()
    for n in range(4):
        assert _login_from(c, "nobody", "tebakan", addr=f"198.51.100.{n}").status_code == 200
    r = _login_from(c, "reviewer", addr="203.0.113.5")
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
    clock.offset = timedelta(seconds=61)
    assert _login_from(c, "reviewer", addr="203.0.113.5").status_code == 303


def test_concurrent_attempts_from_two_servers_cannot_exceed_the_limit(
    make_app: Callable[..., Flask], users: Any
) -> None:
    servers = [make_app(), make_app(login_address_max=100)]
    n = 10
    clients, tokens = [], []
    for i in range(n):
        c = servers[i % 2].test_client()
        clients.append(c)
        tokens.append(token(c))
    barrier = threading.Barrier(n)
    codes: list[int] = []

    def attempt(i: int) -> None:
        barrier.wait()
        r = clients[i].post(
            "/console/login",
            data={"username": "reviewer", "password": "tebakan", "csrf_token": tokens[i]},
        )
        codes.append(r.status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] * 3 + [429] * (n - 3)
    assert len(_actions(servers[0], "login.failed")) == 3
    (failures,) = _sql(servers[0], "select failures from login_throttle where key like 'u:%'")[0]
    assert failures == 3


def test_concurrent_fresh_usernames_cannot_exceed_the_address_limit(
    make_app: Callable[..., Flask], users: Any
) -> None:
    servers = [make_app(login_address_max=4), make_app(login_address_max=4)]
    n = 10
    clients = [servers[i % 2].test_client() for i in range(n)]
    tokens = [token(c) for c in clients]
    barrier = threading.Barrier(n)
    codes: list[int] = []

    def attempt(i: int) -> None:
        barrier.wait()
        r = clients[i].post(
            "/console/login",
            data={"username": f"nobody{i}", "password": "tebakan", "csrf_token": tokens[i]},
        )
        codes.append(r.status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] * 4 + [429] * (n - 4)
    assert len(_actions(servers[0], "login.failed")) == 4


def test_migration_0005_goes_down_and_up_again(app: Flask, users: Any) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from syncserver import db

    engine = app.extensions["loket"].engine
    open_session(app, "admin")
    engine.dispose()
    command.downgrade(db.alembic_config(engine), "0004_lean_ingest")
    assert {"console_sessions", "login_throttle"}.isdisjoint(inspect(engine).get_table_names())
    engine.dispose()
    db.migrate(engine)
    assert {"console_sessions", "login_throttle"} <= set(inspect(engine).get_table_names())
    assert _signed_in(open_session(app, "admin"))
