"""Where the programs' data files are, from a source checkout, an installed package and inside
the desktop bundle (PyInstaller), through one function.

A data file is named by its path relative to the source root, as it is in the repository:
``asset("common/data/regions.txt.gz")``. From source or an installed wheel that is the folder
that holds the ``common`` package; in a PyInstaller bundle (``sys.frozen``) it is the bundle's
data folder ``sys._MEIPASS`` (``_internal/`` beside the program), where
``installers/desktop/loket-desk.spec`` copies every file at the same relative path. Code reads
data files only through here (tests/installers/test_desktop_bundle.py checks that no other module
uses ``__file__`` or ``importlib.resources`` and that the spec lists every file named here).
"""

from __future__ import annotations

import sys
from pathlib import Path

#: the files the desktop reads at run time besides its code (the spec copies exactly these,
#: and the folders' contents); relative to the source root
REGIONS = "common/data/regions.txt.gz"
TRANSLATIONS = "desktop/i18n"  # loket_<lang>.qm
STORE_ALEMBIC_INI = "desktop/store/alembic.ini"
STORE_MIGRATIONS = "desktop/store/migrations"


def root() -> Path:
    """The folder the relative names start from: the bundle's data folder when frozen, else the
    folder holding the ``common`` package."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def asset(relative: str) -> Path:
    """The path of the data file or folder ``relative`` (e.g. ``"desktop/i18n/loket_id.qm"``)."""
    return root().joinpath(*relative.split("/"))


def frozen() -> bool:
    """True inside the PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))
