"""Seed the `make run` demo once: office, console admin, desktop operator, enrollment, and
synthetic registrations synced to the server. Idempotent: ``.demo/credentials.json`` records
what was done; a later start only reads it (and syncs whatever the desktop still holds)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OFFICE = "320101"
OFFICE_NAME = "Disnaker Kabupaten Bogor"
REGENCY = "32.01"
DEMO_RECORDS = 60


def _server_cli(server_dir: Path, *args: str, password: str | None = None) -> str:
    env = dict(os.environ)
    if password is not None:
        env["LOKET_PASSWORD"] = password
    result = subprocess.run(
        [sys.executable, "-m", "syncserver.cli", "--data-dir", str(server_dir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"loket-server {args[0]}: {(result.stderr or result.stdout).strip()[-300:]}"
        )
    return result.stdout


def seed(data: Path, server_url: str, say: Callable[[str], None]) -> dict[str, str]:
    creds_path = data / "credentials.json"
    creds: dict[str, str] = json.loads(creds_path.read_text()) if creds_path.exists() else {}
    server_dir, desk_dir = data / "server", data / "desk"

    from common.synthetic import generate
    from desktop.services.operators import create_first_operator, needs_first_operator, unlock
    from desktop.services.registrations import RegistrationService
    from desktop.sync.commands import enroll_device, sync_once

    if not creds.get("admin_password"):
        creds.update(admin_user="admin", admin_password=secrets.token_urlsafe(9))
        creds.update(operator_user="demo", operator_password=secrets.token_urlsafe(9))
        say(f"seeding the demo: office {OFFICE} ({OFFICE_NAME}), console admin, desktop operator")
        _server_cli(server_dir, "add-office", OFFICE, "--name", OFFICE_NAME, "--regency", REGENCY)
        _server_cli(
            server_dir,
            "add-user",
            creds["admin_user"],
            "--role",
            "admin",
            password=creds["admin_password"],
        )
        data.mkdir(parents=True, exist_ok=True)
        creds_path.write_text(json.dumps(creds, indent=2))
        creds_path.chmod(0o600)

    user, password = creds["operator_user"], creds["operator_password"]
    if needs_first_operator(desk_dir):  # the first operator makes the database key
        store, operator = create_first_operator(desk_dir, user, password, "Petugas Demo")
    else:  # the store is encrypted: open it as the demo operator
        store, operator = unlock(desk_dir, user, password)
    try:
        from desktop.services.device import device_info

        if not device_info(store).enrolled:
            code = _server_cli(server_dir, "enroll-code", OFFICE).strip().splitlines()[-1].strip()
            enroll_device(store, server_url, code, device_name="demo-desk")
            say(f"desktop enrolled with {server_url} as a device of office {OFFICE}")
        service = RegistrationService(store, operator)
        if not creds.get("registrations_seeded"):
            saved = 0
            for sample in generate(DEMO_RECORDS, seed=2026, today=date.today(), family_share=0.05):
                if service.save(sample.applicant).ok:
                    saved += 1
            creds["registrations_seeded"] = str(saved)
            creds_path.write_text(json.dumps(creds, indent=2))
            say(f"{saved} synthetic registrations made on the desktop")
        code, report = sync_once(store, say=lambda line: say("sync: " + line))
    finally:
        store.close()
    return creds
