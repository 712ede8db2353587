"""The sync client speaks only TLS, except to a server on this computer."""

from __future__ import annotations

import pytest

from common.errors import ApiError
from desktop.sync.client import SyncClient, require_tls


@pytest.mark.parametrize(
    "url",
    [
        "https://loket.kemnaker.go.id",
        "https://10.0.0.5:8443/",
        "http://127.0.0.1:8470",
        "http://localhost:8470",
        "http://[::1]:8470",
        "http://127.0.0.2:9000",
    ],
)
def test_allowed(url: str) -> None:
    assert require_tls(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://loket.kemnaker.go.id",
        "http://10.0.0.5:8470",
        "http://192.168.1.10",
        "ftp://127.0.0.1",
        "loket.kemnaker.go.id",
        "http://localhost.evil.example",
        "https://",
    ],
)
def test_refused(url: str) -> None:
    with pytest.raises(ApiError) as info:
        SyncClient(url)
    assert info.value.code == "TLS_REQUIRED"


def test_certificate_verification_is_on_with_an_optional_ca_bundle(tmp_path) -> None:
    assert SyncClient("https://loket.example").session.verify is True
    bundle = tmp_path / "office-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert SyncClient("https://loket.example", ca_bundle=str(bundle)).session.verify == str(bundle)
