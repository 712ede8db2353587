"""Helpers for tests of file modes (issue 12, finding 9): a permissive umask and a tree walk."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def permissive_umask(mask: int = 0o022) -> Iterator[None]:
    """Run with ``mask`` (the usual 022: new files 0644, folders 0755 unless made private)."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def too_open(root: Path) -> list[str]:
    """Every folder under ``root`` (itself included) not 0700 and every file not 0600."""
    found: list[str] = []
    entries = [root, *sorted(root.rglob("*"))]
    for entry in entries:
        st = os.lstat(entry)
        if stat.S_ISLNK(st.st_mode):
            continue
        want = 0o700 if stat.S_ISDIR(st.st_mode) else 0o600
        if stat.S_IMODE(st.st_mode) != want:
            found.append(f"{entry.relative_to(root.parent)} {oct(stat.S_IMODE(st.st_mode))}")
    return found
