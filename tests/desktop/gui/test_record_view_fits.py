"""Issue 13 #11: the record window fits a 1366x768 screen at 125 % scaling (1093x614 logical
pixels), with everything the server can say about a record shown. Run in a child process on
the offscreen platform configured as that screen (QT_SCALE_FACTOR=1.25): the test process's
own QApplication cannot change its screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

CHILD = r"""
import dataclasses, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from common.enums import Status
from common.i18n import Lang
from common.regions import regions
from common.synthetic import generate
from desktop.services.operators import Operator
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store.keys import KeySlots
from desktop.dialogs.record_view import RecordView

app = QApplication([])
store = Store.open(Path(sys.argv[1]), KeySlots.new_key())
from tests.support.enrolled import enroll_offline
enroll_offline(store)  # saving needs an enrolled device
service = RegistrationService(store, Operator("petugas", "Petugas Satu"))
a = generate(1, seed=41)[0].applicant
a["domicile_same"] = False
a.update(domicile_street="Jl. Panjang Sekali " * 5, domicile_rt="001", domicile_rw="002",
         domicile_village_code=a["village_code"], domicile_postal_code="16911")
saved = service.save(a)
assert saved.ok, saved.problems
reg = saved.registration
for i in range(2, 7):
    a["phone"] = f"08129999000{i}"
    reg = service.save(a, registration_id=reg.id).registration
state = dataclasses.replace(
    service.state(reg.id),
    review_note="Mohon periksa kembali alamat domisili dan nomor KK pendaftar. " * 6,
    reject_reason="", duplicate_of="320101-001-000042-K", conflict=True,
    conflict_detail='{"outcome": "invalid", "errors": ["NIK_FORMAT", "REQUIRED", "PHONE_INVALID"]}',
)
view = RecordView(reg, service.history(reg.id), Lang(sys.argv[2]), regions(), True, None,
                  state=state)
view.show()
app.processEvents()
screen = view.screen().availableGeometry()
frame = view.frameGeometry()
print("RESULT", screen.width(), screen.height(), frame.x(), frame.y(), frame.width(),
      frame.height(), view.minimumSizeHint().height(), flush=True)
store.close()
"""


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_record_window_fits_1366x768_at_125_percent(tmp_path: Path, lang: str) -> None:
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "counter",
                        "x": 0,
                        "y": 0,
                        "width": 1366,
                        "height": 768,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    folder = tmp_path / "desk"
    folder.mkdir()
    env = {
        **os.environ,
        "QT_SCALE_FACTOR": "1.25",
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
    }
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), lang],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    sw, sh, x, y, w, h, min_h = map(int, line.split()[1:])
    assert (sw, sh) == (1093, 614)  # 1366x768 at 125 %
    assert min_h <= sh and h <= sh and w <= sw, line
    assert x >= 0 and y >= 0 and x + w <= sw and y + h <= sh, line
