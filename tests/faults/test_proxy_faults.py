"""Several devices sync through fault proxies (seeded: drops mid-request and mid-response,
delays, truncated answers, 502/503, replayed requests) while they register, edit and receive
decisions. After every round the checker finds nothing lost, nothing doubled, nothing
half-written; at the end, with the faults off, every record is at the server exactly once
with its latest revision and the devices agree with the server on every status."""

from __future__ import annotations

import random
import threading
from collections import Counter

from tests.faults.checker import check, status_disagreements
from tests.faults.conftest import tally
from tests.faults.harness import Device, make_devices
from tests.support.faultproxy import FaultProxy

SEED = 20261122
DEVICES = 4
ROUNDS = 8
PER_ROUND = 9


def _sync_all(devices: list[Device]) -> None:
    """One sync per device, all at the same time (faults may leave some partial)."""
    errors: list[BaseException] = []

    def run(d: Device) -> None:
        try:
            d.engine(batch=2).run()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in devices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_proxy_faults_during_sync_of_several_devices(tmp_path, server, central) -> None:
    proxies = [
        FaultProxy(server.port, seed=SEED + i, fault_rate=0.55).start() for i in range(DEVICES)
    ]
    devices = make_devices(
        tmp_path, server, central, DEVICES, sync_urls=[p.url for p in proxies], seed=SEED
    )
    rng = random.Random(SEED)
    dirs = [d.data_dir for d in devices]
    try:
        for round_no in range(ROUNDS):
            for d in devices:
                d.register(PER_ROUND)
                for rid in rng.sample(d.ids, min(2, len(d.ids))):
                    d.edit(rid, rng.randrange(10_000))
            _sync_all(devices)
            report = check(dirs, central.url)
            assert report.ok, f"round {round_no}: {report}"
            # central staff decide on some records the server holds; returned ones get corrected
            held = [r[0] for r in central.rows("SELECT id FROM registrations ORDER BY id")]
            for rid in rng.sample(held, min(4, len(held))):
                central.decide(rid, rng.choice(("verified", "returned", "rejected")))
        _sync_all(devices)  # pull the decisions, correct the returned records
        for d in devices:
            for rid in d.ids:
                state = d.service.state(rid)
                if state is not None and state.registration.provenance.status.value == "returned":
                    d.edit(rid, rng.randrange(10_000))
        _sync_all(devices)

        for p in proxies:
            p.set_rate(0.0)
        for d in devices:
            d.drain()
        report = check(dirs, central.url, settled=True)
        assert report.ok, report
        assert report.created == report.central == DEVICES * ROUNDS * PER_ROUND
        for d in devices:
            assert status_disagreements(d.data_dir, central.url) == []
        assert sum(p.replay_mismatches for p in proxies) == 0
        injected = Counter[str]()
        for p in proxies:
            injected.update(p.counts)
        tally(injected)
        assert sum(injected.values()) >= 150, injected
        assert set(injected) >= {
            "drop_request",
            "drop_response",
            "truncate",
            "http_502",
            "http_503",
            "replay",
            "replay_concurrent",
        }
    finally:
        for p in proxies:
            p.stop()
        for d in devices:
            d.close()
