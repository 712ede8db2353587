"""The version handshake (issue 18 #5): a pull with ``client_version`` carries the server's
minimum and current client versions; without it the answer is byte for byte as before (older
desktops decode pull answers strictly); a push is never refused for the client's version."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from common import __version__, wire
from common import errors as E
from common import protocol as P
from syncserver.config import ConfigError, from_mapping
from tests.syncserver.conftest import Api, Device


def _pull(api: Api, device: Device, **params: str) -> tuple[int, bytes, Any]:
    r = api.client.get("/api/v1/sync/pull", query_string=params, headers=device.headers)
    raw = wire.decompress(r.data, r.headers.get("Content-Encoding"))
    return r.status_code, raw, json.loads(raw)


def _set(api: Api, **values: str) -> None:
    ext = api.app.extensions["loket"]
    ext.settings = dataclasses.replace(ext.settings, **values)


def test_without_client_version_the_answer_is_as_before(api: Api) -> None:
    dev = api.enroll()
    status, raw, payload = _pull(api, dev, cursor="")
    assert status == 200
    assert set(payload) == {"changes", "cursor", "more"}
    # byte for byte the answer before the field existed (its three fields, in order)
    assert raw == wire.dumps({"changes": [], "cursor": "0", "more": False})
    # with bundle keys asked for, still no client_versions
    status, _, payload = _pull(api, dev, bundle_keys="1")
    assert status == 200 and "client_versions" not in payload and payload["bundle_keys"]


def test_with_client_version_the_answer_states_both_versions(api: Api) -> None:
    dev = api.enroll()
    status, _, payload = _pull(api, dev, client_version="0.0.9")
    assert status == 200
    assert payload["client_versions"] == {"minimum": "0.1.0", "current": __version__}
    answer = P.decode(P.PullResponse, payload)
    assert answer.client_versions == P.ClientVersions(minimum="0.1.0", current=__version__)
    _set(api, client_min_version="0.3.0", client_current_version="0.4.1")
    status, _, payload = _pull(api, dev, client_version="0.1.0", bundle_keys="1")
    assert status == 200 and payload["bundle_keys"]
    assert payload["client_versions"] == {"minimum": "0.3.0", "current": "0.4.1"}


@pytest.mark.parametrize(
    "value", ["", "abc", "1..2", "v1.0", "1.0 ", "1;DROP", "1" * 33, "١.٢", "1.2.3_4"]
)
def test_a_bad_client_version_is_refused(api: Api, value: str) -> None:
    dev = api.enroll()
    status, _, payload = _pull(api, dev, client_version=value)
    assert status == 400
    assert payload["code"] == E.SCHEMA_VIOLATION
    assert "client_version" in json.dumps(payload), payload


def test_a_push_from_a_client_below_the_minimum_is_accepted(
    api: Api, people: list[dict[str, Any]]
) -> None:
    _set(api, client_min_version="9.0.0", client_current_version="9.1.0")
    dev = api.enroll()
    status, _, payload = _pull(api, dev, client_version="0.1.0")
    assert status == 200 and payload["client_versions"]["minimum"] == "9.0.0"
    got = api.push(dev, [api.record(a, dev) for a in people[:3]])
    assert got.status == 200
    assert got.outcomes == ["accepted"] * 3


def test_the_version_settings_are_checked() -> None:
    settings = from_mapping({"client_min_version": "0.2.0", "client_current_version": "1.0.0rc1"})
    assert (settings.client_min_version, settings.client_current_version) == ("0.2.0", "1.0.0rc1")
    assert from_mapping({}).client_current_version == __version__
    with pytest.raises(ConfigError, match="client_min_version"):
        from_mapping({"client_min_version": "latest"})
