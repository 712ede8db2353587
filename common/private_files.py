"""Folders and files only their owner can read (0700 / 0600), whatever the process umask.

Both sides keep personal data on disk (the desktop's store, logs and backups; the server's
SQLite database and ``secret_key``). A file created with ``open()`` gets ``0666 & ~umask``,
usually 0644: readable by every account of the machine for the moment until a later
``chmod`` (if there is one). These helpers create with the private mode from the first
byte (``os.open(..., 0o600)``, ``mkdir(mode=0o700)``) and tighten what an earlier version
left wider. On Windows the modes mean little (ACLs of the user's profile protect the data);
the calls are harmless there.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path | str) -> Path:
    """Create ``path`` (and missing parents) and make the folder itself 0700.

    Missing parents are created 0700 too (``mkdir -p`` would leave them 0755); an existing
    folder is tightened, so data folders made by earlier versions lose their group/other bits
    (not a folder of another user, nor a sticky shared one such as ``/tmp``).
    """
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=DIR_MODE)
        _tighten(folder, DIR_MODE)
    _tighten(path, DIR_MODE)
    return path


def touch_private(path: Path | str) -> Path:
    """Make sure the file ``path`` exists with mode 0600 (created so, or tightened).

    Pre-creating a database file this way makes SQLite keep it private: SQLite opens an
    existing file as it is and gives its ``-wal``, ``-shm`` and ``-journal`` the main file's
    permissions.
    """
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    os.close(fd)
    _tighten(path, FILE_MODE)
    return path


def open_private(path: Path | str, *, exclusive: bool = False) -> int:
    """A write descriptor on ``path``, truncated, created 0600 (an existing file is tightened).

    ``exclusive``: fail with FileExistsError when the file exists (``O_EXCL``), for files
    such as ``secret_key`` that must never be rewritten under a reader.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    if exclusive:
        flags |= os.O_EXCL
    fd = os.open(path, flags, FILE_MODE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)  # a file that existed keeps its old mode otherwise
    except OSError:
        os.close(fd)
        raise
    return fd


def write_private_bytes(path: Path | str, data: bytes, *, exclusive: bool = False) -> Path:
    """Write ``data`` to ``path`` as a 0600 file (fsynced)."""
    path = Path(path)
    fd = open_private(path, exclusive=exclusive)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return path


def replace_private_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: to a 0600 file beside it first (fsynced), then
    renamed over ``path``, so a crash or a full disk never leaves half a file under the
    final name (a bundle, an acknowledgement, a key file)."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        write_private_bytes(partial, data)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    if hasattr(os, "O_DIRECTORY"):  # the rename itself reaches the disk (POSIX)
        with contextlib.suppress(OSError):
            fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    return path


def _tighten(path: Path, mode: int) -> None:
    """chmod ``path`` to ``mode`` when it grants more, and only if it is ours (best effort)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return  # not ours (a shared folder given as the data folder): leave it as it is
    if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX:
        return  # a shared sticky folder (/tmp holding a database file): never close it
    if stat.S_IMODE(st.st_mode) & ~mode:
        with contextlib.suppress(OSError):
            path.chmod(stat.S_IMODE(st.st_mode) & mode)
