"""A clerk saving registrations as fast as the store allows, in a process of its own, for the
kill-during-save scenario:

    python -m tests.faults.save_runner DATA_DIR SEED

Every save that returned (the form would show "Tersimpan") prints ``saved <id> <revision>``;
every fourth save is an edit of an earlier record (a new revision). Runs until killed.
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

from common.synthetic import Generator
from desktop.services.operators import Operator
from desktop.services.registrations import RegistrationService
from tests.faults.harness import open_store
from tests.support.enrolled import enroll_offline


def main(argv: list[str]) -> int:
    data_dir, seed = Path(argv[0]), int(argv[1])
    store = open_store(data_dir)
    enroll_offline(store)  # saving needs an enrolled device (issue 13)
    service = RegistrationService(store, Operator("petugas", "Petugas Uji"))
    people = Generator(seed, date.today())
    rng = random.Random(seed)
    mine: list[str] = [r.id for r in service.search(limit=100_000)]
    n = 0
    while True:
        n += 1
        if mine and n % 4 == 0:
            rid = rng.choice(mine)
            reg = service.get(rid)
            assert reg is not None
            raw = reg.applicant.to_dict()
            raw["street"] = f"Jl. Simpang No. {n}"
            result = service.save(raw, registration_id=rid)
        else:
            result = service.save(people.applicant())
        if result.ok and result.registration is not None:
            mine.append(result.registration.id)
            print(
                f"saved {result.registration.id} {result.registration.provenance.revision}",
                flush=True,
            )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
