"""Headless commands on the encrypted store: every command logs in as --operator, the first
add-operator makes the key, passwd / purge / rekey / remember-key, and an unattended sync
without a credential store says what to do."""

from __future__ import annotations

from pathlib import Path

from desktop.services.operators import unlock
from desktop.store.keys import keyring_available

from .test_cli import PASSWORD, run


def test_encrypted_store_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = run(data, "setup", "--office", "320101", "--device-no", "4", "--operator", "ani")
    assert r.returncode == 1 and r.stderr.startswith("NO_OPERATOR:")  # nothing to open yet
    assert run(data, "add-operator", "ani").returncode == 0  # the first makes the key
    assert (data / "keyslots.json").exists()
    assert b"SQLite format 3" not in (data / "loket.db").read_bytes()[:16]

    r = run(
        data,
        "add-operator",
        "budi",
        "--operator",
        "ani",
        env={"LOKET_NEW_PASSWORD": "budi-rahasia"},
    )
    assert r.returncode == 0, r.stderr
    r = run(
        data,
        "passwd",
        "--operator",
        "budi",
        password="budi-rahasia",
        env={"LOKET_NEW_PASSWORD": "budi-baru-12"},
    )
    assert r.returncode == 0, r.stderr
    assert run(data, "status", "--operator", "budi", password="budi-baru-12").returncode == 0
    assert run(data, "status", "--operator", "ani").returncode == 0  # untouched by budi's change

    r = run(data, "purge", "--operator", "ani")
    assert r.returncode == 0 and "purged personal data of 0" in r.stdout

    key_before = unlock(data, "ani", PASSWORD)[0]
    old_key = key_before.key
    key_before.close()
    r = run(data, "rekey", "--operator", "ani")
    assert r.returncode == 0 and "2 operator(s)" in r.stdout, r.stderr
    store, _ = unlock(data, "budi", "budi-baru-12")
    assert store.key != old_key
    store.close()

    if not keyring_available():  # headless Linux without Secret Service (this test machine)
        r = run(data, "remember-key", "--operator", "ani")
        assert r.returncode == 1 and r.stderr.startswith("NO_CREDENTIAL_STORE:")
        r = run(data, "sync", password=None)
        assert (
            r.returncode == 1
            and r.stderr.startswith("OPERATOR_REQUIRED:")
            and "remember-key" in r.stderr
        )


def test_a_first_login_here_from_the_command_line_needs_with_operator(tmp_path: Path) -> None:
    from argon2 import PasswordHasher

    from common.protocol import Change, ChangeKind
    from desktop.store.keys import KeySlots
    from desktop.sync.engine import apply_change

    data = tmp_path / "data"
    assert run(data, "add-operator", "ani").returncode == 0
    store, _ = unlock(data, "ani", PASSWORD)
    change = Change(
        seq=1,
        kind=ChangeKind.OPERATOR,
        data={
            "username": "dewi",
            "full_name": "Dewi",
            "password_hash": PasswordHasher().hash("dari-pusat-1"),
            "active": True,
        },
    )
    with store.session() as s:  # an account made at the centre, as a pull applies it
        apply_change(s, change, KeySlots(data))
    store.close()
    r = run(data, "status", "--operator", "dewi", password="dari-pusat-1")
    assert r.returncode == 1 and r.stderr.startswith("OPERATOR_NEEDS_AUTHORISATION:"), r.stderr
    r = run(
        data,
        "status",
        "--operator",
        "dewi",
        "--with-operator",
        "ani",
        password="dari-pusat-1",
        env={"LOKET_WITH_PASSWORD": "wrong-password"},
    )
    assert r.returncode == 1 and r.stderr.startswith("LOGIN_FAILED:"), r.stderr
    r = run(
        data,
        "status",
        "--operator",
        "dewi",
        "--with-operator",
        "ani",
        password="dari-pusat-1",
        env={"LOKET_WITH_PASSWORD": PASSWORD},
    )
    assert r.returncode == 0, r.stderr
    assert run(data, "status", "--operator", "dewi", password="dari-pusat-1").returncode == 0
    helptext = run(data, "status", "--help").stdout
    assert "--with-operator" in helptext and "LOKET_WITH_PASSWORD" in helptext
