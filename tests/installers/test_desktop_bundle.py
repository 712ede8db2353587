"""The desktop bundle, its .deb and the Windows installer script (issue 18).

The bundle is built once per session (``desk_bundle``: ``installers/desktop/build.py``, the
command ``make installer`` runs, from the minimal runtime environment), and so is the .deb
(``desk_deb``), which is unpacked with ``dpkg -x`` into a clean folder (``installed``). Both
copies run ``--self-test`` under ``QT_QPA_PLATFORM=offscreen``; the installed copy enrolls with
a real ``loket-server`` and syncs a registration with the commands of docs/DEPLOYMENT.md,
"Office PC". The Windows installer cannot be built here: its script is parsed and held to
the bundle's layout.
"""

from __future__ import annotations

import ast
import configparser
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import unavailable
from tests.support.liveserver import LiveServer
from tests.support.netutil import free_port

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "installers" / "desktop" / "loket-desk.spec"
REQUIREMENTS = ROOT / "installers" / "desktop" / "requirements.txt"
ISS = ROOT / "installers" / "windows" / "loket-desk.iss"
WORKFLOW = ROOT / ".github" / "workflows" / "windows-installer.yml"
MAX_BUNDLE_BYTES = 250 * 1000 * 1000
#: the installer's identity for Windows: an upgrade is recognised by it, so it never changes
APP_ID = "{{6B0E5C2A-3F7D-4C1B-9E58-2D4A8F1C7B30}"
CHECKS = ("qt", "regions", "sqlcipher", "translations", "receipt")
PASSWORD = "rahasia-kantor-18"

pytestmark = pytest.mark.timeout(1500)  # the first test builds the bundle (minutes on 2 cores)


def _load(path: Path, name: str) -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build_desk: Any = _load(ROOT / "installers" / "desktop" / "build.py", "loket_build_desk")
build_deb: Any = _load(ROOT / "installers" / "linux" / "build_deb.py", "loket_build_deb")


def _spec_list(name: str) -> list[Any]:
    """A list literal assigned at the top of the spec (DATA, EXCLUDES, ...)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return value
    raise AssertionError(f"{name} not in {SPEC}")


def _run(
    program: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program), *args],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


# -- built once per session ------------------------------------------------------------------


@pytest.fixture(scope="session")
def desk_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dist/loket-desk/`` built by installers/desktop/build.py into a session folder (the
    runtime venv and PyInstaller's work folder under build/ are reused between runs)."""
    if shutil.which("strip") is None or shutil.which("ldd") is None:
        unavailable("binutils' strip and ldd are needed by PyInstaller (make system-deps)")
    dist = tmp_path_factory.mktemp("desk-dist")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "installers" / "desktop" / "build.py"), "--dist", str(dist)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1400,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
    print(f"bundle built in {time.monotonic() - started:.0f} s: {result.stdout.strip()[-200:]}")
    return dist / "loket-desk"


@pytest.fixture(scope="session")
def desk_deb(desk_bundle: Path) -> Path:
    if shutil.which("dpkg-deb") is None:
        unavailable("dpkg-deb not found (apt-get install dpkg)")
    result = subprocess.run(
        [sys.executable, str(ROOT / "installers" / "linux" / "build_deb.py")]
        + ["--bundle", str(desk_bundle), "--out", str(desk_bundle.parent)]
        + ["--work", str(desk_bundle.parent / "work")],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    deb = desk_bundle.parent / build_deb.deb_name()
    assert deb.is_file()
    return deb


@pytest.fixture(scope="session")
def installed(desk_deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb unpacked with ``dpkg -x`` into a clean folder (what dpkg -i puts in /)."""
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg", "-x", str(desk_deb), str(root)], check=True, timeout=300)
    return root


# -- without a build -------------------------------------------------------------------------


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_runtime_requirements_are_pyprojects_desktop_ones() -> None:
    """installers/desktop/requirements.txt repeats pyproject's lines, and holds nothing of the
    server, the tests or the tools; everything desktop/ and common/ import is in it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pyproject = {_name(r): r.split(";")[0].strip() for r in project["dependencies"]}
    lines = [
        line.strip()
        for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    names = {_name(line) for line in lines}
    for line in lines:
        assert pyproject.get(_name(line)) == line, f"{line!r} differs from pyproject.toml"
    assert not names & build_desk.FORBIDDEN_DISTRIBUTIONS
    assert "pyside6-essentials" in names
    # the third-party modules desktop/ and common/ import, by the distribution that has them
    provides = {
        "PySide6": "pyside6-essentials",
        "shiboken6": "pyside6-essentials",
        "sqlalchemy": "sqlalchemy",
        "alembic": "alembic",
        "requests": "requests",
        "urllib3": "requests",
        "zstandard": "zstandard",
        "orjson": "orjson",
        "platformdirs": "platformdirs",
        "segno": "segno",
        "argon2": "argon2-cffi",
        "sqlcipher3": "sqlcipher3",
        "cryptography": "cryptography",
        "keyring": "keyring",
    }
    imported: set[str] = set()
    for folder in ("common", "desktop"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"common", "desktop"}
    unknown = third_party - set(provides)
    assert not unknown, f"imported by the desktop but not in its runtime requirements: {unknown}"
    assert {provides[m] for m in third_party} <= names


def test_data_files_are_found_through_one_helper_and_listed_in_the_spec() -> None:
    """No module but common/assets.py locates files by ``__file__`` or importlib.resources;
    every data file the desktop reads (the names in common/assets.py, the migration scripts,
    the compiled translations, the region data's licence) is in the spec's DATA."""
    for folder in ("common", "desktop"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "common" / "assets.py":
                continue
            text = path.read_text(encoding="utf-8")
            assert "__file__" not in text, path
            assert "importlib.resources" not in text and "from importlib import resources" not in (
                text
            ), path
    data = _spec_list("DATA")
    listed = {str(src) for src, _dest in data}
    for src, dest in data:
        assert (ROOT / str(src)).is_file(), src
        assert str(dest) == (str(Path(str(src)).parent) if "/" in str(src) else "."), src
    from common import assets

    named = [getattr(assets, n) for n in dir(assets) if n.isupper()]
    assert named
    for relative in named:
        path = ROOT / relative
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        files = [p for p in files if "__pycache__" not in p.parts and p.suffix not in (".ts",)]
        files = [p for p in files if p.name != "__init__.py"]
        assert files, relative
        for file in files:
            assert file.relative_to(ROOT).as_posix() in listed, f"{file} not in the spec's DATA"
    for extra in ("common/data/regions-LICENSE.md", "common/data/regions-SOURCE.md", "LICENSE"):
        assert extra in listed
    assert assets.asset(assets.REGIONS).is_file()


def test_self_test_from_source_names_a_failing_check() -> None:
    port = free_port()  # nothing listens there
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--self-test", "--server", f"http://127.0.0.1:{port}"],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for check in CHECKS:
        assert any(line.startswith(f"ok   {check}: ") for line in lines), result.stdout
    assert any(line.startswith("FAIL server: ") for line in lines), result.stdout
    assert lines[-1] == "self-test FAILED: server"


def test_server_option_belongs_to_the_self_test() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--server", "http://127.0.0.1:1", "status"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--self-test" in result.stderr


# -- the bundle ------------------------------------------------------------------------------


def test_bundle_is_minimal_small_and_laid_out(desk_bundle: Path) -> None:
    size = build_desk.bundle_size(desk_bundle)
    print(f"bundle size: {size / 1e6:.1f} MB")
    assert size < MAX_BUNDLE_BYTES, f"bundle is {size / 1e6:.1f} MB"
    assert sorted(p.name for p in desk_bundle.iterdir()) == ["_internal", "loket-desk"]
    assert os.access(desk_bundle / "loket-desk", os.X_OK)
    internal = desk_bundle / "_internal"
    for src, dest in _spec_list("DATA"):
        assert (internal / str(dest) / Path(str(src)).name).is_file(), src
    venv = ROOT / "build" / "desk-runtime-venv"
    installed = build_desk.installed_distributions(build_desk.venv_python(venv))
    assert "pyside6-essentials" in installed and "pyinstaller" in installed
    assert not installed & build_desk.FORBIDDEN_DISTRIBUTIONS
    modules = build_desk.archived_modules(ROOT / "build" / "pyinstaller")
    assert {"desktop", "common", "PySide6", "sqlcipher3"} <= modules
    assert not modules & build_desk.FORBIDDEN_MODULES
    for folder in ("flask", "syncserver", "pytest", "_pytest", "gunicorn", "psycopg"):
        assert not (internal / folder).exists(), folder

    # each runtime dependency's licence files travel with it (PySide6 publishes none: its
    # LGPLv3 is named in THIRD_PARTY_NOTICES.md, which is in the bundle)
    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    licensed = {norm(p.name) for p in (internal / "licenses").iterdir() if any(p.iterdir())}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and _name(line) != "pyside6-essentials":
            assert norm(_name(line)) in licensed, f"no licence file of {_name(line)}"
    assert not licensed & {"pip", "setuptools", "pyinstaller"}
    plugins = internal / "PySide6" / "Qt" / "plugins" / "platforms"
    assert sorted(p.name for p in plugins.iterdir()) == ["libqoffscreen.so", "libqxcb.so"]
    assert not list(internal.glob("libgtk-3*")), "the GTK theme plugin's libraries are bundled"


def test_bundle_self_test_passes(desk_bundle: Path) -> None:
    result = _run(desk_bundle / "loket-desk", "--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for check in CHECKS:
        assert any(line.startswith(f"ok   {check}: ") for line in lines), result.stdout
    assert lines[-1] == f"self-test passed ({len(CHECKS)} checks)"


def test_bundle_opens_the_login_window_on_a_real_display(
    desk_bundle: Path, xvfb: str, tmp_path: Path
) -> None:
    """The xcb platform plugin and its libraries work from the bundle (a real X server)."""
    result = _run(
        desk_bundle / "loket-desk",
        "--data-dir",
        str(tmp_path / "desk"),
        env={"QT_QPA_PLATFORM": "xcb", "DISPLAY": xvfb, "LOKET_DESK_EXIT_AFTER_SHOW": "1"},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert any(line.startswith("LOKET_LOGIN_SHOWN ") for line in result.stdout.splitlines())


def test_bundle_takes_from_the_system_only_what_the_deb_depends_on(desk_bundle: Path) -> None:
    """ldd over every library of the bundle: what resolves outside it comes from a package of
    the .deb's Depends (or one of their own dependencies)."""
    if shutil.which("dpkg-query") is None:
        unavailable("dpkg-query not found")
    internal = desk_bundle / "_internal"
    search = f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}"
    outside: set[str] = set()
    elves = [desk_bundle / "loket-desk"] + [
        p for p in internal.rglob("*.so*") if p.is_file() and not p.is_symlink()
    ]
    for elf in elves:
        out = subprocess.run(
            ["ldd", str(elf)],
            env={**os.environ, "LD_LIBRARY_PATH": search},
            capture_output=True,
            text=True,
        ).stdout
        for line in out.splitlines():
            assert "not found" not in line, f"{elf.name}: {line.strip()}"
            if "=>" in line:
                target = line.split("=>", 1)[1].split("(")[0].strip()
                if target and not target.startswith(str(desk_bundle)):
                    outside.add(target)
    declared = {d.split()[0] for d in build_deb.DEPENDS}
    allowed = set(declared)
    for package in declared:
        depends = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Depends},${Pre-Depends}", package],
            capture_output=True,
            text=True,
        ).stdout
        allowed |= {
            d.strip().split()[0].split(":")[0] for d in re.split(r"[,|]", depends) if d.strip()
        }
    for library in sorted(outside):
        # usrmerge: /lib is /usr/lib, and dpkg knows a file by the name its package used
        paths = {library, os.path.realpath(library)}
        candidates = paths | {
            p.replace("/usr/lib/", "/lib/", 1) if p.startswith("/usr/") else "/usr" + p
            for p in paths
        }
        owners = set()
        for candidate in candidates:
            found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if found.returncode == 0:
                owners |= {line.split(":")[0] for line in found.stdout.splitlines()}
        assert owners, f"{library} belongs to no package"
        assert owners & allowed, f"{library} ({owners}) is not in the .deb's Depends"


# -- the .deb --------------------------------------------------------------------------------


class _CaseKeeping(configparser.ConfigParser):
    """A desktop entry's keys are case-sensitive (``Name``, ``Name[id]``)."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


def test_deb_control_and_files(desk_deb: Path, installed: Path) -> None:
    def field(name: str) -> str:
        return subprocess.run(
            ["dpkg-deb", "-f", str(desk_deb), name], capture_output=True, text=True, check=True
        ).stdout.strip()

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    assert desk_deb.name == f"loket-desk_{version}_amd64.deb"
    assert field("Package") == "loket-desk" and field("Version") == version
    assert field("Architecture") == "amd64"
    depends = field("Depends")
    for package in ("libgl1", "libxcb1", "fonts-dejavu-core"):
        assert package in depends
    # the glibc the bundle needs: no ELF file in it imports a newer symbol version than stated
    floor = re.search(r"libc6 \(>= (\d+)\.(\d+)\)", depends)
    assert floor is not None, depends
    stated = (int(floor.group(1)), int(floor.group(2)))
    program_dir = installed / "opt" / "loket-desk"
    for elf in [program_dir / "loket-desk", *program_dir.rglob("*.so*")]:
        if elf.is_symlink():
            continue
        symbols = subprocess.run(["objdump", "-T", str(elf)], capture_output=True, text=True)
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", symbols.stdout):
            assert (int(major), int(minor)) <= stated, f"{elf.name} needs glibc {major}.{minor}"
    program = installed / "opt" / "loket-desk" / "loket-desk"
    assert os.access(program, os.X_OK)
    wrapper = (installed / "usr" / "bin" / "loket-desk").read_text()
    assert 'exec /opt/loket-desk/loket-desk "$@"' in wrapper
    entry = _CaseKeeping(interpolation=None)
    entry.read(installed / "usr/share/applications/loket-desk.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Exec"] == "/usr/bin/loket-desk"
    assert desktop["Icon"] == "loket-desk" and desktop["Terminal"] == "false"
    if shutil.which("desktop-file-validate"):
        subprocess.run(
            ["desktop-file-validate", str(installed / "usr/share/applications/loket-desk.desktop")],
            check=True,
        )
    # the scheduled headless sync (docs/DEPLOYMENT.md): user units, enabled by no one but the user
    units = installed / "usr/lib/systemd/user"
    service = _CaseKeeping(interpolation=None)
    service.read(units / "loket-desk-sync.service", encoding="utf-8")
    command = service["Service"]["ExecStart"].split()
    assert command == ["/usr/bin/loket-desk", "sync"] and service["Service"]["Type"] == "oneshot"
    assert (installed / command[0].lstrip("/")).is_file()
    assert set(service["Service"]["SuccessExitStatus"].split()) == {"2", "4"}
    timer = _CaseKeeping(interpolation=None)
    timer.read(units / "loket-desk-sync.timer", encoding="utf-8")
    assert timer["Timer"]["OnUnitActiveSec"] and timer["Install"]["WantedBy"] == "timers.target"
    assert not list(installed.glob("etc/systemd/**/*.timer")), "the package must not enable it"
    hicolor = installed / "usr/share/icons/hicolor"
    assert (hicolor / "scalable/apps/loket-desk.svg").read_text().lstrip().startswith("<?xml")
    assert (hicolor / "256x256/apps/loket-desk.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # nothing of a user's data in the package, and the maintainer script never removes any
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(desk_deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "home" not in {line.split()[-1].split("/")[1] for line in listing.splitlines()}
    control = subprocess.run(
        ["dpkg-deb", "-I", str(desk_deb), "postrm"], capture_output=True, text=True, check=True
    ).stdout
    assert "rm " not in control and ".local/share/Loket" in control
    assert not installed.joinpath("DEBIAN").exists()


def test_installed_copy_self_test_passes(installed: Path) -> None:
    result = _run(installed / "opt" / "loket-desk" / "loket-desk", "--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == f"self-test passed ({len(CHECKS)} checks)"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "server").start()
    yield live
    live.stop()
    print(live.log_path.read_text(errors="replace")[-4000:])


def test_installed_copy_enrolls_and_syncs_a_registration(
    installed: Path, server: LiveServer, tmp_path: Path
) -> None:
    """The commands of docs/DEPLOYMENT.md, "Office PC", on the unpacked package and a real
    server: first operator, enroll, one registration (a paper form's CSV row), sync."""
    from common.csvformat import COLUMNS, to_row
    from common.synthetic import Generator

    program = installed / "opt" / "loket-desk" / "loket-desk"
    data = tmp_path / "office-pc"
    env = {"LOKET_PASSWORD": PASSWORD, "LOKET_NEW_PASSWORD": PASSWORD}

    def desk(*args: str) -> subprocess.CompletedProcess[str]:
        result = _run(program, "--data-dir", str(data), *args, env=env)
        assert result.returncode == 0, (
            f"loket-desk {' '.join(args)}:\n{result.stdout}{result.stderr}"
        )
        return result

    assert (
        "operator petugas created"
        in desk("add-operator", "petugas", "--full-name", "Petugas Loket").stdout
    )
    code = server.office_and_code()
    enrolled = desk("enroll", "--server", server.url, "--code", code, "--operator", "petugas")
    assert "office 320101" in enrolled.stdout
    applicant = Generator(seed=1818).applicant()
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerow(to_row(applicant))
    form = tmp_path / "form.csv"
    form.write_text(text.getvalue(), encoding="utf-8")
    imported = desk("import", str(form), "--operator", "petugas")
    assert "imported: " in imported.stdout
    synced = desk("sync", "--operator", "petugas")
    assert "push: 1/1" in synced.stdout and "0 still pending" in synced.stdout, synced.stdout

    from sqlalchemy import text as sql

    from syncserver.db import make_engine

    engine = make_engine(f"sqlite:///{server.data_dir / 'loket-server.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sql("SELECT office_code FROM registrations WHERE nik = :nik"),
                {"nik": applicant["nik"]},
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [("320101",)]


# -- the Windows installer (built by .github/workflows/windows-installer.yml) ------------------


def _iss_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for raw in ISS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("#"):
            continue
        match = re.fullmatch(r"\[(\w+)\]", line)
        if match:
            current = match.group(1)
            assert current not in sections, f"[{current}] twice"
            sections[current] = []
            continue
        assert current is not None, f"{line!r} before any section"
        sections[current].append(line)
    return sections


def _entry(line: str) -> dict[str, str]:
    """``Source: "x"; DestDir: "{app}"; Flags: a b`` as a dict."""
    parts = re.findall(r'(\w+):\s*("(?:[^"]|"")*"|[^;]+)', line)
    assert parts, line
    return {k: v.strip().strip('"') for k, v in parts}


def test_inno_setup_script_parses_and_matches_the_bundle(desk_bundle: Path) -> None:
    sections = _iss_sections()
    for name in ("Setup", "Languages", "Files", "Icons", "Run", "UninstallDelete"):
        assert name in sections, name
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert setup["AppId"] == APP_ID  # never changes: how Windows recognises an upgrade
    for key in (
        "AppName",
        "AppVersion",
        "DefaultDirName",
        "OutputBaseFilename",
        "UninstallDisplayIcon",
    ):
        assert setup.get(key), key
    assert setup["PrivilegesRequired"] == "lowest"  # per user: a clerk installs without admin
    assert setup["DefaultDirName"] == r"{autopf}\Loket"
    assert (ISS.parent / setup["SetupIconFile"].replace("\\", "/")).is_file()
    languages = [_entry(line) for line in sections["Languages"]]
    assert languages[0]["Name"] == "id"  # Indonesian first: the setup's default language

    files = [_entry(line) for line in sections["Files"]]
    bundle_prefix = "{#Bundle}\\"
    sources = {f["Source"].removeprefix(bundle_prefix) for f in files}
    # the Windows bundle is the Linux one with .exe programs, plus the console program
    exes = re.findall(r'name="([\w-]+)"', SPEC.read_text(encoding="utf-8"))
    assert sorted(set(exes) - {"loket-desk"}) == ["loket-desk-cli"]
    expected = {f"{n}.exe" for n in exes} | {
        f"{p.name}\\*" for p in desk_bundle.iterdir() if p.is_dir()
    }
    assert {p.name for p in desk_bundle.iterdir() if p.is_file()} == {"loket-desk"}
    assert sources == expected
    for f in files:
        assert f["DestDir"].startswith("{app}")
        if f["Source"].endswith("\\*"):
            assert "recursesubdirs" in f["Flags"].split()
    installed_names = {f"{n}.exe" for n in exes}
    for icon in (_entry(line) for line in sections["Icons"]):
        target = icon["Filename"]
        assert target == "{uninstallexe}" or target.removeprefix("{app}\\") in installed_names
    # the data folder (%LOCALAPPDATA%\Kemnaker\Loket) is never named: upgrades and uninstalls keep it
    for name in ("UninstallDelete", "InstallDelete"):
        for line in sections.get(name, []):
            assert _entry(line)["Name"].startswith("{app}\\"), line
    text = ISS.read_text(encoding="utf-8")
    assert "signtool sign" in text and "Kemnaker" in text


def test_windows_workflow_builds_installs_and_self_tests() -> None:
    import yaml

    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    (job,) = flow["jobs"].values()
    assert job["runs-on"].startswith("windows")
    script = "\n".join(str(step.get("run", "")) for step in job["steps"])
    assert "python installers/desktop/build.py" in script
    assert "iscc.exe" in script and "installers\\windows\\loket-desk.iss" in script
    assert script.count("--self-test") >= 2  # the bundle, then the installed copy
    assert "unins000.exe" in script and "keyslots.json" in script
