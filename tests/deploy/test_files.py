"""The deployment files in installers/server/ parse and agree with each other and with the
server: gunicorn.conf.py (imported as gunicorn imports it), the systemd units
(``systemd-analyze verify`` and their keys), nginx-loket.conf (``nginx -t`` on the real file
with paths substituted), postgresql-setup.sql's role names, and the Dockerfile (parsed: it
cannot be built here, there is no docker)."""

from __future__ import annotations

import os
import re
import runpy
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from syncserver import server
from syncserver.config import load
from tests.support import unavailable
from tests.support.nginx import SITE_FILE, Nginx, find_nginx

ROOT = Path(__file__).resolve().parents[2]
SERVER_DIR = ROOT / "installers" / "server"
CONF = SERVER_DIR / "gunicorn.conf.py"


def _gunicorn_conf(data: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """gunicorn.conf.py executed as gunicorn executes a config file (a fresh module)."""
    monkeypatch.setenv("LOKET_SERVER_DATA", str(data))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(CONF))


def test_gunicorn_conf_is_what_run_uses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "loket-server.toml").write_text(
        "workers = 3\nthreads = 6\nport = 18470\nrequest_read_timeout = 12\nrequest_deadline = 45\n"
    )
    conf = _gunicorn_conf(data, monkeypatch, LOKET_THREADS="5")
    settings = load(data)  # what `loket-server run` reads from the same folder and environment
    expected = server.gunicorn_options(settings)
    from gunicorn.config import Config

    cfg = Config()
    for key in sorted(set(expected) - {"worker_class"}):
        assert conf[key] == expected[key], key
        cfg.set(key, conf[key])  # gunicorn's own validation of every value
    assert conf["bind"] == ["127.0.0.1:18470"]
    assert (conf["workers"], conf["threads"]) == (3, 5)  # the file, then the environment
    worker = conf["worker_class"]
    assert (worker.read_timeout, worker.deadline) == (12.0, 45.0)
    assert conf["wsgi_app"] == "syncserver.server:production_app()"
    assert conf["forwarded_allow_ips"] == "" and conf["secure_scheme_headers"] == {}
    # the access log: no query string (%(q)s, %(r)s, %(U)s%(q)s), no address, agent, referrer
    fmt = conf["access_log_format"]
    assert "%(U)s" in fmt and not re.search(r"%\((q|r|h|a|f|\{[^}]*\}i)\)s", fmt)
    # the SQLite database of a demo folder was migrated, as `run` does it
    assert (data / "loket-server.db").exists()


def test_gunicorn_conf_refuses_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from common.errors import ApiError

    data = tmp_path / "data"
    data.mkdir()
    (data / "loket-server.toml").write_text("auto_migrate = false\n")
    with pytest.raises(ApiError) as raised:
        _gunicorn_conf(data, monkeypatch)
    assert raised.value.code == "DATABASE_NOT_MIGRATED"


def _nginx_values(name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", SITE_FILE.read_text(), re.M)


def _seconds(text: str) -> float:
    m = re.fullmatch(r"(\d+)(ms|s|m)?", text.strip())
    assert m, text
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[m.group(2)]


def _megabytes(text: str) -> int:
    m = re.fullmatch(r"(\d+)([km])", text.strip())
    assert m, text
    return int(m.group(1)) * (1024 if m.group(2) == "k" else 1024 * 1024)


def test_nginx_limits_agree_with_the_server() -> None:
    from common.bundle import MAX_BUNDLE_BYTES
    from syncserver.config import Settings

    # idle upstream connections are given up before gunicorn closes them under a request
    assert _seconds(_nginx_values("keepalive_timeout")[0]) < server.KEEPALIVE_SECONDS
    assert _seconds(_nginx_values("proxy_read_timeout")[0]) >= server.WORKER_TIMEOUT
    assert _nginx_values("proxy_request_buffering") == ["on"]
    # bodies: a push (the server's max_body_bytes) everywhere, a bundle where bundles go
    sizes = [_megabytes(v) for v in _nginx_values("client_max_body_size")]
    assert sizes[0] >= Settings().max_body_bytes
    text = SITE_FILE.read_text()
    for location in ("location = /api/v1/bundles/relay", "location /console/bundles"):
        block = text.split(location, 1)[1].split("}", 1)[0]
        size = re.search(r"client_max_body_size\s+(\w+);", block)
        assert size and _megabytes(size.group(1)) >= MAX_BUNDLE_BYTES, location
    # the forwarded headers the server believes with trusted_proxies = 1: written, not appended
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "proxy_set_header X-Forwarded-Proto https;" in text
    assert "location = /metrics" in text


def test_nginx_accepts_the_site_file(tmp_path: Path) -> None:
    if find_nginx() is None:
        unavailable("nginx not found (apt-get install nginx; `make system-deps`)")
    checked = Nginx(tmp_path, [8470, 8471]).check()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def _unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file as section -> key -> values (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        assert current is not None, f"{path.name}: {line!r} outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_systemd_units_agree() -> None:
    main = _unit(SERVER_DIR / "loket-server.service")
    migrate = _unit(SERVER_DIR / "loket-server-migrate.service")
    assert set(main) == {"Unit", "Service", "Install"}
    service, pre = main["Service"], migrate["Service"]
    start = shlex.split(service["ExecStart"][0])
    assert start[1:] == ["run"]  # every value from loket-server.toml, as gunicorn.conf.py
    migrate_cmd = shlex.split(pre["ExecStart"][0])
    assert migrate_cmd[0] == start[0] and migrate_cmd[1:] == ["migrate", "--grant-to", "loket_app"]
    assert pre["Type"] == ["oneshot"]
    assert "loket-server-migrate.service" in main["Unit"]["Requires"][0]
    assert "loket-server-migrate.service" in main["Unit"]["After"][0]
    assert service["User"] == ["loket"] and service["NoNewPrivileges"] == ["true"]
    data = dict(v.split("=", 1) for v in service["Environment"])["LOKET_SERVER_DATA"]
    assert service["ReadWritePaths"] == [data]
    assert service["ProtectSystem"] == ["strict"] and service["UMask"] == ["0077"]
    # the migration's credential is not the server's: root-only env file, its own user
    assert pre["EnvironmentFile"] == ["/etc/loket-server/migrate.env"]
    assert pre["DynamicUser"] == ["yes"]
    # the role it grants to is the one postgresql-setup.sql creates
    setup = (SERVER_DIR / "postgresql-setup.sql").read_text()
    assert r"\set app_role loket_app" in setup and r"\set owner_role loket_owner" in setup


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        unavailable("systemd-analyze not found (apt-get install systemd)")
    program = ROOT / ".venv" / "bin" / "loket-server"
    if not program.exists():
        program = Path(shutil.which("loket-server") or "/nonexistent")
    for name in ("loket-server.service", "loket-server-migrate.service"):
        text = (SERVER_DIR / name).read_text()
        assert "/opt/loket/.venv/bin/loket-server" in text
        (tmp_path / name).write_text(
            text.replace("/opt/loket/.venv/bin/loket-server", str(program))
        )
    done = subprocess.run(
        [analyze, "verify", "--man=no", "loket-server.service", "loket-server-migrate.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    assert done.returncode == 0, done.stderr
    own = [line for line in done.stderr.splitlines() if str(tmp_path) in line or "loket" in line]
    assert own == [], own  # no unknown keys, no bad values in our units


def _dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined, comments dropped)."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in (SERVER_DIR / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pending = f"{pending} {line}" if pending else line
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        word, _, rest = pending.partition(" ")
        out.append((word.upper(), rest.strip()))
        pending = ""
    assert not pending
    return out


def test_dockerfile_builds_an_unprivileged_server_image() -> None:
    steps = _dockerfile()
    kinds = [k for k, _ in steps]
    assert kinds[0] == "FROM" and re.fullmatch(r"python:3\.11-slim(-\w+)?", steps[0][1])
    user = [v for k, v in steps if k == "USER"]
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")
    cmd = [v for k, v in steps if k == "CMD"]
    assert cmd and cmd[-1] == '["loket-server", "run"]'
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    copied = 0
    for kind, value in steps:
        if kind != "COPY":
            continue
        *sources, _dest = shlex.split(value)
        for source in sources:
            assert (ROOT / source).exists(), source  # relative to the context: the repository
            assert f"!{source.rstrip('/')}" in [i.rstrip("/") for i in ignore], source
            copied += 1
    assert copied >= 5
    env = " ".join(v for k, v in steps if k == "ENV")
    assert "LOKET_SERVER_DATA=/var/lib/loket-server" in env
    assert "'.[postgres]'" in " ".join(v for k, v in steps if k == "RUN")


def test_scripts_are_executable_shell() -> None:
    for name in ("loket-backup.sh", "loket-restore.sh"):
        path = SERVER_DIR / name
        assert os.access(path, os.X_OK), name
        done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert "set -euo pipefail" in path.read_text()


def test_postgresql_settings_are_known_to_postgres() -> None:
    from tests.support.pgcluster import find_bindir

    bindir = find_bindir()
    if bindir is None:
        unavailable("PostgreSQL server binaries not found (apt-get install postgresql-15)")
    cmd = [str(bindir / "postgres"), "--describe-config"]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    known = {
        line.split("\t", 1)[0]
        for line in subprocess.run(
            cmd, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    }
    settings = dict(
        (k.strip(), v.split("#", 1)[0].strip().strip("'"))
        for k, _, v in (
            line.partition("=")
            for line in (SERVER_DIR / "postgresql-loket.conf").read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        )
    )
    assert set(settings) <= known, set(settings) - known
    # durability is never traded (the file leaves these at their safe defaults)
    assert not {"fsync", "synchronous_commit", "full_page_writes"} & set(settings)
    # no personal data in PostgreSQL's log
    assert settings["log_error_verbosity"] == "terse"
    assert settings["log_min_error_statement"] == "panic"
    assert settings["log_parameter_max_length_on_error"] == "0"
