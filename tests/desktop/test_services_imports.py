"""The store, the services (receipt aside) and the CLI import without Qt; nothing in desktop/
imports syncserver (docs/ARCHITECTURE.md, "Dependencies")."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NO_QT = """
import sys
for name in ("PySide6", "PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "syncserver"):
    sys.modules[name] = None  # any import of these now fails
import desktop.paths, desktop.cli, desktop.store
import desktop.services.device, desktop.services.operators
import desktop.services.registrations, desktop.services.importer
print("ok")
"""


def test_store_services_and_cli_import_without_qt() -> None:
    r = subprocess.run([sys.executable, "-c", NO_QT], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_nothing_in_desktop_imports_syncserver() -> None:
    offenders = []
    for path in (ROOT / "desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] == "syncserver"]
    assert offenders == []
