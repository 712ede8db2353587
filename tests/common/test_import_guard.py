"""common/ imports neither Qt nor Flask (docs/ARCHITECTURE.md, "Dependencies"): import everything
with both blocked."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_common_imports_without_qt_and_flask() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "flask", "werkzeug"):
                    raise ImportError(f"blocked: {name}")
                return None

        sys.meta_path.insert(0, Block())
        import common
        names = [m.name for m in pkgutil.walk_packages(common.__path__, "common.")]
        for name in names:
            importlib.import_module(name)
        leaked = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "flask")]
        assert not leaked, leaked
        print("imported", len(names))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) >= 10


def test_the_guard_really_blocks() -> None:
    """The same blocker makes a Qt import fail, so the test above can fail."""
    script = textwrap.dedent(
        """
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "PySide6":
                    raise ImportError("blocked")
        sys.meta_path.insert(0, Block())
        import PySide6.QtCore
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode != 0 and "blocked" in result.stderr
