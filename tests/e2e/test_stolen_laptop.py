"""The stolen laptop (security issue 12, finding 1), end to end: a real server process, a real
enrolled desktop store with operators created centrally and synced, one of whose password was
changed at the centre after her first login here, another never logged in here, and a re-key.
The attacker holds the stolen data folder, a copy of the server's database files, every pull
answer the office's devices received, and so every verifier the server ever sent or kept:
none of it opens the store. The legitimate operators still log in offline."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import MetaData, select

from common import errors as E
from common.errors import ApiError
from desktop.services.operators import rekey_database, unlock
from desktop.store.keys import KeySlots
from desktop.sync.commands import make_client
from desktop.sync.engine import SyncEngine, SyncOutcome
from syncserver import operators
from syncserver.db import make_engine
from tests.support.keyattack import try_to_open, verifiers_in
from tests.support.liveserver import LiveServer

LOCAL = ("petugas", "rahasia-sekali")  # the device's first operator (tests/e2e/conftest.py)


@pytest.fixture(params=["sqlite", "postgres"])
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """The real server on each backend (overrides tests/e2e/conftest.py's SQLite one)."""
    database = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    server = LiveServer(tmp_path / "server", database=database)
    if database:
        server.cli("migrate")
    server.start()
    yield server
    server.stop()


def _server_database_bytes(server: LiveServer, copy: Path) -> list[bytes]:
    """Every byte the server's database holds, as its files (SQLite) or a dump of every row of
    every table (PostgreSQL: what a backup or the database role gives)."""
    copy.mkdir()
    if server.database is None:
        for f in server.data_dir.glob("loket-server.db*"):
            shutil.copy(f, copy / f.name)
        return [f.read_bytes() for f in copy.iterdir()]
    engine = make_engine(server.database)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        dump = [repr(row).encode() for t in meta.sorted_tables for row in conn.execute(select(t))]
    engine.dispose()
    (copy / "dump.txt").write_bytes(b"\n".join(dump))
    return dump


def _code(call) -> str:
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code


def test_a_stolen_data_folder_does_not_open_with_everything_the_server_holds(
    device, live_server, server_db, tmp_path
) -> None:
    office = device.info.office_code
    credential = make_client(device.store).credential
    answers: list[bytes] = []

    def pull_everything() -> None:  # what any device of the office (or its thief) receives
        cursor = ""
        for _ in range(50):
            r = requests.get(
                f"{live_server.url}/api/v1/sync/pull",
                params={"cursor": cursor},
                headers={"Authorization": f"Bearer {credential}"},
                timeout=30,
            )
            assert r.status_code == 200, r.text
            answers.append(r.content)
            body = r.json()
            cursor = body["cursor"]
            if not body["more"]:
                return

    def central(action, *args) -> None:
        action(server_db, office, *args, "admin", datetime.now(UTC))
        server_db.commit()
        pull_everything()

    def sync(store) -> None:
        assert SyncEngine(store, make_client(store)).run().outcome is SyncOutcome.OK

    central(operators.add_operator, "dewi", "dewi-pertama", "Dewi")
    central(operators.add_operator, "eko", "eko-pertama", "Eko")
    sync(device.store)
    data_dir = device.data_dir
    device.close()
    dewi_store, _ = unlock(data_dir, "dewi", "dewi-pertama", authoriser=LOCAL)  # first login
    dewi_store.close()

    central(operators.set_password, "dewi", "dewi-kedua-1")
    central(operators.set_password, "eko", "eko-kedua-12")
    store, _ = unlock(data_dir, *LOCAL)
    sync(store)
    store.close()
    dewi_store, _ = unlock(data_dir, "dewi", "dewi-kedua-1", authoriser=LOCAL)
    assert rekey_database(dewi_store) == 2  # petugas and dewi: sealed to their key pairs
    dewi_store.close()
    pull_everything()

    stolen = tmp_path / "stolen"
    shutil.copytree(data_dir, stolen)
    server_bytes = _server_database_bytes(live_server, tmp_path / "server-copy")
    live_server.stop()  # offline from here on

    verifiers = verifiers_in(server_bytes + answers)
    assert len(verifiers) >= 4  # old and new verifiers of dewi and eko: the attacker has them
    assert try_to_open(stolen, verifiers) == []
    guessed = tmp_path / "guessed"  # its lock-out counts are the attacker's to reset
    for name in ("petugas", "dewi", "eko"):  # a verifier as the password
        for verifier in verifiers:
            shutil.rmtree(guessed, ignore_errors=True)
            shutil.copytree(stolen, guessed)
            assert _code(lambda: unlock(guessed, name, verifier)) in (  # noqa: B023
                E.LOGIN_FAILED,
                E.OPERATOR_NEEDS_AUTHORISATION,
            )
    # the legitimate operators log in offline, on the stolen copy's bytes too
    for folder in (stolen, data_dir):
        for name, password in (LOCAL, ("dewi", "dewi-kedua-1")):
            store, operator = unlock(folder, name, password)
            assert operator.username == name
            store.close()
    assert _code(lambda: unlock(data_dir, "eko", "eko-kedua-12")) == (
        E.OPERATOR_NEEDS_AUTHORISATION  # never logged in here: someone present must authorise
    )
    assert _code(lambda: unlock(data_dir, "eko", "eko-pertama", authoriser=LOCAL)) == (
        E.LOGIN_FAILED  # the old password is not accepted either
    )
    eko, _ = unlock(data_dir, "eko", "eko-kedua-12", authoriser=LOCAL)
    eko.close()
    assert sorted(KeySlots(data_dir).usernames()) == ["dewi", "eko", "petugas"]
    assert try_to_open(data_dir, verifiers) == []
    device.store, _ = unlock(data_dir, *LOCAL)  # closed by the fixture
