"""Several server machines upgraded at once each run `loket-server migrate` (their
loket-server-migrate.service) against the one database: one migrates, the others wait for
it (an advisory lock in syncserver/migrations/env.py) and find nothing left to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from syncserver import db

BIN = Path(sys.executable).parent


def test_concurrent_migrations_all_succeed(pg_database: str, tmp_path: Path) -> None:
    env = {**os.environ, "LOKET_DATABASE": pg_database, "LOKET_SERVER_DATA": str(tmp_path)}
    procs = [
        subprocess.Popen(
            [str(BIN / "loket-server"), "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        for _ in range(3)
    ]
    results = [(p.wait(180), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, err[-3000:]
        assert "database at revision" in out
    engine = db.make_engine(pg_database)
    try:
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()
