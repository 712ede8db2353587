"""Throw-away PostgreSQL clusters for tests and benchmarks.

A :class:`PgCluster` runs ``initdb`` into a fresh temporary folder, starts ``postgres`` on a
free port on 127.0.0.1 only, and removes everything again on :meth:`PgCluster.stop`.

- As root, ``initdb``/``pg_ctl``/``postgres`` refuse to run, so they run as the ``postgres``
  system user (``runuser -u postgres -- initdb ...``; the server itself via Popen(user=...)),
  on a folder owned by postgres.
- The server is a child process of the caller (no ``pg_ctl start`` daemon): it is reaped
  properly and stopped with SIGINT (fast shutdown).
- Binaries: ``$LOKET_PG_BINDIR``, else ``/usr/lib/postgresql/<major>/bin`` (15 preferred,
  else the highest), else ``initdb`` on ``PATH``.
- Authentication is scram-sha-256 with a random password for the superuser ``loket``;
  :meth:`PgCluster.url` gives a SQLAlchemy URL ``postgresql+psycopg://loket:...@127.0.0.1:PORT/DB``.
- ``fast=True`` (the default, for tests) turns off fsync, synchronous_commit and
  full_page_writes; benchmarks that care about durability costs pass ``fast=False``.
- Clusters left behind by a killed process (its ``owner.pid`` is gone) are stopped and removed
  the next time a cluster starts.

Usage::

    from tests.support.pgcluster import PgCluster
    with PgCluster() as pg:
        name = pg.create_database()
        engine = sqlalchemy.create_engine(pg.url(name))

Command line (handy by hand): ``python -m tests.support.pgcluster`` starts a cluster, prints its
URL and waits for Ctrl+C.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .netutil import free_port

PREFERRED_MAJOR = 15
DIR_PREFIX = "loket-pg-"
SUPERUSER = "loket"
_NEEDED = ("initdb", "pg_ctl", "postgres")


class PgNotAvailable(RuntimeError):
    """PostgreSQL server binaries (or the postgres user, when root) are not on this machine."""


class PgStartError(RuntimeError):
    """The cluster could not be initialised or started; the message holds the server log."""


def _has_tools(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in _NEEDED)


def find_bindir(preferred_major: int = PREFERRED_MAJOR) -> Path | None:
    """The folder with initdb/pg_ctl/postgres, or None when PostgreSQL is not installed."""
    env = os.environ.get("LOKET_PG_BINDIR")
    if env:
        return Path(env) if _has_tools(Path(env)) else None
    candidates: list[tuple[int, Path]] = []
    for d in glob.glob("/usr/lib/postgresql/*/bin"):
        m = re.search(r"/postgresql/(\d+)/bin$", d)
        if m and _has_tools(Path(d)):
            candidates.append((int(m.group(1)), Path(d)))
    for major, bindir in candidates:
        if major == preferred_major:
            return bindir
    if candidates:
        return max(candidates)[1]
    found = shutil.which("initdb")
    if found and _has_tools(Path(found).parent):
        return Path(found).parent
    return None


def unavailable_reason() -> str | None:
    """Why a cluster cannot be started here, or None when it can."""
    if find_bindir() is None:
        return (
            "PostgreSQL server binaries not found (apt-get install postgresql-15, "
            "or set LOKET_PG_BINDIR); run `make system-deps`"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root needs the 'postgres' system user (apt-get install postgresql)"
        if shutil.which("runuser") is None:
            return "running as root needs runuser (util-linux)"
    return None


def _pid_alive(pid: int) -> bool:
    """True if pid runs; a zombie counts as dead (PID 1 on some machines never reaps)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


class PgCluster:
    """One temporary PostgreSQL cluster. Start with :meth:`start` or use as a context manager."""

    def __init__(
        self,
        *,
        bindir: Path | str | None = None,
        base_dir: Path | str | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        fast: bool = True,
        settings: Mapping[str, Any] | None = None,
        keep: bool = False,
    ) -> None:
        found = Path(bindir) if bindir else find_bindir()
        if found is None:
            raise PgNotAvailable(unavailable_reason() or "PostgreSQL not found")
        self.bindir: Path = found
        self.parent_dir = Path(base_dir) if base_dir else Path(tempfile.gettempdir())
        self.host = host
        self.port: int = port or 0
        self._fixed_port = port is not None
        self.fast = fast
        self.settings: dict[str, Any] = dict(settings or {})
        self.keep = keep
        self.user = SUPERUSER
        self.password = secrets.token_hex(16)
        self.base: Path | None = None
        self.running = False
        self._as_root = os.geteuid() == 0
        self._finalizer: Any = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    @property
    def pid(self) -> int | None:
        """The postmaster's process id while the cluster runs (its backends are children)."""
        return self._proc.pid if self._proc is not None else None

    # -- paths -------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        assert self.base is not None, "cluster not started"
        return self.base / "data"

    @property
    def log_file(self) -> Path:
        assert self.base is not None, "cluster not started"
        return self.base / "postgres.log"

    @property
    def major_version(self) -> int | None:
        m = re.search(r"/postgresql/(\d+)/", str(self.bindir) + "/")
        return int(m.group(1)) if m else None

    # -- running server commands -------------------------------------------------------
    def _cmd(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / tool), *args]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return cmd

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd(tool, *args),
            cwd=str(self.base),
            env=self._server_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except (OSError, AssertionError):
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> PgCluster:
        if self.running:
            return self
        if self._as_root:
            reason = unavailable_reason()
            if reason:
                raise PgNotAvailable(reason)
        cleanup_stale(self.parent_dir)
        self.base = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=self.parent_dir))
        (self.base / "owner.pid").write_text(f"{os.getpid()}\n")
        if self._as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
            os.chmod(self.base, 0o700)
        try:
            self._initdb()
            self._start_server()
        except BaseException:
            self._remove_files()
            raise
        self._finalizer = weakref.finalize(self, _atexit_stop, self._proc, self.base)
        atexit.register(self._finalizer)
        return self

    def _initdb(self) -> None:
        assert self.base is not None
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        os.chmod(pwfile, 0o600)
        args = [
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
        if self.fast:
            args.append("--no-sync")
        res = self._run("initdb", *args)
        pwfile.unlink(missing_ok=True)
        if res.returncode != 0:
            raise PgStartError(f"initdb failed ({res.returncode}):\n{res.stdout}")

    def _write_conf(self) -> None:
        conf: dict[str, Any] = {
            "listen_addresses": self.host,
            "port": self.port,
            "unix_socket_directories": str(self.base),
            "max_connections": 200,
            "log_min_messages": "warning",
            "log_line_prefix": "%m [%p] %q%u@%d ",
        }
        if self.fast:
            conf.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        conf.update(self.settings)
        lines = ["", "# --- written by tests/support/pgcluster.py ---"]
        for key, value in conf.items():
            if isinstance(value, bool):
                value = "on" if value else "off"
            if isinstance(value, str):
                value = "'" + value.replace("'", "''") + "'"
            lines.append(f"{key} = {value}")
        with open(self.data_dir / "postgresql.conf", "a") as fh:
            fh.write("\n".join(lines) + "\n")

    def _server_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_MESSAGES"] = "C"
        return env

    def _start_server(self) -> None:
        # The postmaster runs as our own child (not daemonised by pg_ctl): we reap it ourselves,
        # which matters on machines whose PID 1 never reaps orphans (they would stay zombies).
        # As root it is started directly as the postgres user (Popen user=/group=); runuser
        # would sit in between and turn our SIGINT (fast shutdown) into SIGTERM + SIGKILL.
        attempts = 1 if self._fixed_port else 4
        last = ""
        for _ in range(attempts):
            if not self._fixed_port:
                self.port = free_port(self.host)
            self._write_conf()
            creds: dict[str, Any] = {}
            if self._as_root:
                pw = pwd.getpwnam("postgres")
                creds = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
            log = open(self.log_file, "ab")
            self._proc = subprocess.Popen(
                [str(self.bindir / "postgres"), "-D", str(self.data_dir)],
                cwd=str(self.base),
                env=self._server_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl+C in a terminal must not reach it directly
                **creds,
            )
            self._log = log
            self.running = True
            try:
                self._wait_ready()
            except PgStartError as exc:
                self._stop_server()
                last = str(exc)
                if "could not bind" in last or "already in use" in last:
                    continue
                break
            return
        raise PgStartError(f"PostgreSQL did not start:\n{last}")

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        err: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise PgStartError(
                    f"postgres exited with {self._proc.returncode}\n{self.log_tail()}"
                )
            try:
                with self.connect():
                    return
            except Exception as exc:
                err = exc
                time.sleep(0.1)
        raise PgStartError(f"server did not accept connections: {err}\n{self.log_tail()}")

    def _stop_server(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            # SIGINT = "fast" shutdown; SIGQUIT = "immediate"; SIGKILL as the very last resort
            for sig, wait in ((signal.SIGINT, 30), (signal.SIGQUIT, 10), (signal.SIGKILL, 10)):
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(sig)
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._log is not None:
            self._log.close()
            self._log = None
        self.running = False

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder (unless keep=True)."""
        if self.base is None:
            return
        self._stop_server()
        if self._finalizer is not None:
            self._finalizer.detach()
            atexit.unregister(self._finalizer)
            self._finalizer = None
        self._remove_files()

    def _remove_files(self) -> None:
        if self.base is not None and not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)
        if not self.keep:
            self.base = None

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- connecting --------------------------------------------------------------------
    def url(self, dbname: str = "postgres", driver: str = "psycopg") -> str:
        """SQLAlchemy URL, e.g. ``postgresql+psycopg://loket:PW@127.0.0.1:PORT/dbname``."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{self.user}:{self.password}@{self.host}:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """libpq connection string for psycopg/psql."""
        return (
            f"host={self.host} port={self.port} user={self.user} "
            f"password={self.password} dbname={dbname} connect_timeout=10"
        )

    def connect(self, dbname: str = "postgres", autocommit: bool = True) -> Any:
        """A psycopg connection (autocommit by default). Close it (use ``with``)."""
        import psycopg

        return psycopg.connect(self.conninfo(dbname), autocommit=autocommit)

    def create_database(self, name: str | None = None, *, template: str = "template0") -> str:
        """CREATE DATABASE (unique name unless given); returns the name."""
        name = name or f"loket_t_{uuid.uuid4().hex[:12]}"
        _check_ident(name)
        with self.connect() as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE {template} ENCODING 'UTF8'")
        return name

    def drop_database(self, name: str) -> None:
        """DROP DATABASE ... WITH (FORCE): also ends sessions still connected to it."""
        _check_ident(name)
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL through psql (handy in benchmarks/debugging); returns stdout."""
        env = dict(os.environ, PGPASSWORD=self.password)
        res = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                dbname,
                "-c",
                sql,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return res.stdout


def _check_ident(name: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
        raise ValueError(f"unsafe database name: {name!r}")


def _atexit_stop(proc: subprocess.Popen[bytes] | None, base: Path | None) -> None:
    """Last-resort stop when the owner forgot (or could not) call stop()."""
    with contextlib.suppress(Exception):
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)
            proc.wait(10)
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)


def cleanup_stale(parent: Path | str | None = None) -> list[Path]:
    """Stop and remove clusters whose owning process no longer exists. Returns what it removed."""
    parent = Path(parent) if parent else Path(tempfile.gettempdir())
    removed: list[Path] = []
    for base in parent.glob(DIR_PREFIX + "*"):
        try:
            owner = int((base / "owner.pid").read_text().strip())
        except (OSError, ValueError):
            # no owner file: only touch it when clearly old (a start in progress writes it first)
            try:
                if time.time() - base.stat().st_mtime < 3600:
                    continue
            except OSError:
                continue
            owner = -1
        if owner > 0 and _pid_alive(owner):
            continue
        pidfile = base / "data" / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(pidfile.read_text().splitlines()[0])
            os.kill(pid, signal.SIGQUIT)  # immediate shutdown of the postmaster
            for _ in range(50):
                if not _pid_alive(pid):
                    break
                time.sleep(0.1)
        shutil.rmtree(base, ignore_errors=True)
        removed.append(base)
    return removed


@contextlib.contextmanager
def running_cluster(**kwargs: Any) -> Iterator[PgCluster]:
    """``with running_cluster() as pg:`` - same as ``with PgCluster(**kwargs) as pg:``."""
    pg = PgCluster(**kwargs)
    try:
        yield pg.start()
    finally:
        pg.stop()


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="Start a throw-away PostgreSQL cluster.")
    ap.add_argument("--port", type=int, default=None)
    ap.add_argument("--durable", action="store_true", help="keep fsync on (fast=False)")
    ap.add_argument("--db", default="loket", help="database to create (default: loket)")
    ns = ap.parse_args()
    with PgCluster(port=ns.port, fast=not ns.durable) as pg:
        pg.create_database(ns.db)
        print(f"PostgreSQL {pg.major_version} running in {pg.base}")
        print(f"URL: {pg.url(ns.db)}")
        print("Ctrl+C to stop and delete it.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
