"""The console's bundle upload page (issue 16 item 3): who may import, what an import shows
(device, office, records, counts per outcome, imported before), the acknowledgement file,
refusals with their catalog code in the page's language changing nothing, the recent imports
scoped by province, and the batches' source filter.

Bundles are sealed as a field device seals them (tests/support/bundles.py) by devices
enrolled through the real API with their own bundle keys (``api.enroll_bundles``)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from common import bundle as B
from common import errors as E
from common import protocol as P
from common.i18n import Lang
from syncserver import db
from syncserver.console.sessions import TOUCH_EVERY
from syncserver.users import add_user
from tests.support.bundles import BundleDevice, open_ack, records_bundle
from tests.syncserver.conftest import dump_tables
from tests.syncserver.console.conftest import PASSWORD, open_session, post, token

_IMPORT_ID = re.compile(r'data-import-id="(\d+)"')


@pytest.fixture
def bogor(api: Any) -> BundleDevice:
    device: BundleDevice = api.enroll_bundles("320101", "Laptop desa Cibodas")
    return device


@pytest.fixture
def makassar(api: Any) -> BundleDevice:
    device: BundleDevice = api.enroll_bundles("737101")
    return device


@pytest.fixture
def intake_jabar(app: Flask, users: Any, password_hash: str, monkeypatch: Any) -> FlaskClient:
    """An intake operator limited to West Java (32)."""
    import syncserver.users as users_mod

    monkeypatch.setattr(users_mod, "hash_password", lambda _pw: password_hash)
    with db.transaction(app.extensions["loket"].sessions) as s:
        add_user(s, "intake_jabar", PASSWORD, "intake", ["32"])
    monkeypatch.undo()
    return open_session(app, "intake_jabar")


def records(api: Any, device: BundleDevice, people: list[dict[str, Any]]) -> list[P.PushRecord]:
    return [api.record(a, device) for a in people]


def upload(client: FlaskClient, raw: bytes, name: str = "cibodas-minggu-1.loket") -> Any:
    return client.post(
        "/console/bundles/",
        data={"bundle": (io.BytesIO(raw), name), "csrf_token": token(client, "/console/")},
        content_type="multipart/form-data",
    )


def import_id(page: str) -> int:
    found = _IMPORT_ID.search(page)
    assert found, page
    return int(found.group(1))


def set_lang(client: FlaskClient, lang: str) -> None:
    with client.session_transaction() as sess:
        sess["lang"] = lang


def _core(api: Any) -> dict[str, Any]:
    """Every table but the audit log and the console sessions (a sign-in's last use moves on)."""
    tables = dump_tables(api.ext.engine)
    return {k: v for k, v in tables.items() if k not in ("audit_log", "console_sessions")}


def test_who_may_open_and_use_the_page(signed_in: dict[str, FlaskClient], bogor: Any) -> None:
    for role in ("viewer", "reviewer"):
        c = signed_in[role]
        assert c.get("/console/bundles/").status_code == 403
        assert upload(c, b"LOKETBDL").status_code == 403
        assert "/console/bundles/" not in c.get("/console/").get_data(as_text=True)
    for role in ("intake", "admin"):
        c = signed_in[role]
        page = c.get("/console/bundles/")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Impor berkas" in html and 'enctype="multipart/form-data"' in html
        assert 'href="/console/bundles/"' in c.get("/console/").get_data(as_text=True)
    # the upload needs the form's CSRF token like every console form
    r = signed_in["intake"].post(
        "/console/bundles/",
        data={"bundle": (io.BytesIO(b"x"), "a.loket")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400


def test_upload_imports_shows_counts_and_logs_who(
    api: Any, signed_in: dict[str, FlaskClient], bogor: BundleDevice, people: list[dict[str, Any]]
) -> None:
    first, second = records(api, bogor, people[:3]), records(api, bogor, people[3:5])
    raw = records_bundle(bogor, [first, second])
    r = upload(signed_in["intake"], raw)
    assert r.status_code == 200, r.data
    html = r.get_data(as_text=True)
    assert 'id="imported-before"' not in html
    assert bogor.id in html and "Laptop desa Cibodas" in html
    assert "320101" in html and "Disnaker Kab. Bogor" in html
    assert re.search(r'id="bundle-records">5<', html)
    assert 'data-outcome="accepted" data-count="5"' in html
    assert "cibodas-minggu-1.loket" in html

    # the import is logged: who uploaded it, by which way, the counts
    (row,) = api.sql("select uploaded_by, via, record_count, device_id from bundle_imports")
    assert tuple(row) == ("intake", "console", 5, bogor.id)
    audit = api.sql("select actor_kind, actor, action from audit_log where action like 'bundle.%'")
    assert [tuple(a) for a in audit] == [("staff", "intake", "bundle.import")]
    # the records are in, by the same path as a push
    assert api.sql("select count(*) from registrations")[0][0] == 5
    # and the page lists it among the recent imports
    listing = signed_in["intake"].get("/console/bundles/").get_data(as_text=True)
    assert f'data-import="{import_id(html)}"' in listing and "unggahan konsol" in listing


def test_a_second_upload_says_imported_before_and_changes_nothing(
    api: Any, signed_in: dict[str, FlaskClient], bogor: BundleDevice, people: list[dict[str, Any]]
) -> None:
    raw = records_bundle(bogor, [records(api, bogor, people[:4])])
    first = upload(signed_in["intake"], raw)
    assert first.status_code == 200
    before = _core(api)
    # a minute on: the sign-in check writes the session's last use before the import runs in
    # its own transactions (on SQLite they must not wait behind the request's write)
    api.clock.offset += TOUCH_EVERY
    again = upload(signed_in["admin"], raw)
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert 'id="imported-before"' in html and "Sudah pernah diimpor" in html
    assert import_id(html) == import_id(first.get_data(as_text=True))
    assert _core(api) == before
    audit = api.sql("select actor, action from audit_log where action like 'bundle.%' order by id")
    assert [tuple(a) for a in audit] == [
        ("intake", "bundle.import"),
        ("admin", "bundle.import_again"),
    ]


def test_acknowledgement_download(
    api: Any, signed_in: dict[str, FlaskClient], bogor: BundleDevice, people: list[dict[str, Any]]
) -> None:
    sent = records(api, bogor, people[:3])
    c = signed_in["intake"]
    page = upload(c, records_bundle(bogor, [sent]), name="desa cibodas/../minggu 1.loket")
    html = page.get_data(as_text=True)
    ident = import_id(html)
    name = re.search(r'name="name" value="([^"]*)"', html)
    assert name and name.group(1) == "desa_cibodas_.._minggu_1.loket"  # no folders
    r = c.post(
        f"/console/bundles/{ident}/ack",
        data={"name": name.group(1), "csrf_token": token(c, "/console/")},
    )
    assert r.status_code == 200
    assert r.mimetype == "application/octet-stream"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="desa_cibodas_.._minggu_1.loket.ack"' in disposition or (
        "filename=desa_cibodas_.._minggu_1.loket.ack" in disposition
    )
    sealed = B.read(r.data)
    assert sealed.kind is B.Kind.ACK
    assert sealed.header.recipient_id == bogor.id and sealed.header.sender_id == "server"
    assert sealed.header.recipient_key == bogor.keys.public().key_id
    ack = open_ack(bogor, r.data)  # signed by the server, opened with the device's key
    assert [x.id for x in ack.results] == [s.id for s in sent]
    assert {x.outcome.value for x in ack.results} == {"accepted"}

    # from the recent imports list (no original name: named after the bundle)
    r = c.post(f"/console/bundles/{ident}/ack", data={"csrf_token": token(c, "/console/")})
    assert r.status_code == 200 and ".ack" in r.headers["Content-Disposition"]
    assert B.read(r.data).kind is B.Kind.ACK
    # a viewer may not; an import that does not exist is not found
    viewer = signed_in["viewer"]
    tok = token(viewer, "/console/")
    assert viewer.post(f"/console/bundles/{ident}/ack", data={"csrf_token": tok}).status_code == 403
    tok = token(c, "/console/")
    assert c.post("/console/bundles/999999/ack", data={"csrf_token": tok}).status_code == 404


def test_a_province_limited_operator_imports_only_their_offices(
    api: Any,
    signed_in: dict[str, FlaskClient],
    intake_jabar: FlaskClient,
    bogor: BundleDevice,
    makassar: BundleDevice,
    people: list[dict[str, Any]],
) -> None:
    elsewhere = records_bundle(makassar, [records(api, makassar, people[:2])])
    before = _core(api)
    r = upload(intake_jabar, elsewhere)
    assert r.status_code == E.spec(E.BUNDLE_OUT_OF_SCOPE).http_status == 403
    html = r.get_data(as_text=True)
    assert 'data-error-code="BUNDLE_OUT_OF_SCOPE"' in html
    assert escape(E.message(E.BUNDLE_OUT_OF_SCOPE, {"office": "737101"}, Lang.ID)) in html
    assert _core(api) == before

    # their own province's bundle goes in
    assert (
        upload(intake_jabar, records_bundle(bogor, [records(api, bogor, people[2:4])])).status_code
        == 200
    )
    # an admin imports the other one; the limited operator neither lists it nor gets its ack
    done = upload(signed_in["admin"], elsewhere)
    assert done.status_code == 200
    other = import_id(done.get_data(as_text=True))
    listing = intake_jabar.get("/console/bundles/").get_data(as_text=True)
    assert f'data-import="{other}"' not in listing and listing.count("data-import=") == 1
    assert (
        signed_in["admin"].get("/console/bundles/").get_data(as_text=True).count("data-import=")
        == 2
    )
    tok = token(intake_jabar, "/console/")
    r = intake_jabar.post(f"/console/bundles/{other}/ack", data={"csrf_token": tok})
    assert r.status_code == 403 and b"BUNDLE_OUT_OF_SCOPE" in r.data


@pytest.mark.parametrize("lang", ["id", "en"])
def test_refusals_show_the_code_and_message_in_the_page_language(
    api: Any,
    signed_in: dict[str, FlaskClient],
    bogor: BundleDevice,
    people: list[dict[str, Any]],
    lang: str,
) -> None:
    c = signed_in["intake"]
    set_lang(c, lang)
    good = records_bundle(bogor, [records(api, bogor, people[:2])])
    tampered = bytearray(good)
    tampered[len(tampered) // 2] ^= 0x01
    other_server = B.KeyPair.generate().public()
    cases = [
        (bytes(tampered), E.BUNDLE_TAMPERED),
        (good[: len(good) - 10], E.BUNDLE_UNREADABLE),
        (b"not a bundle at all", E.BUNDLE_UNREADABLE),
        (b"", E.BUNDLE_UNREADABLE),
        (
            records_bundle(bogor, [records(api, bogor, people[2:3])], recipient=other_server),
            E.BUNDLE_WRONG_RECIPIENT,
        ),
    ]
    before = _core(api)
    for raw, code in cases:
        r = upload(c, raw)
        assert r.status_code == E.spec(code).http_status, (code, r.status_code)
        html = r.get_data(as_text=True)
        assert f'data-error-code="{code}"' in html, code
        assert escape(E.message(code, None, Lang(lang)).split("{")[0]) in html, code
        assert 'id="bundle-upload"' in html  # the form again, to choose another file
    assert _core(api) == before


def test_the_upload_is_bounded_by_the_bundle_limit_not_the_api_body_limit(
    api: Any, signed_in: dict[str, FlaskClient]
) -> None:
    c = signed_in["intake"]
    before = _core(api)
    # larger than the app's request limit (8 MiB), within a bundle's: read and judged
    big = b"x" * (9 * 1024 * 1024)
    r = upload(c, big)
    assert r.status_code == E.spec(E.BUNDLE_UNREADABLE).http_status
    assert b'data-error-code="BUNDLE_UNREADABLE"' in r.data
    # a declared body beyond a bundle's limit is refused before anything is read
    tok = token(c, "/console/")
    r = c.post(
        "/console/bundles/",
        data={"bundle": (io.BytesIO(b"x"), "a.loket"), "csrf_token": tok},
        content_type="multipart/form-data",
        environ_overrides={"CONTENT_LENGTH": str(B.MAX_BUNDLE_BYTES + 10 * 1024 * 1024)},
    )
    assert r.status_code == 413 and b"BUNDLE_TOO_LARGE" in r.data
    assert _core(api) == before


def test_batches_show_and_filter_their_source(
    api: Any, signed_in: dict[str, FlaskClient], bogor: BundleDevice, people: list[dict[str, Any]]
) -> None:
    network = api.push(bogor, records(api, bogor, people[:2]))
    assert network.status == 200
    assert (
        upload(
            signed_in["intake"], records_bundle(bogor, [records(api, bogor, people[2:5])])
        ).status_code
        == 200
    )
    c = signed_in["viewer"]
    everything = c.get("/console/batches/").get_data(as_text=True)
    assert "jaringan" in everything and "berkas bundel" in everything
    by_bundle = c.get("/console/batches/?source=bundle").get_data(as_text=True)
    by_network = c.get("/console/batches/?source=network").get_data(as_text=True)
    bundle_pk = api.sql("select id from batches where source = 'bundle'")[0][0]
    network_pk = api.sql("select id from batches where source = 'network'")[0][0]
    assert f"/console/batches/{bundle_pk}" in by_bundle
    assert f"/console/batches/{network_pk}" not in by_bundle
    assert f"/console/batches/{network_pk}" in by_network
    assert f"/console/batches/{bundle_pk}" not in by_network
    assert '<option value="bundle" selected' in by_bundle
    # an unknown source is no filter
    assert f"/console/batches/{network_pk}" in c.get("/console/batches/?source=usb").get_data(
        as_text=True
    )
    # the batch page says where it came from
    page = c.get(f"/console/batches/{bundle_pk}").get_data(as_text=True)
    assert "berkas bundel" in page


def test_an_admin_makes_an_intake_account_limited_to_a_province(
    app: Flask, signed_in: dict[str, FlaskClient], api: Any
) -> None:
    c = signed_in["admin"]
    form = c.get("/console/admin/users").get_data(as_text=True)
    assert '<option value="intake" >petugas penerimaan berkas</option>' in form
    r = c.post(
        "/console/admin/users",
        data={
            "username": "penerima",
            "password": PASSWORD,
            "role": "intake",
            "scope": "some",
            "provinces": ["32"],
            "csrf_token": token(c, "/console/"),
        },
    )
    assert r.status_code == 303
    row = api.sql("select role, provinces from staff_users where username = 'penerima'")[0]
    assert row[0] == "intake" and "32" in str(row[1])
    staff = open_session(app, "penerima")
    page = staff.get("/console/bundles/")
    assert page.status_code == 200
    assert "penerima · petugas penerimaan berkas · 32" in page.get_data(as_text=True)
    assert staff.get("/console/records/").status_code == 200  # view
    assert post(staff, "/console/export.csv").status_code == 403  # no export, no decisions
    assert staff.get("/console/admin/users").status_code == 403
