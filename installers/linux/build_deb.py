"""Package the desktop bundle as ``dist/loket-desk_<version>_amd64.deb`` with ``dpkg-deb``.

    python installers/linux/build_deb.py [--bundle dist/loket-desk] [--out DIR]

The bundle (``installers/desktop/build.py``) goes to ``/opt/loket-desk/``;
``/usr/bin/loket-desk`` is a small wrapper that runs it; a desktop entry and the icon (hicolor,
SVG and 256 px PNG) put Loket in the applications menu. The version is pyproject.toml's;
``Depends`` names what the bundle takes from the system (``DEPENDS`` below; the test checks it
needs nothing else). The package holds no user data: each user's data folder
(``~/.local/share/Loket``) is made by the program and kept across upgrades and removals (see
``postrm``). Files are owned by root (``--root-owner-group``), no fakeroot needed. Compressed
with gzip, which every dpkg reads and which packs the bundle in seconds (xz took minutes here).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "installers" / "linux"
ICONS = ROOT / "installers" / "icons"
PACKAGE = "loket-desk"

#: Debian packages of what the bundle takes from the system. PyInstaller bundles Qt's X11 stack
#: (libxcb-cursor, -icccm, -image, -keysyms, libxkbcommon-x11, libX11, fontconfig, freetype,
#: dbus, cups: see dist/loket-desk/_internal) and leaves out on purpose glibc, libGL/libEGL
#: (they must match the machine's drivers) and libxcb itself; the bundled fontconfig and
#: xkbcommon read the system's configuration and keyboard maps, and the receipt is set in
#: DejaVu. tests/installers/test_desktop_bundle.py checks with ldd that every library the
#: bundle loads from the system comes from one of these (or what they depend on).
DEPENDS = (
    "libc6",  # (>= the newest GLIBC_ symbol version the bundle uses: glibc_needed)
    "libgl1",
    "libegl1",
    "libxcb1",
    "fontconfig-config",
    "xkb-data",
    "fonts-dejavu-core",
)


def version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def deb_name(ver: str | None = None) -> str:
    return f"{PACKAGE}_{ver or version()}_amd64.deb"


def glibc_needed(bundle: Path) -> str:
    """The newest ``GLIBC_x.y`` symbol version any program or library of the bundle imports
    (``objdump -T``): the bundle runs on that glibc or a newer one, never an older one (a
    bundle built on Debian 12 needs 2.36: Debian 12, Ubuntu 24.04 and newer)."""
    newest = (2, 17)
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        with path.open("rb") as fh:
            if fh.read(4) != b"\x7fELF":
                continue
        out = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True).stdout
        for found in re.findall(r"GLIBC_(\d+)\.(\d+)", out):
            newest = max(newest, (int(found[0]), int(found[1])))
    return f"{newest[0]}.{newest[1]}"


def _copy(src: Path, dest: Path, mode: int = 0o644) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    os.chmod(dest, mode)


def stage(bundle: Path, root: Path) -> Path:
    """The package's file tree in ``root`` (made afresh)."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "DEBIAN").mkdir(parents=True)
    shutil.copytree(bundle, root / "opt" / PACKAGE, symlinks=True)
    _copy(HERE / "loket-desk.sh", root / "usr" / "bin" / PACKAGE, 0o755)
    _copy(HERE / "loket-desk.desktop", root / "usr/share/applications/loket-desk.desktop")
    units = root / "usr/lib/systemd/user"  # a scheduled headless sync, off until a user enables it
    for unit in ("loket-desk-sync.service", "loket-desk-sync.timer"):
        _copy(HERE / unit, units / unit)
    hicolor = root / "usr/share/icons/hicolor"
    _copy(ICONS / "loket-desk.svg", hicolor / "scalable/apps/loket-desk.svg")
    _copy(ICONS / "loket-desk.png", hicolor / "256x256/apps/loket-desk.png")
    doc = root / "usr/share/doc" / PACKAGE
    _copy(ROOT / "LICENSE", doc / "copyright")
    _copy(ROOT / "common/data/regions-LICENSE.md", doc / "regions-LICENSE.md")
    for path in root.rglob("*"):  # group and others read, nothing writable but by root
        if not path.is_symlink():
            mode = path.stat().st_mode & 0o777
            path.chmod((mode | 0o444 | (0o111 if mode & 0o100 or path.is_dir() else 0)) & ~0o022)
    size_kib = sum(p.lstat().st_size for p in root.rglob("*")) // 1024 + 1
    control = (HERE / "control.in").read_text(encoding="utf-8")
    control = control.replace("@VERSION@", version()).replace("@INSTALLED_SIZE@", str(size_kib))
    depends = [f"libc6 (>= {glibc_needed(bundle)})" if d == "libc6" else d for d in DEPENDS]
    control = control.replace("@DEPENDS@", ", ".join(depends))
    (root / "DEBIAN" / "control").write_text(control, encoding="utf-8")
    _copy(HERE / "postrm", root / "DEBIAN" / "postrm", 0o755)
    return root


def build(bundle: Path, out: Path, work: Path) -> Path:
    if not (bundle / PACKAGE).is_file():
        raise SystemExit(f"build_deb: no bundle at {bundle} (run installers/desktop/build.py)")
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("build_deb: dpkg-deb not found (apt-get install dpkg)")
    root = stage(bundle, work / f"{PACKAGE}-deb")
    out.mkdir(parents=True, exist_ok=True)
    target = out / deb_name()
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(root, ignore_errors=True)
    print(f"build_deb: {target} ({target.stat().st_size / 1e6:.1f} MB)", flush=True)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="installers/linux/build_deb.py", description=__doc__)
    ap.add_argument("--bundle", type=Path, default=ROOT / "dist" / PACKAGE)
    ap.add_argument("--out", type=Path, default=ROOT / "dist")
    ap.add_argument("--work", type=Path, default=ROOT / "build")
    args = ap.parse_args(argv if argv is not None else sys.argv[1:])
    build(args.bundle.resolve(), args.out.resolve(), args.work.resolve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
