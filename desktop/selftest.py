"""``loket-desk --self-test [--server URL]``: does this installed copy work?

Each check runs the real code on real files in a temporary folder (nothing touches the data
folder) and prints one line, ``ok   NAME: what was seen`` or ``FAIL NAME: why``:

- ``qt``: a QApplication starts on the offscreen platform and shows a window;
- ``regions``: the region data (common/data, ODbL) loads and a known village is found;
- ``sqlcipher``: a first operator creates an encrypted database (migrations included), a
  setting is written, the store is closed, and the operator's password opens it again;
- ``translations``: the Indonesian and English ``.qm`` files load and translate;
- ``receipt``: a registration saved in a fresh store renders as a receipt PDF;
- ``server`` (only with ``--server URL``): ``URL/readyz`` answers 200.

Exit status 0 when every check passed, 1 otherwise (the last line names the failed checks).
Works from a source checkout and inside the bundle (installers/desktop/).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1

_KNOWN_VILLAGE = "32.01.01.1001"  # a village of Kab. Bogor, Jawa Barat
_SETTING = "selftest/marker"


def _qt() -> str:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the check is that Qt starts headless
    from PySide6.QtCore import qVersion
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(["loket-desk"])
    label = QLabel("Loket")
    label.show()
    app.processEvents()
    shown = label.isVisible()
    label.close()
    platform = QApplication.platformName()
    if platform != "offscreen" or not shown:
        raise RuntimeError(f"platform {platform!r}, window shown: {shown}")
    return f"Qt {qVersion()} on the {platform} platform, a window shown"


def _regions() -> str:
    from common.assets import REGIONS, asset
    from common.regions import Level, load

    areas = load()
    village = areas.get(_KNOWN_VILLAGE)
    if village is None:
        raise RuntimeError(f"village {_KNOWN_VILLAGE} not found in {asset(REGIONS)}")
    villages = areas.count(Level.VILLAGE)
    return f"{villages:,} villages from {asset(REGIONS).name}; {_KNOWN_VILLAGE} is {village.name}"


def _sqlcipher(work: Path) -> str:
    from desktop.services.operators import create_first_operator, unlock
    from desktop.store.store import head_revision, is_plaintext

    folder = work / "store"
    password = secrets.token_urlsafe(16)
    marker = secrets.token_hex(8)
    store, _ = create_first_operator(folder, "selftest", password, "Self Test")
    try:
        store.set_setting(_SETTING, marker)
        path = store.path
    finally:
        store.close()
    if is_plaintext(path):
        raise RuntimeError(f"{path.name} is not encrypted")
    store, _ = unlock(folder, "selftest", password)
    try:
        seen = store.get_setting(_SETTING)
        revision = store.schema_revision()
        integrity = store.integrity_check()
    finally:
        store.close()
    if seen != marker:
        raise RuntimeError(f"reopened store reads {seen!r}, wrote {marker!r}")
    if revision != head_revision() or integrity != "ok":
        raise RuntimeError(f"schema {revision} (head {head_revision()}), integrity {integrity}")
    return f"created, written, reopened (schema {revision}, integrity ok)"


def _translations() -> str:
    from PySide6.QtCore import QCoreApplication, QTranslator

    from desktop.i18n import qm_path

    app = QCoreApplication.instance()
    seen = []
    for lang, expected in (("id", "Tutup"), ("en", "Close")):
        translator = QTranslator(app)
        if not translator.load(str(qm_path(lang))):
            raise RuntimeError(f"{qm_path(lang)} does not load")
        words = translator.translate("AboutDialog", "Close")
        if words != expected:
            raise RuntimeError(f"{qm_path(lang).name}: 'Close' is {words!r}, not {expected!r}")
        seen.append(f"{qm_path(lang).name} ('Close' -> {words!r})")
    return ", ".join(seen)


def _receipt(work: Path) -> str:
    from common.synthetic import Generator
    from desktop.services.device import set_local_identity
    from desktop.services.operators import Operator
    from desktop.services.receipt import render_receipt_pdf
    from desktop.services.registrations import RegistrationService
    from desktop.store import Store
    from desktop.store.keys import KeySlots

    operator = Operator("selftest", "Self Test")
    store = Store.open(work / "receipt", KeySlots.new_key())
    try:
        set_local_identity(store, "320101", 1, "Self-test office")
        store.set_setting("enrolled", True)  # saving needs an enrolled device; no server here
        registration = (
            RegistrationService(store, operator).save(Generator(seed=18).applicant()).registration
        )
        if registration is None:
            raise RuntimeError("the registration was not saved")
        pdf = render_receipt_pdf(registration, "Self-test office", operator)
    finally:
        store.close()
    if not (pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:] and len(pdf) > 2000):
        raise RuntimeError(f"not a complete PDF ({len(pdf)} bytes)")
    return f"registration {registration.code} rendered as a {len(pdf):,}-byte PDF"


def _server(url: str) -> str:
    import requests

    target = url.rstrip("/") + "/readyz"
    started = time.monotonic()
    answer = requests.get(target, timeout=10)
    if answer.status_code != 200:
        raise RuntimeError(f"{target} answered {answer.status_code}")
    return f"{target} answered 200 in {(time.monotonic() - started) * 1000:.0f} ms"


def run(server: str | None = None, out: Any = None) -> int:
    """Run every check, print one line each, return the exit status."""
    out = out or sys.stdout
    work = Path(tempfile.mkdtemp(prefix="loket-selftest-"))
    checks: list[tuple[str, Callable[[], str]]] = [
        ("qt", _qt),
        ("regions", _regions),
        ("sqlcipher", lambda: _sqlcipher(work)),
        ("translations", _translations),
        ("receipt", lambda: _receipt(work)),
    ]
    if server:
        checks.append(("server", lambda: _server(server)))
    failed = []
    try:
        for name, check in checks:
            try:
                detail = check()
            except Exception as exc:  # a failed check is reported, and the others still run
                failed.append(name)
                print(f"FAIL {name}: {type(exc).__name__}: {exc}", file=out, flush=True)
            else:
                print(f"ok   {name}: {detail}", file=out, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        print(f"self-test FAILED: {', '.join(failed)}", file=out, flush=True)
        return EXIT_FAILED
    print(f"self-test passed ({len(checks)} checks)", file=out, flush=True)
    return EXIT_OK
