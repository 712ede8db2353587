"""Each catalog entry has a kind (what it asks of whoever meets it); the sync engine acts on
the kind alone, and every failure the command lines print is a catalog code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from common import errors as E
from common.errors import Kind

ROOT = Path(__file__).resolve().parents[2]
CLIS = [ROOT / "desktop" / "cli.py", ROOT / "syncserver" / "cli.py"]


def test_every_entry_has_a_kind() -> None:
    assert all(isinstance(spec.kind, Kind) for spec in E.CATALOG.values())
    assert {E.kind(c) for c in E.CATALOG} == set(Kind)


def test_the_kinds_the_sync_engine_acts_on() -> None:
    """The engine retries TRANSIENT and stops at REFUSED (desktop/sync/engine.py): the codes a
    device can meet from the server or its own transport checks are those it classified
    before the kinds; the rest are met only at the console or at a login on the device."""
    transient = {c for c in E.CATALOG if E.kind(c) is Kind.TRANSIENT}
    refused = {c for c in E.CATALOG if E.kind(c) is Kind.REFUSED}
    assert transient == {
        E.SERVER_UNREACHABLE,
        E.ENROLL_UNREACHABLE,  # the device's own, after its enrollment attempts
        E.UNAVAILABLE,
        E.RATE_LIMITED,
        E.INTERNAL_ERROR,
        E.ACCOUNT_LOCKED,  # a login on the device, never a sync
    }
    assert refused == {
        E.AUTH_REQUIRED,
        E.AUTH_INVALID,
        E.DEVICE_REVOKED,
        E.DEVICE_MISMATCH,
        E.NOT_ENROLLED,
        E.TLS_ERROR,
        E.TLS_REQUIRED,
        E.FORBIDDEN,  # the console's; the sync API answers a device with the codes above
        E.ACCOUNT_DISABLED,  # logins on the device and at the console
        E.OPERATOR_NEEDS_AUTHORISATION,
        E.DECISION_OUT_OF_SCOPE,  # the console's
    }


def _codes_named(path: Path) -> list[tuple[int, str]]:
    """``(line, code)`` of every ``ApiError(...)``, ``InvalidValue(...)`` and ``_fail(...)``
    in ``path``, whose first argument must be a catalog code ``E.NAME`` or ``exc.code``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        if node.func.id not in ("ApiError", "InvalidValue", "_fail", "CliError"):
            continue
        arg = node.args[0] if node.args else None
        if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
            if arg.value.id == "E":
                found.append((node.lineno, arg.attr))
                continue
            if arg.attr == "code":  # re-printing a caught catalog error
                continue
        found.append((node.lineno, ast.unparse(arg) if arg else "<nothing>"))
    return found


@pytest.mark.parametrize("path", CLIS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_failure_a_cli_prints_is_a_catalog_code(path: Path) -> None:
    named = _codes_named(path)
    assert named, "no failures found: the scan is broken"
    unknown = [(line, name) for line, name in named if getattr(E, name, None) not in E.CATALOG]
    assert unknown == [], f"not catalog codes in {path.name}: {unknown}"
    # and every line on stderr goes through _fail (the import's warning aside)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prints = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and fn.name != "_fail":
            for node in ast.walk(fn):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "print"
                    and any(
                        k.arg == "file" and "stderr" in ast.unparse(k.value) for k in node.keywords
                    )
                ):
                    prints.append(ast.unparse(node))
    allowed = [p for p in prints if "warning:" in p or "serving on" in p]
    assert prints == allowed, prints
