"""The production deployment running (tests/deploy/conftest.py): a desktop enrolls through
nginx over TLS and syncs; the server believes the address nginx forwards and only that;
several server machines answer behind one proxy; the app role runs the server but cannot
change the schema; a backup restored into a fresh cluster passes ``verify-audit`` with every
row there. Issue 18, item 6 and its acceptance."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date
from pathlib import Path

import psycopg
import pytest
import requests

from common.synthetic import generate
from desktop.services.operators import create_first_operator
from desktop.services.registrations import RegistrationService
from desktop.sync.commands import SyncExit, enroll_device, sync_once
from tests.deploy.conftest import (
    ADMIN_PASSWORD,
    APP,
    BIN,
    OWNER,
    SERVER_DIR,
    Database,
    Deployment,
    start_cluster,
)

pytestmark = pytest.mark.postgres

NGINX_PAGE = "<center>nginx</center>"  # nginx's own error pages
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _desktop_syncs(dep: Deployment, folder: Path, n: int, seed: int) -> list[str]:
    """A new office PC: first operator, enrollment through nginx (TLS, the self-signed
    certificate as its CA bundle), ``n`` registrations saved and one sync."""
    store, operator = create_first_operator(folder, "petugas", "rahasia-sekali", "Petugas")
    try:
        info = enroll_device(
            store, dep.url, dep.enroll_code(), ca_bundle=str(dep.nginx.cert), device_name="PC 1"
        )
        assert info.office_code == "320101"
        service = RegistrationService(store, operator)
        for sample in generate(n, seed, today=date.today()):
            assert service.save(sample.applicant).ok
        said: list[str] = []
        code, report = sync_once(store, say=said.append, lang="en")
        assert code == SyncExit.OK, said
        assert report is not None and report.sent == n and report.pending_after == 0, said
        return said
    finally:
        store.close()


def _sign_in(dep: Deployment, username: str = "reviewer1") -> requests.Session:
    web = requests.Session()
    web.trust_env = False  # else $REQUESTS_CA_BUNDLE would win over the session's bundle
    web.verify = str(dep.nginx.cert)
    page = web.get(dep.url + "/console/login", timeout=30)
    token = _TOKEN.search(page.text)
    assert token, page.text[:500]
    done = web.post(
        dep.url + "/console/login",
        data={"username": username, "password": ADMIN_PASSWORD, "csrf_token": token.group(1)},
        headers={"Referer": dep.url + "/console/login"},  # as a browser sends it
        allow_redirects=False,
        timeout=30,
    )
    assert done.status_code in (302, 303), done.text[:500]
    return web


def _last_audit(db: Database, action: str) -> tuple[str, str, dict[str, object]]:
    with db.connect() as conn:
        row = conn.execute(
            "SELECT target_id, actor, details FROM audit_log WHERE action = %s"
            " ORDER BY id DESC LIMIT 1",
            (action,),
        ).fetchone()
    assert row is not None, action
    return row[0], row[1], row[2] or {}


def test_a_desktop_enrolls_through_nginx_over_tls_and_syncs(
    deployment, tmp_path, monkeypatch
) -> None:
    # a managed PC's system-wide bundle in the environment must not replace the office's
    # (requests lets it win over a session's bundle: desktop/sync/client.py)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    said = _desktop_syncs(deployment, tmp_path / "desk", 1, 1801)
    assert any(line.startswith("push: 1/1") for line in said), said
    with deployment.db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM registrations").fetchone()[0] >= 1
        assert conn.execute("SELECT count(*) FROM devices").fetchone()[0] >= 1
    # nginx's access log: the API was reached through it, without query strings
    log = deployment.nginx.access_log.read_text()
    assert '"POST /api/v1/devices/enroll" 200' in log
    assert "POST /api/v1/sync/push" in log or "/push" in log
    assert "?" not in log
    # plain HTTP is only ever a redirect to HTTPS
    plain = requests.get(
        f"http://127.0.0.1:{deployment.nginx.http_port}/readyz", allow_redirects=False, timeout=10
    )
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")


def test_the_server_believes_the_address_nginx_forwards_and_only_that(deployment) -> None:
    spoofed = {"X-Forwarded-For": "198.51.100.7"}
    # through nginx: it replaces the client's own header with the address it saw
    r = requests.post(
        deployment.url + "/api/v1/devices/enroll",
        json={"code": "AAAA-BBBB-CCCC-DDDD", "device_name": "x"},
        headers=spoofed,
        verify=str(deployment.nginx.cert),
        timeout=30,
    )
    assert r.status_code >= 400
    assert _last_audit(deployment.db, "device.enroll_refused")[0] == "127.0.0.1"
    # straight to a server machine (trusted_proxies = 1): one proxy's word is believed, which
    # is why the server listens where only the proxy reaches it
    r = requests.post(
        deployment.machines[0].url + "/api/v1/devices/enroll",
        json={"code": "AAAA-BBBB-CCCC-DDDD", "device_name": "x"},
        headers=spoofed,
        timeout=30,
    )
    assert r.status_code >= 400
    assert _last_audit(deployment.db, "device.enroll_refused")[0] == "198.51.100.7"


def test_console_sign_in_through_nginx_gets_the_secure_host_cookie(deployment) -> None:
    web = _sign_in(deployment)
    names = {c.name: c for c in web.cookies}
    cookie = next(c for n, c in names.items() if n.startswith("__Host-"))
    assert cookie.secure  # X-Forwarded-Proto https from nginx was believed
    home = web.get(deployment.url + "/console/", timeout=30)
    assert home.status_code == 200
    _target, actor, details = _last_audit(deployment.db, "login")
    assert (actor, details.get("address")) == ("reviewer1", "127.0.0.1")


def test_several_server_machines_answer_behind_the_proxy(deployment) -> None:
    for _ in range(8):
        r = requests.get(deployment.url + "/readyz", verify=str(deployment.nginx.cert), timeout=10)
        assert r.status_code == 200
    upstreams = set(
        re.findall(r"127\.0\.0\.1:(\d+)\s*$", deployment.nginx.access_log.read_text(), re.M)
    )
    assert {str(m.port) for m in deployment.machines} <= upstreams
    # each machine's own access log (gunicorn's): no query string, no client address
    for m in deployment.machines:
        lines = [line for line in m.log_text().splitlines() if line.startswith('"GET /readyz"')]
        assert lines and all("127.0.0.1" not in line for line in lines), m.how


def test_the_app_role_cannot_change_the_schema(deployment) -> None:
    db = deployment.db
    with db.connect() as conn:
        owners = {
            r[0]
            for r in conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")
        }
    assert owners == {OWNER}  # migrations ran as the owner role
    refused = [
        "DROP TABLE registrations",
        "ALTER TABLE registrations ADD COLUMN x integer",
        "CREATE TABLE mine (x integer)",
        "TRUNCATE registrations",
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "UPDATE alembic_version SET version_num = 'x'",
        "CREATE INDEX ix_mine ON registrations (id)",
    ]
    with db.connect(APP) as conn:
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        # what it may do: read and write rows (the server's pushes, sign-ins) and append to
        # the audit log (every test above wrote entries through the server)
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
    assert "audit log append-only" in deployment.migrated.stdout


def test_no_personal_data_in_the_postgresql_log(deployment, tmp_path) -> None:
    """postgresql-loket.conf's logging: an error is logged, the values it quotes are not."""
    _desktop_syncs(deployment, tmp_path / "desk", 1, 1803)
    with deployment.db.connect(APP) as conn:
        nik = conn.execute("SELECT nik FROM nik_primaries LIMIT 1").fetchone()[0]
        with pytest.raises(psycopg.errors.UniqueViolation) as raised:
            conn.execute(
                "INSERT INTO nik_primaries SELECT * FROM nik_primaries WHERE nik = %s", (nik,)
            )
    assert nik in str(raised.value)  # the client is told (the server never logs it either)
    log = deployment.db.cluster.log_file.read_text(errors="replace")
    assert "duplicate key value violates unique constraint" in log
    assert nik not in log


def test_backup_restored_into_a_fresh_cluster_passes_verify_audit(deployment, tmp_path) -> None:
    # a few registrations, a decision and an audit chain, all through the server
    _desktop_syncs(deployment, tmp_path / "desk2", 3, 1802)
    web = _sign_in(deployment)
    with deployment.db.connect() as conn:
        reg_id, revision = conn.execute(
            "SELECT id, revision FROM registrations WHERE status = 'received' ORDER BY id LIMIT 1"
        ).fetchone()
    page = web.get(f"{deployment.url}/console/records/{reg_id}", timeout=30)
    token = _TOKEN.search(page.text)
    assert token, page.text[:300]
    decided = web.post(
        f"{deployment.url}/console/records/{reg_id}/decide",
        data={"action": "verified", "revision": str(revision), "csrf_token": token.group(1)},
        headers={"Referer": f"{deployment.url}/console/records/{reg_id}"},
        allow_redirects=False,
        timeout=30,
    )
    assert decided.status_code == 303, decided.text[:300]
    before = deployment.db.counts()
    assert before["review_decisions"] >= 1 and before["audit_log"] >= 3
    assert before["registrations"] >= 3

    backups = tmp_path / "backups"
    backed = subprocess.run(
        [str(SERVER_DIR / "loket-backup.sh"), str(backups)],
        env={**os.environ, **deployment.db.libpq_env()},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert backed.returncode == 0, backed.stderr
    dump = Path(backed.stdout.strip().splitlines()[-1])
    assert dump.parent == backups and dump.name.startswith("loket-") and dump.stat().st_size > 0
    assert (dump.stat().st_mode & 0o077) == 0 and not list(backups.glob(".*partial"))

    fresh = start_cluster()
    try:
        restored_db = Database(fresh)
        done = restored_db.setup()
        assert done.returncode == 0, done.stderr
        restored = subprocess.run(
            [str(SERVER_DIR / "loket-restore.sh"), str(dump)],
            env={
                **os.environ,
                **restored_db.libpq_env(),
                "LOKET_DATABASE": restored_db.url(OWNER),
                "LOKET_SERVER": str(BIN / "loket-server"),
                "LOKET_SERVER_DATA": str(tmp_path / "restore-data"),
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "audit log intact" in restored.stdout
        assert restored_db.counts() == before
        with deployment.db.connect() as a, restored_db.connect() as b:
            head = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"
            assert a.execute(head).fetchone() == b.execute(head).fetchone()
        # the app role's privileges came along: it can work, and still not rewrite history
        with restored_db.connect(APP) as conn:
            assert conn.execute("SELECT count(*) FROM registrations").fetchone()[0] >= 3
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("DELETE FROM audit_log")
        # a second restore into the now full database is refused, nothing touched
        again = subprocess.run(
            [str(SERVER_DIR / "loket-restore.sh"), str(dump)],
            env={
                **os.environ,
                **restored_db.libpq_env(),
                "LOKET_DATABASE": restored_db.url(OWNER),
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert again.returncode == 1 and "not empty" in again.stderr
    finally:
        fresh.stop()


def test_nginx_bounds_bodies_where_the_server_does(deployment) -> None:
    """8 MiB for everything but records bundles (the relay and the console's upload), which
    may be 64 MiB: nginx refuses a 9 MiB push itself, and passes 9 MiB bundles on."""
    body = b"\0" * (9 * 1024 * 1024)
    cert = str(deployment.nginx.cert)
    headers = {"Content-Type": "application/octet-stream"}
    push = requests.post(
        deployment.url + "/api/v1/sync/push", data=body, headers=headers, verify=cert, timeout=60
    )
    assert push.status_code == 413 and NGINX_PAGE in push.text  # never reached a server
    relay = requests.post(
        deployment.url + "/api/v1/bundles/relay",
        data=body,
        headers=headers,
        verify=cert,
        timeout=60,
    )
    assert NGINX_PAGE not in relay.text and relay.json()["code"]  # the server's own answer
    upload = requests.post(
        deployment.url + "/console/bundles/",
        files={"bundle": ("x.loket", body)},
        verify=cert,
        timeout=60,
        allow_redirects=False,
    )
    assert NGINX_PAGE not in upload.text  # the server's answer (its page, or its own limit)
    assert "nginx/" not in push.headers.get("Server", "")  # server_tokens off
