"""common/ imports neither Qt nor Flask (docs/ARCHITECTURE.md, "Dependencies"): import everything
with both blocked. Within common/ the imports run one way: no module imports, even inside a
function, a module that imports it back."""

from __future__ import annotations

import ast
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


def common_imports() -> dict[str, set[str]]:
    """{module: the common modules it imports anywhere in its text} for every common module."""
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): path
        for path in (ROOT / "common").rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
        graph[name] = {m for m in found if m in modules and m != name and m != "common.__init__"}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, each once, as the path that closes it."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def walk(path: list[str]) -> None:
        for nxt in sorted(graph[path[-1]]):
            if nxt == path[0]:
                if frozenset(path) not in seen:
                    seen.add(frozenset(path))
                    found.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:
                walk([*path, nxt])

    for start in sorted(graph):
        walk([start])
    return found


def test_no_import_cycle_within_common() -> None:
    graph = common_imports()
    assert "common.validation" in graph["common.compare"]  # the graph sees the imports
    assert "common.errors" in graph["common.validation"]  # `from common import errors as E`
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    """Local imports count: the record and its validation once imported each other that way."""
    graph = {"common.record": {"common.validation"}, "common.validation": {"common.record"}}
    assert cycles(graph) == [["common.record", "common.validation", "common.record"]]
