"""A registration's whole journey on real parts: desktop store -> sync -> central database ->
review decision -> back to the device -> correction -> revision 2 at the server."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

from sqlalchemy import text

from common.enums import Status
from common.synthetic import generate
from desktop.sync.commands import make_client
from desktop.sync.engine import BatchSizer, SyncEngine, SyncOutcome
from syncserver.decisions import record_decision


def _save_many(device, n: int, seed: int) -> list[str]:
    ids = []
    for sample in generate(n, seed, today=date.today()):
        result = device.service.save(sample.applicant)
        assert result.ok, result.problems
        ids.append(result.registration.id)
    return ids


def _server_count(server_db, sql: str, **params) -> int:
    """Read from the server's database without holding its (IMMEDIATE) transaction open."""
    try:
        return int(server_db.execute(text(sql), params).scalar())
    finally:
        server_db.rollback()


def test_500_offline_registrations_make_the_whole_journey(device, live_server, server_db) -> None:
    ids = _save_many(device, 500, seed=101)
    assert device.service.pending_count() == 500

    engine = SyncEngine(device.store, make_client(device.store))
    report = engine.run()
    assert report.outcome is SyncOutcome.OK, report
    assert report.sent == 500 and report.pending_after == 0
    assert report.outcomes["accepted"] == 500
    assert _server_count(server_db, "select count(*) from registrations") == 500
    assert _server_count(server_db, "select count(distinct id) from registrations") == 500
    assert device.service.counts_by_status()[Status.RECEIVED] == 500
    assert report.bytes_sent / 500 < 400  # compressed batches, not one POST per record

    # central staff decide
    verified, returned, rejected = ids[0], ids[1], ids[2]
    record_decision(server_db, verified, "verified", "reviewer1")
    record_decision(
        server_db, returned, "returned", "reviewer1", note="Nama ibu kandung salah ketik"
    )
    record_decision(server_db, rejected, "rejected", "reviewer1", reason="not_eligible")
    server_db.commit()

    report = engine.run()
    assert report.outcome is SyncOutcome.OK and report.changes_applied == 3
    assert device.service.get(verified).provenance.status is Status.VERIFIED
    assert device.service.get(rejected).provenance.status is Status.REJECTED
    state = device.service.state(returned)
    assert (
        state.registration.provenance.status is Status.RETURNED
        and state.review_note == "Nama ibu kandung salah ketik"
    )

    # the clerk corrects the returned record: it goes back as revision 2
    raw = device.service.get(returned).applicant.to_dict()
    raw["mother_maiden_name"] = "Siti Aminah"
    saved = device.service.save(raw, registration_id=returned)
    assert saved.ok and saved.registration.provenance.revision == 2
    report = engine.run()
    assert report.outcome is SyncOutcome.OK and report.sent == 1, report
    assert (
        _server_count(server_db, "select revision from registrations where id = :id", id=returned)
        == 2
    )
    assert (
        _server_count(
            server_db,
            "select count(*) from registration_revisions where registration_id = :id",
            id=returned,
        )
        == 2
    )
    assert device.service.get(returned).provenance.status is Status.RECEIVED

    # a second full sync sends nothing and changes nothing
    report = engine.run()
    assert report.outcome is SyncOutcome.OK and report.sent == 0 and report.changes_applied == 0
    assert _server_count(server_db, "select count(*) from registrations") == 500


def test_server_killed_mid_sync_then_the_next_sync_finishes_the_job(
    device, live_server, server_db
) -> None:
    _save_many(device, 1200, seed=202)
    client = make_client(device.store)
    engine = SyncEngine(
        device.store, client, sizer=BatchSizer(initial=100, maximum=100), retries=1, backoff_s=0.05
    )
    batches = Counter()
    killed = threading.Event()

    def progress(p) -> None:
        batches[p.stage] += 1
        if p.stage == "push" and batches["push"] == 3 and not killed.is_set():
            live_server.kill()  # SIGKILL the server between two batches
            killed.set()

    report = engine.run(progress)
    assert killed.is_set()
    assert report.outcome in (SyncOutcome.PARTIAL, SyncOutcome.UNREACHABLE), report
    assert report.error_code == "SERVER_UNREACHABLE"
    assert 0 < report.pending_after < 1200

    live_server.start()
    report = engine.run()
    assert report.outcome is SyncOutcome.OK, report
    assert report.pending_after == 0
    assert _server_count(server_db, "select count(*) from registrations") == 1200
    assert _server_count(server_db, "select count(distinct id) from registrations") == 1200
    assert device.service.counts_by_status()[Status.RECEIVED] == 1200
