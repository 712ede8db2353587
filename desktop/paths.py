"""Where the desktop keeps its data and logs: one module, one precedence.

Data folder: the ``--data-dir`` flag, then the ``LOKET_DESK_DATA`` environment variable, then
the platform's user data folder (``platformdirs.user_data_dir("Loket", "Kemnaker")``).
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

from common.private_files import private_dir, touch_private

ENV_DATA_DIR = "LOKET_DESK_DATA"
DB_NAME = "loket.db"
LOG_NAME = "loket-desk.log"
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def resolve_data_dir(cli_value: str | None) -> Path:
    """The data folder by precedence (flag, environment, platform default); created if missing,
    0700 (it holds the store, its key slots, backups and logs: common/private_files.py)."""
    if cli_value:
        path = Path(cli_value)
    elif os.environ.get(ENV_DATA_DIR):
        path = Path(os.environ[ENV_DATA_DIR])
    else:
        path = Path(platformdirs.user_data_dir("Loket", "Kemnaker"))
    path = path.expanduser().resolve()
    return private_dir(path)


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_NAME


def backups_dir(data_dir: Path) -> Path:
    return data_dir / "backups"


def logs_dir(data_dir: Path) -> Path:
    return data_dir / "logs"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 from creation, the first one and every one a
    rollover opens (the standard handler opens with ``open()``, i.e. 0644 under umask 022)."""

    def _open(self) -> io.TextIOWrapper:
        # created 0600 (or a log left 0644 by an earlier version tightened), then opened as usual
        touch_private(self.baseFilename)
        return super()._open()


def legacy_receipts_dir(data_dir: Path) -> Path:
    """Where versions before issue 12 kept a plaintext copy of every receipt (retention
    deletes what is left there; nothing writes there any more)."""
    return data_dir / "receipts"


def receipt_save_dir() -> Path:
    """The folder the receipt dialog proposes: the user's documents folder, never the data
    folder (Loket keeps no copy of a receipt; the clerk decides where one goes)."""
    return Path(platformdirs.user_documents_dir())


def setup_logging(data_dir: Path, level: int = logging.INFO) -> None:
    """Attach a rotating log file ``data_dir/logs/loket-desk.log`` (1 MB x 5) to the root logger.

    Calling it again for the same folder does nothing. Log lines never carry a full NIK.
    """
    folder = private_dir(logs_dir(data_dir))
    target = str(folder / LOG_NAME)
    root = logging.getLogger()
    for handler in root.handlers:
        if (
            isinstance(handler, logging.handlers.RotatingFileHandler)
            and handler.baseFilename == target
        ):
            return
    handler = PrivateRotatingFileHandler(
        target, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
