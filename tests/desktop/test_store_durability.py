"""A record is on disk when the clerk sees "saved" (docs/ARCHITECTURE.md, promise 1). A process
that saved through the service and printed ``saved <id>`` is killed with SIGKILL on that line;
the record is there and the file is sound."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.services.operators import Operator
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from tests.support import unavailable

ROOT = Path(__file__).resolve().parents[2]

SAVER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from pathlib import Path
    from common.synthetic import Generator
    from desktop.services.device import set_local_identity
    from desktop.services.operators import Operator
    from desktop.services.registrations import RegistrationService
    from desktop.store import Store

    store = Store.open(Path(sys.argv[1]), bytes.fromhex(sys.argv[4]))
    set_local_identity(store, "320101", 3)
    store.set_setting("enrolled", True)  # saving needs an enrolled device (issue 13)
    service = RegistrationService(store, Operator("ani"))
    gen = Generator(int(sys.argv[2]))
    for _ in range(int(sys.argv[3])):  # some earlier records, so the WAL holds several commits
        assert service.save(gen.applicant()).ok
    result = service.save(gen.applicant())
    assert result.ok, result.problems
    print("saved", result.registration.id, result.registration.code, flush=True)
    sys.stdin.read()  # wait, as the app would, until killed
    """
)


@pytest.mark.parametrize("earlier", [0, 25])
def test_record_survives_sigkill_right_after_save(
    data_dir: Path, db_key: bytes, earlier: int
) -> None:
    if not hasattr(signal, "SIGKILL"):
        unavailable("SIGKILL is needed (a POSIX system)")  # fails under CI, never a quiet skip
    proc = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(data_dir), str(earlier + 1), str(earlier), db_key.hex()],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    try:
        line = proc.stdout.readline()
        assert line.startswith("saved "), proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    _, registration_id, code = line.split()
    assert (data_dir / "loket.db-wal").exists()  # killed before any checkpoint at close

    store = Store.open(data_dir, db_key)
    try:
        assert store.integrity_check() == "ok"
        service = RegistrationService(store, Operator("ani"))
        saved = service.get(registration_id)
        assert saved is not None and saved.code == code
        assert service.count() == earlier + 1
        assert service.pending_count() == earlier + 1  # its outbox row committed with it
        assert [r.id for r in service.search(saved.applicant.nik)] == [registration_id]
    finally:
        store.close()
