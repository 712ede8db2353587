"""Build the desktop bundle: ``dist/loket-desk/`` (program ``dist/loket-desk/loket-desk``).

    python installers/desktop/build.py [--dist DIR] [--work DIR] [--venv DIR]

1. The minimal runtime environment ``build/desk-runtime-venv``: a fresh venv with only the
   desktop's runtime dependencies (``installers/desktop/requirements.txt``) and PyInstaller
   (pyproject.toml's ``installer`` extra). Made again only when either changes (a stamp file
   holds their hash); the bundle never sees the server's packages or the test tools.
2. PyInstaller with ``installers/desktop/loket-desk.spec`` from that environment; its work
   folder (``build/pyinstaller``) is kept, so a rebuild reuses the analysis it can.
3. Checks: nothing of the server, the tests or the development tools in the environment or
   in the bundle's module archive; prints the bundle's size.

Standard library only: runs with any Python 3.11 (``make installer`` uses ``.venv``'s).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "installers" / "desktop"
REQUIREMENTS = HERE / "requirements.txt"
SPEC = HERE / "loket-desk.spec"
NAME = "loket-desk"

#: distributions that must never be in the runtime environment
FORBIDDEN_DISTRIBUTIONS = frozenset(
    {
        "flask",
        "flask-wtf",
        "werkzeug",
        "gunicorn",
        "waitress",
        "prometheus-client",
        "psycopg",
        "psycopg-binary",
        "pytest",
        "pytest-qt",
        "hypothesis",
        "playwright",
        "ruff",
        "mypy",
        "schemathesis",
        "pyside6",  # the full PySide6 (Addons): only PySide6-Essentials
        "pyside6-addons",
    }
)
#: top-level modules that must never be in the bundle's module archive
FORBIDDEN_MODULES = frozenset(
    {"syncserver", "tests", "bench", "tools", "flask", "werkzeug", "gunicorn", "waitress"}
    | {"prometheus_client", "psycopg", "pytest", "_pytest", "hypothesis", "playwright"}
)


def pyinstaller_requirement() -> str:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    (requirement,) = (r for r in extras["installer"] if r.lower().startswith("pyinstaller"))
    return str(requirement)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_runtime_venv(venv: Path) -> Path:
    """The runtime environment at ``venv``, made (again) when its inputs changed."""
    wanted = hashlib.sha256(
        REQUIREMENTS.read_bytes() + pyinstaller_requirement().encode() + sys.version.encode()
    ).hexdigest()
    stamp = venv / ".loket-stamp"
    python = venv_python(venv)
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    print(f"build: making the runtime environment {venv}", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        + ["--progress-bar", "off", "-r", str(REQUIREMENTS), pyinstaller_requirement()],
        check=True,
    )
    stamp.write_text(wanted + "\n")
    return python


def installed_distributions(python: Path) -> set[str]:
    out = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {str(d["name"]).lower().replace("_", "-") for d in json.loads(out)}


def archived_modules(work: Path) -> set[str]:
    """Top-level names of the modules in the bundle's archive (PyInstaller's PYZ table)."""
    _archive, entries = ast.literal_eval((work / NAME / "PYZ-00.toc").read_text(encoding="utf-8"))
    return {str(name).split(".")[0] for name, _src, _kind in entries}


def bundle_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path, venv: Path) -> Path:
    python = ensure_runtime_venv(venv)
    bad = installed_distributions(python) & FORBIDDEN_DISTRIBUTIONS
    if bad:
        raise SystemExit(f"build: the runtime environment has {sorted(bad)}")
    subprocess.run(
        [str(python), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
        + ["--distpath", str(dist), "--workpath", str(work), str(SPEC)],
        check=True,
        cwd=ROOT,
    )
    leaked = archived_modules(work) & FORBIDDEN_MODULES
    if leaked:
        raise SystemExit(f"build: the bundle carries {sorted(leaked)}")
    bundle = dist / NAME
    print(f"build: {bundle} ({bundle_size(bundle) / 1e6:.1f} MB)", flush=True)
    return bundle


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="installers/desktop/build.py", description=__doc__)
    ap.add_argument("--dist", type=Path, default=ROOT / "dist")
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    ap.add_argument("--venv", type=Path, default=ROOT / "build" / "desk-runtime-venv")
    args = ap.parse_args(argv)
    build(args.dist.resolve(), args.work.resolve(), args.venv.resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
