"""/metrics (issue 12, finding 12): bounded label values, only for an allowed scraper, and under
gunicorn the sum over every worker."""

from __future__ import annotations

import random
import re
import string
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from common import errors as E
from syncserver import db
from syncserver.app import create_app
from tests.support.liveserver import LiveServer
from tests.support.netutil import free_port
from tests.syncserver.conftest import Api, Clock

TOKEN = "scrape-" + "k" * 24


def _series(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _value(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in _series(text):
        m = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        assert m, line
        if m.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(m.group(3))
    return total


@pytest.fixture
def token_app(db_url: str, tmp_path: Path, clock: Clock) -> Any:
    application = create_app(
        {"database": db_url, "data_dir": str(tmp_path), "clock": clock, "metrics_token": TOKEN}
    )
    ext = application.extensions["loket"]
    db.migrate(ext.engine)
    yield application
    ext.engine.dispose()


def _scrape(app: Flask) -> str:
    r = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.content_type.startswith("text/plain")
    return r.get_data(as_text=True)


def test_metrics_not_served_when_no_scraper_is_configured(api: Api) -> None:
    r = api.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 404 and r.get_json()["code"] == E.NOT_FOUND
    assert "loket_" not in r.get_data(as_text=True)


def test_metrics_token_refused_unless_exact(token_app: Flask) -> None:
    client = token_app.test_client()
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer " + TOKEN[:-1]},
        {"Authorization": "Bearer " + TOKEN + "x"},
        {"Authorization": "Basic " + TOKEN},
        {"Authorization": TOKEN},
        {"X-Forwarded-For": "127.0.0.1", "Host": "localhost"},
    ):
        r = client.get("/metrics", headers=headers)
        assert r.status_code == 401, headers
        assert r.get_json()["code"] == E.AUTH_REQUIRED
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert "loket_http" not in r.get_data(as_text=True)
    assert "loket_up 1" in _scrape(token_app)


def test_ingest_counted(token_app: Flask, people: list[dict[str, Any]], clock: Clock) -> None:
    api = Api(token_app, token_app.test_client(), clock)
    dev = api.enroll()
    api.push(dev, [api.record(people[0], dev)])
    text = _scrape(token_app)
    assert "# TYPE loket_http_requests_total counter" in text
    assert _value(text, "loket_ingest_records_total", outcome="accepted") == 1
    assert _value(text, "loket_ingest_batches_total", kind="new") == 1
    assert _value(text, "loket_ingest_bytes_total", kind="raw") > 0
    assert (
        _value(
            text,
            "loket_http_requests_total",
            method="POST",
            route="/api/v1/sync/push",
            status="200",
        )
        == 1
    )


def _random_request(client: Any, rnd: random.Random, kind: int, how: int) -> None:
    """One of 4 kinds of path (a route, a route with a random part, a random path) with one of
    3 kinds of method (GET, POST, a random name)."""
    word = "".join(rnd.choices(string.ascii_letters + string.digits, k=rnd.randint(1, 10)))
    path = [
        "/healthz",
        "/api/v1/sync/push",
        "/console/registrations/" + word,
        "/" + "/".join(word[: rnd.randint(1, 10)] for _ in range(rnd.randint(1, 4))),
    ][kind]
    method = ["GET", "POST", "".join(rnd.choices(string.ascii_uppercase, k=rnd.randint(3, 12)))]
    client.open(path, method=method[how])


def _keys(text: str) -> set[str]:
    return {line.rpartition(" ")[0] for line in _series(text)}


def test_random_methods_and_paths_add_no_series(token_app: Flask) -> None:
    client = token_app.test_client()
    rnd = random.Random(12)
    for kind in range(4):  # every kind once: the label sets there can be
        for how in range(3):
            _random_request(client, rnd, kind, how)
    before = _keys(_scrape(token_app))
    for _ in range(400):
        _random_request(client, rnd, rnd.randrange(4), rnd.randrange(3))
    text = _scrape(token_app)
    assert _keys(text) == before | {
        'loket_http_requests_total{method="GET",route="/metrics",status="200"}',
        'loket_http_request_seconds_total{method="GET",route="/metrics"}',
    }
    methods = set(re.findall(r'method="([^"]*)"', text))
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
    routes = set(re.findall(r'route="([^"]*)"', text))
    assert routes <= {r.rule for r in token_app.url_map.iter_rules()} | {"unmatched"}
    assert _value(text, "loket_http_requests_total") == 12 + 400 + 1  # +1: the first scrape


def _live(tmp_path: Path, db_url: str, env: dict[str, str]) -> LiveServer:
    database = None if db_url.startswith("sqlite") else db_url
    server = LiveServer(tmp_path / "server", database, workers=2, env=env)
    if database:
        server.cli("migrate")
    return server


def test_gunicorn_scrape_sums_every_worker(db_url: str, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    server = _live(tmp_path, db_url, {"LOKET_METRICS_TOKEN": TOKEN, "TMPDIR": str(tmp)})
    server.start()
    try:
        folders = list(tmp.glob("loket-metrics-*"))
        assert len(folders) == 1 and folders[0].stat().st_mode & 0o077 == 0
        n = 40
        for _ in range(n):  # a new connection each: gunicorn's workers share them out
            assert requests.get(server.url + "/readyz", timeout=30).status_code == 200
        assert requests.get(server.url + "/metrics", timeout=30).status_code == 401
        # Whichever worker answers a scrape, it reports the sum of both.
        auth = {"Authorization": f"Bearer {TOKEN}"}
        for scrape in range(6):
            r = requests.get(server.url + "/metrics", headers=auth, timeout=30)
            assert r.status_code == 200
            text = r.text
            ready = _value(text, "loket_http_requests_total", route="/readyz", status="200")
            assert ready >= n  # the start-up polls are /readyz too
            if scrape == 0:
                first = ready
            assert ready == first
            assert (
                _value(text, "loket_http_requests_total", route="/metrics", status="200") == scrape
            )
            assert _value(text, "loket_http_requests_total", route="/metrics", status="401") == 1
        assert len(list(folders[0].glob("counter_*.db"))) == 2  # both workers counted
    finally:
        server.stop()
    assert list(tmp.glob("loket-metrics-*")) == []  # removed when the server stopped


def test_gunicorn_separate_metrics_listener(tmp_path: Path) -> None:
    port = free_port()
    server = LiveServer(
        tmp_path / "server", workers=2, env={"LOKET_METRICS_LISTEN": f"127.0.0.1:{port}"}
    ).start()
    try:
        metrics_url = f"http://127.0.0.1:{port}"
        assert requests.get(server.url + "/metrics", timeout=30).status_code == 404
        # A Host header naming the metrics port does not make the main port the metrics one.
        r = requests.get(server.url + "/metrics", headers={"Host": f"127.0.0.1:{port}"}, timeout=30)
        assert r.status_code == 404
        r = requests.get(metrics_url + "/metrics", timeout=30)
        assert r.status_code == 200 and "loket_up 1" in r.text
        # The metrics address serves nothing else.
        for path in ("/healthz", "/api/v1/sync/pull", "/console/"):
            assert requests.get(metrics_url + path, timeout=30).status_code == 404, path
    finally:
        server.stop()


_WAITRESS = """
import sys
from pathlib import Path
from syncserver import config, db, server
from syncserver.app import create_app
data, port, mport = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = config.load(data, overrides={"port": port, "metrics_listen": "127.0.0.1:" + mport})
db.migrate(create_app(s).extensions["loket"].engine)
server._serve_waitress(s, "127.0.0.1", port)
"""


def test_waitress_separate_metrics_listener(tmp_path: Path) -> None:
    """Where gunicorn does not run (Windows): waitress listens on both addresses, and the
    app tells them apart by the listener's port, not by the Host header."""
    import subprocess
    import sys

    from tests.support.liveserver import ROOT
    from tests.support.netutil import wait_for_port

    port, mport = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", _WAITRESS, str(tmp_path), str(port), str(mport)],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for_port("127.0.0.1", port, 60) and wait_for_port("127.0.0.1", mport, 60)
        main, metrics_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{mport}"
        assert requests.get(main + "/healthz", timeout=30).status_code == 200
        assert requests.get(main + "/metrics", timeout=30).status_code == 404
        spoofed = {"Host": f"127.0.0.1:{mport}"}
        assert requests.get(main + "/metrics", headers=spoofed, timeout=30).status_code == 404
        r = requests.get(metrics_url + "/metrics", timeout=30)
        assert r.status_code == 200
        assert _value(r.text, "loket_http_requests_total", route="/healthz", status="200") == 1
        assert requests.get(metrics_url + "/healthz", timeout=30).status_code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_metrics_listen_on_the_server_port_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tempfile

    from syncserver.cli import main

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where a metrics folder would go
    monkeypatch.setenv("LOKET_METRICS_LISTEN", "127.0.0.1:18999")
    assert main(["--data-dir", str(tmp_path), "run", "--port", "18999"]) == 1
    assert "metrics_listen" in capsys.readouterr().err
    assert list(tmp_path.glob("loket-metrics-*")) == []


def test_metrics_settings_checked() -> None:
    from syncserver import config

    with pytest.raises(config.ConfigError, match="metrics_token"):
        config.from_mapping({"metrics_token": "short"})
    for bad in ("9470", "host:", "host:99999", ":80"):
        with pytest.raises(config.ConfigError, match="metrics_listen"):
            config.from_mapping({"metrics_listen": bad})
    assert config.from_mapping({"metrics_listen": "[::1]:9470"}).metrics_listen == "[::1]:9470"
