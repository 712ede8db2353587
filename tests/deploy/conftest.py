"""A production deployment on this machine, as docs/DEPLOYMENT.md "Production server" sets
one up, with the commands it gives:

- a PostgreSQL cluster of its own; ``installers/server/postgresql-setup.sql`` run through psql
  as the superuser: the database and its owner and app roles;
- ``loket-server migrate --grant-to loket_app`` as the owner role;
- two "server machines" on the app role behind one nginx: one started by gunicorn itself with
  ``installers/server/gunicorn.conf.py``, one by ``loket-server run``, each with its own data
  folder, sharing the database, ``secret_key`` and bundle key file, ``trusted_proxies = 1``;
- Debian's nginx with ``installers/server/nginx-loket.conf`` (ports, certificate, log folder
  and upstream lines substituted) and a self-signed certificate for 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import unavailable
from tests.support.netutil import free_port
from tests.support.nginx import Nginx, find_nginx
from tests.support.pgcluster import PgCluster, PgNotAvailable
from tests.support.pgcluster import unavailable_reason as pg_unavailable_reason

ROOT = Path(__file__).resolve().parents[2]
SERVER_DIR = ROOT / "installers" / "server"
BIN = Path(sys.executable).parent  # the virtual environment's scripts: loket-server, gunicorn
OWNER, APP, DBNAME = "loket_owner", "loket_app", "loket"
ADMIN_PASSWORD = "rahasia-sekali-123"


#: postgresql-loket.conf's settings that are sized for a dedicated database machine
MACHINE_SIZED = {"shared_buffers", "effective_cache_size", "max_connections", "wal_buffers"}


def production_settings() -> dict[str, str]:
    """installers/server/postgresql-loket.conf as settings, less the machine-sized ones."""
    out: dict[str, str] = {}
    for line in (SERVER_DIR / "postgresql-loket.conf").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip().strip("'")
    return {k: v for k, v in out.items() if k not in MACHINE_SIZED}


def start_cluster() -> PgCluster:
    """A cluster with the production settings (logging, passwords, checkpoints)."""
    reason = pg_unavailable_reason()
    if reason:
        unavailable(reason)
    try:
        return PgCluster(settings=production_settings()).start()
    except PgNotAvailable as exc:
        unavailable(str(exc))


@dataclass
class Database:
    """The Loket database of one cluster, set up with postgresql-setup.sql."""

    cluster: PgCluster
    owner_password: str = field(default_factory=lambda: secrets.token_hex(12))
    app_password: str = field(default_factory=lambda: secrets.token_hex(12))

    def url(self, role: str) -> str:
        password = self.owner_password if role == OWNER else self.app_password
        c = self.cluster
        return f"postgresql+psycopg://{role}:{password}@{c.host}:{c.port}/{DBNAME}"

    def libpq_env(self, role: str = OWNER) -> dict[str, str]:
        """libpq's environment for ``role`` (what the backup and restore scripts read)."""
        c = self.cluster
        password = self.owner_password if role == OWNER else self.app_password
        return {
            "PGHOST": c.host,
            "PGPORT": str(c.port),
            "PGDATABASE": DBNAME,
            "PGUSER": role,
            "PGPASSWORD": password,
            "PATH": f"{c.bindir}:{os.environ['PATH']}",  # psql, pg_dump, pg_restore of the cluster
        }

    def setup(self) -> subprocess.CompletedProcess[str]:
        """postgresql-setup.sql as the superuser (docs: ``sudo -u postgres psql ...``)."""
        c = self.cluster
        env = {
            **os.environ,
            "PGPASSWORD": c.password,
            "LOKET_OWNER_PASSWORD": self.owner_password,
            "LOKET_APP_PASSWORD": self.app_password,
        }
        return subprocess.run(
            [
                str(c.bindir / "psql"),
                *("-h", c.host, "-p", str(c.port), "-U", c.user, "-d", "postgres"),
                *("-X", "-v", "ON_ERROR_STOP=1", "-f", str(SERVER_DIR / "postgresql-setup.sql")),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    def connect(self, role: str = OWNER) -> Any:
        import psycopg

        c = self.cluster
        password = self.owner_password if role == OWNER else self.app_password
        return psycopg.connect(
            host=c.host, port=c.port, user=role, password=password, dbname=DBNAME, autocommit=True
        )

    def counts(self) -> dict[str, int]:
        with self.connect() as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            ]
            return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def loket_server(
    *args: str, env: dict[str, str], password: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``loket-server ARGS`` (the virtual environment's entry point) with ``env`` added."""
    full = {**os.environ, **env}
    if password is not None:
        full["LOKET_PASSWORD"] = password
    return subprocess.run(
        [str(BIN / "loket-server"), *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


class Machine:
    """One server machine: its data folder and loket-server.toml, started either by gunicorn
    with installers/server/gunicorn.conf.py or by ``loket-server run``."""

    def __init__(self, folder: Path, how: str, toml: str) -> None:
        self.folder, self.how = folder, how
        self.port = free_port()
        self.data = folder / "data"
        self.data.mkdir(parents=True, mode=0o700)
        (self.data / "loket-server.toml").write_text(f"{toml}port = {self.port}\n")
        self.log = folder / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.how == "gunicorn":
            return [str(BIN / "gunicorn"), "-c", "installers/server/gunicorn.conf.py"]
        return [str(BIN / "loket-server"), "run"]

    def start(self) -> None:
        env = {**os.environ, "LOKET_SERVER_DATA": str(self.data), "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.how} server exited:\n{self.log_text()}")
            try:
                if requests.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.how} server not ready:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log.exists() else ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, 15)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(15)


@dataclass
class Deployment:
    db: Database
    machines: list[Machine]
    nginx: Nginx
    folder: Path
    migrated: subprocess.CompletedProcess[str]

    @property
    def url(self) -> str:
        return self.nginx.url

    def admin(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        """An administrator's ``loket-server`` command on a server machine (its data folder)."""
        return loket_server(
            *args, env={"LOKET_SERVER_DATA": str(self.machines[0].data)}, password=password
        )

    def enroll_code(self, office: str = "320101") -> str:
        done = self.admin("enroll-code", office)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if find_nginx() is None:
        unavailable("nginx not found (apt-get install nginx; `make system-deps`)")
    folder = tmp_path_factory.mktemp("deploy")
    cluster = start_cluster()
    machines: list[Machine] = []
    proxy: Nginx | None = None
    try:
        db = Database(cluster)
        done = db.setup()
        assert done.returncode == 0, done.stdout + done.stderr
        # the migration step of loket-server-migrate.service: the owner role's URL in the
        # environment, an empty data folder
        empty = folder / "migrate"
        empty.mkdir()
        migrated = loket_server(
            "migrate",
            "--grant-to",
            APP,
            env={"LOKET_DATABASE": db.url(OWNER), "LOKET_SERVER_DATA": str(empty)},
        )
        assert migrated.returncode == 0, migrated.stderr
        shared = (
            f'database = "{db.url(APP)}"\n'
            f'secret_key = "{secrets.token_hex(32)}"\n'
            f'bundle_key_file = "{folder / "bundle-keys.json"}"\n'
            "trusted_proxies = 1\nworkers = 1\nthreads = 4\n"
        )
        machines = [
            Machine(folder / "machine-1", "gunicorn", shared),
            Machine(folder / "machine-2", "run", shared),
        ]
        for m in machines:
            m.start()
        for m in machines:
            m.wait_ready()
        proxy = Nginx(folder / "nginx", [m.port for m in machines]).start()
        deployed = Deployment(db, machines, proxy, folder, migrated)
        added = deployed.admin(
            "add-office", "320101", "--name", "Disnaker Bogor", "--regency", "32.01"
        )
        assert added.returncode == 0, added.stderr
        added = deployed.admin(
            "add-user", "reviewer1", "--role", "reviewer", password=ADMIN_PASSWORD
        )
        assert added.returncode == 0, added.stderr
        yield deployed
    finally:
        if proxy is not None:
            print(proxy.error_log())
            proxy.stop()
        for m in machines:
            m.stop()
            print(f"--- {m.how}:\n{m.log_text()}")
        cluster.stop()
