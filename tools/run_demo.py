#!/usr/bin/env python3
"""Start a local Loket demo: the sync server on an embedded SQLite database, and the desktop app.

    .venv/bin/python tools/run_demo.py            # what `make run` does
    .venv/bin/python tools/run_demo.py --no-desktop --port 8471

- Server: ``.venv/bin/loket-server --data-dir .demo/server run --host 127.0.0.1 --port 8470``;
  the review console is then at http://127.0.0.1:8470/console/.
- Desktop: ``.venv/bin/loket-desk --data-dir .demo/desk`` with LOKET_SERVER_URL pointing at the
  server (and ``--server URL`` when the app's --help lists that option). It needs a display:
  without $DISPLAY the server keeps running and the exact ``xvfb-run`` command to start the
  desktop anyway is printed.
- Ctrl+C (or either program exiting) stops both cleanly: SIGTERM, then SIGKILL after 10 s.

The first start seeds the demo (tools/demo_seed.py): a demo office, a console admin and a
desktop operator with generated passwords (printed at every start and kept in
``.demo/credentials.json``), the desktop enrolled with the local server, and synthetic
registrations already synced, so the whole journey is visible within a minute. The demo's data
lives in ``.demo/`` (ignored by git) and survives restarts; delete the folder to start over.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def say(msg: str) -> None:
    print(f"[run_demo] {msg}", flush=True)


def tool(name: str) -> Path | None:
    path = VENV_BIN / name
    return path if path.exists() and os.access(path, os.X_OK) else None


def probe(cmd: list[str]) -> tuple[bool, str]:
    """Run ``cmd --help``: (works, output). A missing package shows up here as an ImportError."""
    try:
        res = subprocess.run(
            [*cmd, "--help"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return res.returncode == 0, (res.stdout + res.stderr).strip()


def last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "(no output)"


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def wait_for_port(host: str, port: int, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if port_in_use(host, port):
            return True
        time.sleep(0.2)
    return False


def stop(name: str, proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    say(f"stopping {name} (pid {proc.pid})")
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # its own process group: gunicorn workers too
    except ProcessLookupError:
        return
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        say(f"{name} did not stop in 10 s, killing it")
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8470)
    ap.add_argument("--data-dir", default=".demo", help="demo data folder (default: .demo)")
    ap.add_argument("--no-desktop", action="store_true", help="start only the server")
    ns = ap.parse_args()

    data = (ROOT / ns.data_dir).resolve()
    server_dir, desk_dir = data / "server", data / "desk"
    url = f"http://{ns.host}:{ns.port}/"
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    missing: list[str] = []

    # -- server -------------------------------------------------------------------------
    server_exe = tool("loket-server")
    server_cmd: list[str] = []
    if server_exe is None:
        missing.append("loket-server is not installed in .venv (run `make venv`)")
    else:
        ok, out = probe([str(server_exe)])
        if not ok:
            missing.append(f"the sync server does not run yet: {last_line(out)}")
        else:
            server_cmd = [
                str(server_exe),
                "--data-dir",
                str(server_dir),
                "run",
                "--host",
                ns.host,
                "--port",
                str(ns.port),
            ]
    if server_cmd:
        if port_in_use(ns.host, ns.port):
            say(f"port {ns.port} on {ns.host} is already in use: is a demo already running?")
            say("stop it, or pick another port: make run RUN_ARGS='--port 8471'")
            return 1
        server_dir.mkdir(parents=True, exist_ok=True)
        say("starting the sync server: " + shlex.join(server_cmd))
        proc = subprocess.Popen(
            server_cmd, cwd=ROOT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        procs.append(("sync server", proc))
        if wait_for_port(ns.host, ns.port, proc, timeout=60):
            say(f"sync server is up: pid {proc.pid}, data in {server_dir}")
            say(f"review console: {url}console/")
            try:
                from demo_seed import seed  # tools/ is on sys.path when this script runs

                creds = seed(data, url.rstrip("/"), say)
                say(
                    f"console admin:    user {creds['admin_user']!r}, password {creds['admin_password']!r}"
                )
                say(
                    f"desktop operator: user {creds['operator_user']!r}, password {creds['operator_password']!r}"
                )
            except Exception as exc:  # the demo still runs; say what failed
                say(f"seeding the demo failed: {exc!r}")
        else:
            code = proc.poll()
            say(f"the sync server did not come up on {ns.host}:{ns.port} (exit code {code})")
            for name, p in procs:
                stop(name, p)
            return 1

    # -- desktop ------------------------------------------------------------------------
    desk_exe = tool("loket-desk")
    desk_cmd: list[str] = []
    desk_env = {**os.environ, "LOKET_SERVER_URL": url}
    if desk_exe is None:
        missing.append("loket-desk is not installed in .venv (run `make venv`)")
    else:
        ok, out = probe([str(desk_exe)])
        if not ok:
            missing.append(f"the desktop app does not run yet: {last_line(out)}")
        else:
            desk_cmd = [str(desk_exe), "--data-dir", str(desk_dir)]
    if desk_cmd and not ns.no_desktop:
        desk_dir.mkdir(parents=True, exist_ok=True)
        if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            desk_env.pop("QT_QPA_PLATFORM", None)  # a real window, not offscreen
            say("starting the desktop app: " + shlex.join(desk_cmd))
            proc = subprocess.Popen(
                desk_cmd, cwd=ROOT, env=desk_env, stdin=subprocess.DEVNULL, start_new_session=True
            )
            procs.append(("desktop app", proc))
        else:
            xvfb_cmd = [
                "xvfb-run",
                "-a",
                "-s",
                "-screen 0 1280x800x24",
                "env",
                "QT_QPA_PLATFORM=xcb",
                f"LOKET_SERVER_URL={url}",
                *desk_cmd,
            ]
            say("no DISPLAY: the desktop app needs a display, so it was not started.")
            say("to start it anyway on a virtual display, run in another terminal:")
            print("    cd " + shlex.quote(str(ROOT)) + " && " + shlex.join(xvfb_cmd), flush=True)

    for item in missing:
        say("missing: " + item)
    if not procs:
        say("nothing could be started yet (see above); nothing is running.")
        return 1

    say("running; press Ctrl+C to stop " + " and ".join(name for name, _ in procs) + ".")
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    exit_code = 0
    try:
        while not stopping:
            for name, proc in procs:
                code = proc.poll()
                if code is not None:
                    say(f"{name} exited with code {code}; stopping the rest")
                    exit_code = 0 if code == 0 else 1
                    stopping = True
                    break
            else:
                time.sleep(0.3)
    finally:
        for name, proc in reversed(procs):
            stop(name, proc)
    say("stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
