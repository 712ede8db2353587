"""Issue 12, finding 9: everything the desktop writes is 0600 in 0700 folders from creation,
whatever the umask (here the usual 022, under which open() makes 0644 files)."""

from __future__ import annotations

import csv
import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.csvformat import COLUMNS
from desktop import paths
from desktop.services.importer import import_csv
from desktop.services.operators import create_first_operator
from desktop.services.receipt import write_receipt_pdf
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store.keys import KeySlots
from tests.support.enrolled import enroll_offline
from tests.support.modes import mode, permissive_umask, too_open

from .conftest import DEVICE_NO, OFFICE


@pytest.fixture
def umask_022() -> Iterator[None]:
    with permissive_umask(0o022):
        yield


@pytest.fixture
def log_handlers() -> Iterator[None]:
    """Whatever file handler a test attaches to the root logger is closed and removed after."""
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


def test_everything_the_desktop_makes_is_private(
    tmp_path: Path, umask_022, log_handlers, applicant
) -> None:
    data_dir = paths.resolve_data_dir(str(tmp_path / "home" / "share" / "Loket"))
    paths.setup_logging(data_dir)
    store, operator = create_first_operator(data_dir, "ani", "kata-sandi-yang-panjang", "Ani")
    try:
        enroll_offline(store, OFFICE, DEVICE_NO)  # saving needs an enrolled device
        service = RegistrationService(store, operator)
        saved = service.save(applicant()).registration
        logging.getLogger("desktop.test").warning("a line in the log file")
        store.backup()
        # the store open: its -wal and -shm exist now
        assert (data_dir / "loket.db-wal").exists()
        assert too_open(data_dir) == []

        # a receipt the clerk saves elsewhere, and the import's error file beside the clerk's
        # own file: both are personal data, 0600 where they are
        receipt = write_receipt_pdf(saved, "Kantor", operator, tmp_path / "usb" / "r.pdf")
        assert mode(receipt) == 0o600
        forms = tmp_path / "forms"
        forms.mkdir()
        source = forms / "kertas.csv"
        with open(source, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            writer.writerow(["12345", "", "Budi"] + [""] * (len(COLUMNS) - 3))
        errors = forms / "kertas.errors.csv"
        import_csv(store, source, operator=operator, errors_path=errors)
        assert errors.exists() and mode(errors) == 0o600

        # a log rollover opens a new file: 0600 too
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.handlers.RotatingFileHandler):
                handler.doRollover()
        logging.getLogger("desktop.test").warning("a line after the rollover")
        assert (paths.logs_dir(data_dir) / f"{paths.LOG_NAME}.1").exists()
    finally:
        store.close()
    assert too_open(data_dir) == []
    assert mode(tmp_path / "home") == 0o700  # missing parents were made private too


def test_files_an_earlier_version_left_open_are_tightened(tmp_path: Path, umask_022) -> None:
    data_dir = tmp_path / "desk"
    key = KeySlots.new_key()
    Store.open(data_dir, key).close()
    store = Store.open(data_dir, key)
    store.backup()
    store.close()
    for entry in [data_dir, *data_dir.rglob("*")]:  # what 0644/0755 defaults made
        entry.chmod(0o755 if entry.is_dir() else 0o644)
    (data_dir / "loket.db-wal").write_bytes(b"")
    (data_dir / "loket.db-wal").chmod(0o644)
    Store.open(data_dir, key).close()
    assert too_open(data_dir) == []
