"""Issue 12, finding 9: the server's data folder is 0700 and every file in it 0600 from
creation (the SQLite database and its -wal/-shm, the write lock, ``secret_key``), whatever
the umask (here the usual 022)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncserver import db
from syncserver.app import _secret_key, create_app
from syncserver.config import Settings
from tests.support.modes import mode, permissive_umask, too_open

from .conftest import Api, Clock


@pytest.fixture
def umask_022() -> Iterator[None]:
    with permissive_umask(0o022):
        yield


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> str | None:
    """None: the embedded SQLite in the data folder (the default); or a real PostgreSQL."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_database"))


def test_the_data_folder_after_a_push_is_private(
    tmp_path: Path, umask_022, database, people
) -> None:
    data_dir = tmp_path / "srv" / "loket-server"
    config = {"data_dir": str(data_dir), **({"database": database} if database else {})}
    app = create_app({**config, "clock": Clock()})
    engine = app.extensions["loket"].engine
    try:
        db.migrate(engine)
        api = Api(app, app.test_client(), Clock())
        device = api.enroll()
        pushed = api.push(device, [api.record(people[0], device)])
        assert pushed.status == 200, pushed.body
        if database is None:  # the live database's side files exist while it is open
            assert (data_dir / "loket-server.db-wal").exists()
            assert (data_dir / "loket-server.db-shm").exists()
        assert (data_dir / "secret_key").exists()
        assert too_open(data_dir) == []
    finally:
        engine.dispose()
    assert too_open(data_dir) == []


def test_files_an_earlier_version_left_open_are_tightened(tmp_path: Path, umask_022) -> None:
    data_dir = tmp_path / "srv"
    data_dir.mkdir()
    (data_dir / "secret_key").write_text("0" * 64)
    database = data_dir / "loket-server.db"
    database.write_bytes(b"")
    for path in (data_dir / "secret_key", database):
        path.chmod(0o644)
    data_dir.chmod(0o755)
    app = create_app({"data_dir": str(data_dir), "database": f"sqlite:///{database}"})
    assert app.config["SECRET_KEY"] == "0" * 64  # kept, only its mode changes
    db.migrate(app.extensions["loket"].engine)
    app.extensions["loket"].engine.dispose()
    assert too_open(data_dir) == []


def test_workers_starting_together_share_one_complete_secret_key(tmp_path: Path, umask_022) -> None:
    data_dir = tmp_path / "srv"
    keys: list[str] = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        keys.append(_secret_key(Settings(data_dir=str(data_dir))))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 64
    assert mode(data_dir / "secret_key") == 0o600
    assert sorted(p.name for p in data_dir.iterdir()) == ["secret_key"]  # no temporary left
