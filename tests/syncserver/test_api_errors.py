"""Auth, limits and error bodies on /api: always JSON {code, message, details}, never HTML."""

from __future__ import annotations

import gzip
import uuid

import pytest

from common import errors as E
from common import wire
from common.protocol import MAX_BATCH_RECORDS
from syncserver import db
from syncserver.queries import devices as devices_q
from tests.syncserver.conftest import Api


def _error(r) -> dict:
    assert r.mimetype == "application/json", r.data[:200]
    body = r.get_json()
    assert set(body) == {"code", "message", "details"} and body["message"]
    return body


def test_push_without_credential(api: Api) -> None:
    r = api.push_raw(None, b"{}", None)
    assert r.status_code == 401 and _error(r)["code"] == E.AUTH_REQUIRED


def test_wrong_credential(api: Api) -> None:
    dev = api.enroll()
    for header in (
        f"Bearer {dev.id}.wrong",
        "Bearer nonsense",
        f"Bearer {uuid.uuid4()}.x",
        "Basic abc",
    ):
        r = api.client.get("/api/v1/sync/pull", headers={"Authorization": header})
        assert r.status_code == 401 and _error(r)["code"] in (E.AUTH_INVALID, E.AUTH_REQUIRED)


def test_revoked_device_is_refused_everywhere(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    with db.transaction(api.ext.sessions) as s:
        assert devices_q.revoke_device(s, dev.id, api.clock())
    r = api.pull(dev)
    assert r.status_code == 403 and _error(r)["code"] == E.DEVICE_REVOKED
    got = api.push(dev, [api.record(people[0], dev)])
    assert got.status == 403 and got.body["code"] == E.DEVICE_REVOKED


def test_push_for_another_device_or_office_is_refused(api: Api, people: list[dict]) -> None:
    a = api.enroll("320101")
    b = api.enroll("327101")
    body = api.body(b, [api.record(people[0], b)])
    got = api.push(a, [], body=body)
    assert got.status == 403 and got.body["code"] == E.DEVICE_MISMATCH
    body = dict(api.body(a, [api.record(people[0], a)]), office_code="327101")
    assert api.push(a, [], body=body).body["code"] == E.DEVICE_MISMATCH
    assert api.sql("SELECT count(*) FROM registrations") == [(0,)]


def test_unknown_field_is_refused(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    body = dict(api.body(dev, [api.record(people[0], dev)]), extra=1)
    got = api.push(dev, [], body=body)
    assert got.status == 400 and got.body["code"] == E.UNKNOWN_FIELD
    r = api.client.get("/api/v1/sync/pull?cursor=&since=1", headers=dev.headers)
    assert r.status_code == 400 and _error(r)["code"] == E.UNKNOWN_FIELD


def test_malformed_and_badly_encoded_bodies(api: Api) -> None:
    dev = api.enroll()
    r = api.push_raw(dev, b"{not json", None)
    assert r.status_code == 400 and _error(r)["code"] == E.MALFORMED_JSON
    r = api.push_raw(dev, b"garbage", "zstd")
    assert r.status_code == 415 and _error(r)["code"] == E.UNSUPPORTED_ENCODING
    r = api.push_raw(dev, wire.compress(b"{}", "gzip"), "br")
    assert r.status_code == 415 and _error(r)["code"] == E.UNSUPPORTED_ENCODING
    r = api.push_raw(dev, wire.compress(b'{"device_id": 1}', "gzip"), "gzip")
    assert r.status_code == 400 and _error(r)["code"] == E.SCHEMA_VIOLATION


def test_body_limits(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    bomb = gzip.compress(b" " * (api.ext.settings.max_body_bytes + 10))
    r = api.push_raw(dev, bomb, "gzip")
    assert r.status_code == 413 and _error(r)["code"] == E.BODY_TOO_LARGE
    r = api.push_raw(dev, b"x" * (api.ext.settings.max_body_bytes + 1), None)
    assert r.status_code == 413 and _error(r)["code"] == E.BODY_TOO_LARGE
    recs = [api.record(people[0], dev)] * (MAX_BATCH_RECORDS + 1)
    got = api.push(dev, recs)
    assert got.status == 413 and got.body["code"] == E.BATCH_TOO_LARGE


def test_not_found_and_method_not_allowed_are_json(api: Api) -> None:
    r = api.client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and _error(r)["code"] == E.NOT_FOUND
    r = api.client.get("/api/v1/sync/push")
    assert r.status_code == 405 and _error(r)["code"] == E.METHOD_NOT_ALLOWED


def test_message_language_follows_accept_language(api: Api) -> None:
    r = api.client.get("/api/v1/sync/pull")
    assert _error(r)["message"] == E.message(E.AUTH_REQUIRED, lang="id")
    r = api.client.get("/api/v1/sync/pull", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert _error(r)["message"] == E.message(E.AUTH_REQUIRED, lang="en")


def test_internal_error_is_json_without_traceback(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    dev = api.enroll()
    from syncserver.api import sync

    def boom(*a, **k):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(sync.changes_q, "changes_since", boom)
    r = api.pull(dev)
    assert r.status_code == 500 and _error(r)["code"] == E.INTERNAL_ERROR
    assert b"secret detail" not in r.data and b"Traceback" not in r.data
