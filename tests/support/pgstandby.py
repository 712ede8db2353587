"""A real PostgreSQL streaming standby of a :class:`~tests.support.pgcluster.PgCluster`.

:func:`prepare_primary` gives a running cluster what a standby needs: ``wal_level=replica``
(PostgreSQL 15's default, checked), a ``replicator`` role with REPLICATION and a
``pg_hba.conf`` line letting it connect for replication from 127.0.0.1 (then a reload).
:class:`PgStandby` takes ``pg_basebackup -R`` of the primary into its own folder (as the
``postgres`` user when root: ``runuser -u postgres --``), starts it on its own free port with
``hot_standby = on`` and waits until it streams; :meth:`PgStandby.wait_replayed` waits until it
has replayed everything the primary wrote so far. Stopping and removing it is as for a cluster.

Usage::

    with PgCluster() as pg, PgStandby(pg) as standby:
        name = pg.create_database()
        standby.wait_replayed()
        engine = sqlalchemy.create_engine(standby.url(name))  # read-only
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from .pgcluster import PgCluster, PgStartError

REPLICATION_ROLE = "replicator"


def prepare_primary(primary: PgCluster) -> str:
    """The replication role and its pg_hba line on ``primary`` (idempotent); its password."""
    password = getattr(primary, "_replication_password", None)
    if password:
        return str(password)
    password = secrets.token_hex(16)
    with primary.connect() as conn:
        level = conn.execute("SHOW wal_level").fetchone()
        if level is None or level[0] not in ("replica", "logical"):
            raise PgStartError(f"primary has wal_level={level}: a standby needs replica")
        conn.execute(f"CREATE ROLE {REPLICATION_ROLE} WITH REPLICATION LOGIN PASSWORD '{password}'")
    hba = primary.data_dir / "pg_hba.conf"
    with open(hba, "a") as fh:
        fh.write(f"host replication {REPLICATION_ROLE} 127.0.0.1/32 scram-sha-256\n")
    with primary.connect() as conn:
        conn.execute("SELECT pg_reload_conf()")
    setattr(primary, "_replication_password", password)  # noqa: B010 (not a PgCluster field)
    return password


class PgStandby(PgCluster):
    """A hot standby streaming from ``primary`` (same superuser and password)."""

    def __init__(self, primary: PgCluster, **kwargs: Any) -> None:
        settings = {"hot_standby": True, **(kwargs.pop("settings", None) or {})}
        super().__init__(
            bindir=primary.bindir,
            base_dir=primary.parent_dir,
            fast=primary.fast,
            settings=settings,
            **kwargs,
        )
        self.primary = primary
        self.user = primary.user
        self.password = primary.password

    def _initdb(self) -> None:  # the data folder is a base backup of the primary
        assert self.base is not None
        password = prepare_primary(self.primary)
        conninfo = (
            f"host={self.primary.host} port={self.primary.port} user={REPLICATION_ROLE} "
            f"password={password} application_name=loket_standby"
        )
        res = self._run(
            "pg_basebackup",
            "-D",
            str(self.data_dir),
            "-d",
            conninfo,
            "-R",  # standby.signal and primary_conninfo
            "-X",
            "stream",
            "-c",
            "fast",
            *(["--no-sync"] if self.fast else []),
            timeout=300,
        )
        if res.returncode != 0:
            raise PgStartError(f"pg_basebackup failed ({res.returncode}):\n{res.stdout}")

    def start(self) -> PgStandby:
        super().start()
        self.wait_streaming()
        return self

    def wait_streaming(self, timeout: float = 60.0) -> None:
        """Until the primary reports this standby's WAL receiver as streaming."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.primary.connect() as conn:
                row = conn.execute(
                    "SELECT state FROM pg_stat_replication WHERE application_name = %s",
                    ("loket_standby",),
                ).fetchone()
            if row is not None and row[0] == "streaming":
                return
            time.sleep(0.1)
        raise PgStartError(f"standby did not start streaming\n{self.log_tail()}")

    def wait_replayed(self, timeout: float = 30.0) -> None:
        """Until this standby has replayed the primary's WAL as of now."""
        with self.primary.connect() as conn:
            row = conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()
        assert row is not None
        target = row[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.connect() as conn:
                done = conn.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)
                ).fetchone()
            if done is not None and done[0]:
                return
            time.sleep(0.02)
        raise PgStartError(f"standby did not replay {target} within {timeout} s")

    def __enter__(self) -> PgStandby:
        return self.start()

    def pause_replay(self) -> None:
        """WAL keeps arriving but is not applied: the standby's data stays as it is now."""
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.connect() as conn:
            conn.execute("SELECT pg_wal_replay_resume()")
