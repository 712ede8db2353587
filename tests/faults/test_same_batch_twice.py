"""The same batch arriving twice at the same moment (a proxy or a client retrying while the
first copy is still being ingested), and the same records in two different batches at once
(a sync process killed and restarted while its last push is still in the server). On SQLite
and on PostgreSQL (where the two copies really run in parallel in two server processes):
identical answers for identical batches, every record stored once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from common import wire
from common.protocol import PushRequest, PushResponse, decode
from tests.faults.checker import check
from tests.faults.conftest import tally
from tests.faults.harness import Central, Device, central_url, make_devices
from tests.support.liveserver import LiveServer


@pytest.fixture(params=["sqlite", "postgres"])
def any_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    database = None
    if request.param == "postgres":
        database = request.getfixturevalue("pg_database")
    srv = LiveServer(tmp_path / "server", database=database, workers=2)
    if database:
        srv.cli("migrate")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()
        print(srv.log_path.read_text(errors="replace")[-4000:])


def _at_once(device: Device, requests: list[PushRequest]) -> list[dict]:
    """Send the requests in parallel (one client each, released together); their answers."""
    answers: list[dict] = [{}] * len(requests)
    gate = threading.Barrier(len(requests))

    def send(i: int) -> None:
        client = device.client()
        try:
            gate.wait()
            answers[i] = wire.loads(wire.dumps(client.push(requests[i])))
        finally:
            client.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(answers), "a push failed"
    return answers


def test_identical_and_overlapping_batches_at_once(tmp_path, any_server) -> None:
    central = Central(central_url(any_server))
    (device,) = make_devices(tmp_path, any_server, central, 1, seed=77)
    engine = device.engine(batch=50)
    try:
        copies = 0
        for round_no in range(4):
            device.register(50)
            records = engine._next_batch(50)
            ident = device.info
            same = PushRequest(ident.device_id, ident.office_code, str(uuid.uuid4()), records)
            answers = _at_once(device, [same, same, same])
            assert answers[0] == answers[1] == answers[2]
            copies += 2
            outcomes = {r["outcome"] for r in answers[0]["results"]}
            assert outcomes <= {"accepted", "duplicate_nik", "kk_limit"}, outcomes
            # the same records again, under two new batch ids, at once: nothing new is stored
            twins = [
                PushRequest(ident.device_id, ident.office_code, str(uuid.uuid4()), records)
                for _ in range(2)
            ]
            for answer in _at_once(device, twins):
                assert {r["outcome"] for r in answer["results"]} == {"already_received"}
            copies += 2
            if round_no < 3:  # the device takes the answer; the last round's is lost to it
                engine._apply_results(decode(PushResponse, answers[0]).results)
            report = check([device.data_dir], central.url)
            assert report.ok, f"round {round_no}: {report}"
            assert central.scalar("SELECT count(*) FROM registrations") == 50 * (round_no + 1)
        report = device.drain()  # the device never saw the last answers: it sends again
        assert report.outcomes == {"already_received": 50}, report.outcomes
        report = check([device.data_dir], central.url, settled=True)
        assert report.ok and report.central == 200, report
        tally({"concurrent_copy": copies})
    finally:
        device.close()
        central.close()
