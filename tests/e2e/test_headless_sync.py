"""``loket-desk enroll`` and ``loket-desk sync`` as a scheduler runs them: real processes,
real server, and the exit codes a scheduler acts on."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from common.synthetic import generate
from desktop.services.device import device_info
from desktop.services.operators import unlock
from desktop.services.registrations import RegistrationService
from syncserver.queries.devices import revoke_device

ROOT = Path(__file__).resolve().parents[2]


def desk(
    data_dir: Path, *args: str, password: str = "rahasia-sekali"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOKET_PASSWORD": password}
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_enroll_then_sync_with_scheduler_exit_codes(tmp_path: Path, live_server, server_db) -> None:
    data = tmp_path / "desk"
    assert desk(data, "add-operator", "petugas").returncode == 0
    samples = generate(30, 77, today=date.today())
    store, operator = unlock(data, "petugas", "rahasia-sekali")  # the store is encrypted
    refused = RegistrationService(store, operator).save(samples[0].applicant)
    assert refused.needs_enrollment  # no code of its own before enrollment (issue 13)
    store.close()

    # not enrolled yet: a local error, nothing sent
    result = desk(data, "sync", "--operator", "petugas")
    assert result.returncode == 1 and "NOT_ENROLLED" in result.stdout + result.stderr

    result = desk(
        data,
        "enroll",
        "--server",
        live_server.url,
        "--code",
        live_server.office_and_code(),
        "--operator",
        "petugas",
    )
    assert result.returncode == 0, result.stderr
    assert "office 320101" in result.stdout
    store, operator = unlock(data, "petugas", "rahasia-sekali")
    service = RegistrationService(store, operator)
    for sample in samples:
        assert service.save(sample.applicant).ok
    store.close()

    result = desk(data, "sync", "--operator", "petugas")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "push: 30/30" in result.stdout and "0 still pending" in result.stdout

    # server down: "unreachable" (2), and the records stay queued
    store, operator = unlock(data, "petugas", "rahasia-sekali")  # the store is encrypted
    service = RegistrationService(store, operator)
    for sample in generate(5, 78, today=date.today()):
        assert service.save(sample.applicant).ok
    device_id = device_info(store).device_id
    store.close()
    live_server.stop()
    result = desk(data, "sync", "--operator", "petugas")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "SERVER_UNREACHABLE" in result.stdout

    # back up: the 5 go
    live_server.start()
    result = desk(data, "sync", "--operator", "petugas")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "push: 5/5" in result.stdout

    # revoked at the centre: "refused" (3), in words a clerk understands
    assert revoke_device(server_db, device_id, datetime.now(UTC))
    server_db.commit()
    result = desk(data, "sync", "--operator", "petugas")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "DEVICE_REVOKED" in result.stdout and "revoked" in result.stdout
