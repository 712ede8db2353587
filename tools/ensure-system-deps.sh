#!/usr/bin/env bash
# Make sure the Debian packages that Loket's tests and tools need are installed.
#
# Checks first (command -v / dpkg-query), so a machine that already has everything does no
# apt work at all. When something is missing:
#   - as root: apt-get update (once) + apt-get install -y --no-install-recommends <missing>
#   - not root: print the apt-get command to run and exit 0 (tests that need the missing
#     pieces skip themselves outside CI, and fail loudly in CI).
#
# Environment:
#   LOKET_NO_APT=1   never run apt-get, only report what is missing.
#   CHECK_ONLY=1     same as LOKET_NO_APT=1 (used by `make system-deps-check`).
set -euo pipefail

missing=()

have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}
need_pkg() { have_pkg "$1" || missing+=("$1"); }
need_cmd() { have_cmd "$1" || missing+=("$2"); }

# PostgreSQL server binaries (initdb, pg_ctl, postgres). Debian 12 ships 15.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! have_cmd initdb; then
    missing+=("postgresql-15")
fi

# A real X display for the desktop app: Xvfb, xvfb-run, xauth, xdpyinfo/xwininfo.
need_cmd Xvfb xvfb
need_cmd xvfb-run xvfb
need_cmd xauth xauth
need_cmd xdpyinfo x11-utils

# Qt (PySide6 wheels) runtime libraries for the xcb and offscreen platforms, printing, fonts.
# Found with `ldd` on PySide6's Qt*.abi3.so modules and Qt/plugins/{platforms,xcbglintegrations,
# imageformats,printsupport,...}; the ones a bare Debian 12 lacks most often are
# libxcb-icccm4, libxcb-keysyms1 and libxcb-cursor0.
if have_cmd dpkg-query; then
    for p in \
        libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 \
        libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 \
        libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxcb-glx0 libx11-6 libx11-xcb1 \
        libxkbcommon0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libfreetype6 \
        libdbus-1-3 libglib2.0-0 libcups2 fonts-dejavu-core; do
        need_pkg "$p"
    done
fi

# Browser tests: Debian's Chromium, driven by the Python playwright package.
if [ ! -x /usr/bin/chromium ]; then missing+=("chromium"); fi

# Looking at receipt PDFs: pdftoppm.
need_cmd pdftoppm poppler-utils

# The production server's reverse proxy (installers/server/nginx-loket.conf): the deployment
# tests run the server behind Debian's nginx, started by the test itself (never the service).
if [ ! -x /usr/sbin/nginx ] && ! have_cmd nginx; then missing+=("nginx"); fi
# ... and checks the systemd units with `systemd-analyze verify` (no running systemd needed).
need_cmd systemd-analyze systemd
# The desktop bundle and its .deb (make installer, tests/installers): PyInstaller strips the
# bundle's libraries with binutils' strip and reads them with ldd; dpkg-deb packs the .deb.
need_cmd strip binutils
need_cmd dpkg-deb dpkg

# de-duplicate, keep order
declare -A seen=()
uniq_missing=()
for p in "${missing[@]+"${missing[@]}"}"; do
    if [ -z "${seen[$p]+x}" ]; then seen[$p]=1; uniq_missing+=("$p"); fi
done

if [ "${#uniq_missing[@]}" -eq 0 ]; then
    echo "system-deps: all present"
    exit 0
fi

echo "system-deps: missing Debian packages: ${uniq_missing[*]}"

if [ "${LOKET_NO_APT:-0}" = "1" ] || [ "${CHECK_ONLY:-0}" = "1" ]; then
    echo "system-deps: not installing (LOKET_NO_APT/CHECK_ONLY set). To install:"
    echo "    apt-get update && apt-get install -y --no-install-recommends ${uniq_missing[*]}"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: not root, so not installing. Ask an administrator to run:"
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${uniq_missing[*]}"
    echo "system-deps: continuing; tests needing these will be skipped (or fail when CI=true)."
    exit 0
fi

if ! have_cmd apt-get; then
    echo "system-deps: no apt-get on this machine; install the packages above by hand." >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 -q)
echo "system-deps: apt-get update"
apt-get "${apt_opts[@]}" update
echo "system-deps: apt-get install ${uniq_missing[*]}"
apt-get "${apt_opts[@]}" install -y --no-install-recommends "${uniq_missing[@]}" </dev/null
echo "system-deps: installed ${uniq_missing[*]}"
