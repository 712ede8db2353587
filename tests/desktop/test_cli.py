"""``loket-desk`` headless commands, run as a real process (``python -m desktop``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from common.csvformat import to_row
from common.synthetic import Generator
from desktop import paths

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "rahasia-123"


def run(
    data_dir: Path | None, *args: str, password: str | None = PASSWORD, env: dict | None = None
):
    environ = {k: v for k, v in os.environ.items() if k not in ("LOKET_PASSWORD", "LOKET_OPERATOR")}
    if password is not None:
        environ["LOKET_PASSWORD"] = password
    environ.update(env or {})
    argv = [sys.executable, "-m", "desktop"]
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    return subprocess.run(
        argv + list(args),
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def _csv(path: Path, count: int, bad: int) -> Path:
    import csv

    gen = Generator(seed=9, today=date.today())
    rows = [to_row(gen.applicant()) for _ in range(count)]
    for row in rows[:bad]:
        row["postal_code"] = "12"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    r = run(data, "add-operator", "ani", "--full-name", "Ani Lestari")  # the first: makes the key
    assert r.returncode == 0, r.stderr
    r = run(data, "setup", "--office", "320101", "--device-no", "4", "--operator", "ani")
    assert r.returncode == 0, r.stderr
    _enroll_offline(data)
    return data


def _enroll_offline(data: Path) -> None:
    """As ``loket-desk enroll`` leaves the store (no server here): saving needs it."""
    from desktop.services.operators import unlock
    from tests.support.enrolled import enroll_offline

    store, _ = unlock(data, "ani", PASSWORD)
    try:
        enroll_offline(store, "320101", 4)
    finally:
        store.close()


def test_an_import_before_enrollment_saves_nothing_and_says_why(tmp_path: Path) -> None:
    """Issue 13 defect 2: a device not enrolled has no device number of its own, so it gives
    out no registration code (every device would be ``000000-000``), not even by import."""
    data = tmp_path / "data"
    assert run(data, "add-operator", "ani").returncode == 0
    src = _csv(tmp_path / "forms.csv", 3, 0)
    r = run(data, "import", str(src), "--operator", "ani")
    assert r.returncode == 1 and r.stderr.strip().splitlines()[-1].startswith(
        "SAVE_NEEDS_ENROLLMENT:"
    ), r.stderr
    r = run(data, "status", "--json", "--operator", "ani")
    assert json.loads(r.stdout)["pending"] == 0


def test_setup_add_operator_import_and_status(ready: Path, tmp_path: Path) -> None:
    src = _csv(tmp_path / "forms.csv", 12, 2)
    r = run(ready, "import", str(src), "--operator", "ani", "--errors", str(tmp_path / "e.csv"))
    assert r.returncode == 3, r.stderr  # finished, with rejected rows
    assert "10 saved" in r.stdout and "2 rejected" in r.stdout
    assert (tmp_path / "e.csv").exists()

    r = run(ready, "import", str(src), "--operator", "ani")
    assert r.returncode == 3 and "0 saved, 10 already present" in r.stdout

    r = run(ready, "status", "--json", "--operator", "ani")
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    assert status["counts"]["saved"] == 10 and status["pending"] == 10
    assert status["office_code"] == "320101" and status["device_no"] == 4
    assert status["oldest_unsynced_seconds"] >= 0

    r = run(ready, "status", env={"LOKET_OPERATOR": "ani"})
    assert r.returncode == 0 and "pending sync: 10" in r.stdout

    src_ok = _csv(tmp_path / "ok.csv", 3, 0)
    r = run(ready, "import", str(src_ok), "--operator", "ani")
    assert r.returncode == 0 and "0 rejected" in r.stdout  # same seed: the 3 are there already


def test_failures_are_one_line_with_a_code(ready: Path, tmp_path: Path) -> None:
    r = run(ready, "status", "--operator", "ani", password="wrong-password")
    assert r.returncode == 1 and r.stderr.strip().splitlines() == [
        "LOGIN_FAILED: Wrong user name or password."
    ]
    r = run(ready, "status")
    assert r.returncode == 1 and r.stderr.startswith("OPERATOR_REQUIRED:")
    r = run(ready, "status", "--operator", "ani", password=None)  # no password, no terminal
    assert r.returncode == 1 and r.stderr.startswith("PASSWORD_REQUIRED:")
    r = run(ready, "add-operator", "budi")  # not the first: an existing operator adds others
    assert r.returncode == 1 and r.stderr.startswith("OPERATOR_REQUIRED:")
    r = run(
        ready, "add-operator", "ani", "--operator", "ani", env={"LOKET_NEW_PASSWORD": "rahasia-456"}
    )
    assert r.stderr.splitlines() == ["OPERATOR_EXISTS: Operator ani already exists."]
    assert r.returncode == 1
    r = run(ready, "import", str(tmp_path / "nope.csv"), "--operator", "ani")
    assert r.returncode == 1 and r.stderr.startswith("FILE_NOT_FOUND:")
    (tmp_path / "bad.csv").write_text("nik\n1\n", encoding="utf-8")
    r = run(ready, "import", str(tmp_path / "bad.csv"), "--operator", "ani")
    assert r.returncode == 1 and r.stderr.startswith("IMPORT_COLUMNS_MISSING:")
    r = run(ready, "setup", "--office", "12", "--device-no", "1", "--operator", "ani")
    assert r.returncode == 1 and r.stderr.startswith("OFFICE_CODE_INVALID:")
    r = run(ready, "status", "--bogus")
    assert r.returncode == 2


def test_dry_run_and_template_need_no_operator(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    src = _csv(tmp_path / "forms.csv", 5, 1)
    r = run(data, "import", str(src), "--dry-run", password=None)
    assert r.returncode == 3, r.stderr
    assert "4 valid" in r.stdout and (tmp_path / "forms.errors.csv").exists()
    assert not (data / "loket.db").exists()  # nothing opened, nothing saved
    r = run(data, "import", "--template", str(tmp_path / "t.csv"), password=None)
    assert r.returncode == 0 and (tmp_path / "t.csv").read_text(encoding="utf-8-sig").startswith(
        "nik,"
    )


def test_data_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "env"))
    assert paths.resolve_data_dir(str(tmp_path / "flag")) == (tmp_path / "flag").resolve()
    assert paths.resolve_data_dir(None) == (tmp_path / "env").resolve()
    assert (tmp_path / "env").is_dir()
    monkeypatch.delenv(paths.ENV_DATA_DIR)
    default = paths.resolve_data_dir(None)
    assert default.name == "Loket" and default.is_dir()  # platformdirs, under the test's XDG home


def test_logging_goes_to_a_rotating_file(tmp_path: Path) -> None:
    import logging

    paths.setup_logging(tmp_path)
    paths.setup_logging(tmp_path)  # idempotent
    logging.getLogger("desktop.test").warning("hello log")
    target = tmp_path / "logs" / "loket-desk.log"
    handlers = [
        h for h in logging.getLogger().handlers if getattr(h, "baseFilename", "") == str(target)
    ]
    assert len(handlers) == 1
    handlers[0].flush()
    assert "hello log" in target.read_text(encoding="utf-8")
    logging.getLogger().removeHandler(handlers[0])
    handlers[0].close()
