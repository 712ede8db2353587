"""Review console fixtures: the sync server app on a fresh SQLite database (the console's
queries are also run on PostgreSQL in test_postgres.py and by bench/console.py), staff
accounts of each role, a signed-in client per role, and a small data set pushed through the
real device API: two offices, a duplicate NIK across them, a family card with three
registrations, and HTML in the fields that accept it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from common.synthetic import generate
from syncserver import db
from syncserver.users import add_user

PASSWORD = "rahasia-sekali-123"
ROLES = ("admin", "reviewer", "intake", "viewer")
INJECTION = '<script>alert("x")</script><img src=x onerror=alert(1)>'
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only here: the console suite stays fast."""
    return f"sqlite:///{tmp_path / 'loket-server.db'}"


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2id hash of PASSWORD for the whole run (hashing costs ~0.5 s)."""
    from syncserver.users import hash_password

    return hash_password(PASSWORD)


@pytest.fixture
def users(app: Flask, password_hash: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    import syncserver.users as users_mod

    monkeypatch.setattr(users_mod, "hash_password", lambda _pw: password_hash)
    ext = app.extensions["loket"]
    with db.transaction(ext.sessions) as s:
        for role in ROLES:
            add_user(s, role, PASSWORD, role)
        add_user(s, "jabar", PASSWORD, "reviewer", ["32"])  # West Java only
    monkeypatch.undo()
    return {r: r for r in ROLES}


def token(client: FlaskClient, path: str = "/console/login") -> str:
    page = client.get(path)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path} ({page.status_code})"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token(client)},
    )


def post(
    client: FlaskClient, path: str, data: dict[str, Any] | None = None, page: str = "/console/"
) -> Any:
    """A POST with the CSRF token of the signed-in session."""
    return client.post(path, data={**(data or {}), "csrf_token": token(client, page)})


def open_session(app: Flask, username: str) -> FlaskClient:
    """A client with a server-side session of ``username``, made as the sign-in form makes
    it but without checking the password (argon2 costs ~0.4 s; test_auth signs in for real)."""
    import secrets

    from syncserver.console.sessions import _hash
    from syncserver.queries import users as users_q

    ext = app.extensions["loket"]
    token = secrets.token_urlsafe(32)
    with db.transaction(ext.sessions) as s:
        user = users_q.get_user(s, username)
        assert user is not None
        users_q.add_session(s, _hash(token), user.id, ext.clock())
    c = app.test_client()
    with c.session_transaction() as sess:
        sess["sid"] = token
        sess.permanent = True
    return c


@pytest.fixture
def signed_in(app: Flask, users: dict[str, str]) -> dict[str, FlaskClient]:
    """A client per account with a signed-in session (see :func:`open_session`)."""
    return {name: open_session(app, name) for name in (*ROLES, "jabar")}


@dataclass
class Seeded:
    devices: dict[str, Any]
    ids: list[str]  # plain accepted registrations of office 320101
    dup_nik: str
    dup_ids: list[str]  # [primary, flagged] sharing dup_nik (offices 320101, 737101)
    kk: str
    kk_ids: list[str]  # three registrations on one family card, the third flagged
    injected_id: str
    batch_ids: list[str]


@pytest.fixture
def seeded(api: Any) -> Seeded:
    samples = [s.applicant for s in generate(40, seed=606)]
    bogor = api.enroll("320101", name="PC loket <b>1</b>")
    makassar = api.enroll("737101", name="Laptop lapangan")
    plain = samples[:20]
    injected = dict(samples[20])
    injected["full_name"] = "Siti 'Aminah"
    injected["street"] = INJECTION
    injected["motivation"] = INJECTION
    dup_a = samples[21]
    dup_b = dict(dup_a, phone="081299990000", street="Jl. Lain No. 9")
    kk_people = [dict(s, kk_number=samples[30]["kk_number"]) for s in samples[30:33]]

    recs = [api.record(a, bogor) for a in plain]
    inj = api.record(injected, bogor, operator=INJECTION[:100])
    first = api.record(dup_a, bogor)
    kk_recs = [api.record(a, bogor) for a in kk_people]
    r1 = api.push(bogor, [*recs, inj, first, *kk_recs])
    assert r1.outcomes.count("accepted") == 24, r1.outcomes
    assert r1.outcomes[-1] == "kk_limit"
    second = api.record(dup_b, makassar)
    r2 = api.push(makassar, [second])
    assert r2.outcomes == ["accepted"]  # flagged; another office's NIK is not revealed
    return Seeded(
        devices={"320101": bogor, "737101": makassar},
        ids=[r.id for r in recs],
        dup_nik=dup_a["nik"],
        dup_ids=[first.id, second.id],
        kk=samples[30]["kk_number"],
        kk_ids=[r.id for r in kk_recs],
        injected_id=inj.id,
        batch_ids=[r1.body["batch_id"], r2.body["batch_id"]],
    )


def rev(api: Any, registration_id: str) -> dict[str, str]:
    """The decide form's hidden field: the revision the reviewer has open (the current one)."""
    revision = api.sql("select revision from registrations where id = :i", i=registration_id)
    return {"revision": str(revision[0][0])} if revision else {}


def revs(api: Any, ids: list[str]) -> dict[str, str]:
    """The bulk and group forms' hidden fields: ``rev-<id>`` per record, the current revision."""
    out = {}
    for rid in ids:
        got = api.sql("select revision from registrations where id = :i", i=rid)
        if got:
            out[f"rev-{rid}"] = str(got[0][0])
    return out
