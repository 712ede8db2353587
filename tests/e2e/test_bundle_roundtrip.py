"""Sync bundles end to end on real parts (issue 16): a field laptop's records bundle imported
with ``loket-server import-bundle``, its acknowledgement applied on the laptop; and the same
bundle relayed by another device of the office over a live server. No network between the
laptop and the server at any point of the first journey."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from common import errors as E
from common.enums import Status
from common.errors import ApiError
from common.synthetic import generate
from desktop.services import bundles
from desktop.store import settings as S
from desktop.sync.commands import make_client
from desktop.sync.engine import SyncEngine, SyncOutcome
from syncserver.decisions import record_decision
from tests.e2e.conftest import Device

ROOT = Path(__file__).resolve().parents[2]


def desk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env={**os.environ, "LOKET_PASSWORD": "rahasia-sekali"},
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def _server_count(server_db: Any, sql: str, **params: Any) -> int:
    try:
        return int(server_db.execute(text(sql), params).scalar())
    finally:
        server_db.rollback()


def _statuses(device: Device) -> Counter[Status]:
    return Counter({s: n for s, n in device.service.counts_by_status().items() if n})


def test_usb_journey_export_import_at_the_server_ack_on_the_laptop(
    device: Device, live_server, server_db, tmp_path
) -> None:
    samples = generate(1001, 116, today=date.today())
    # the office PC registered one applicant over the network first: the laptop's record of
    # the same NIK comes back flagged as a possible duplicate
    office_pc = Device(tmp_path / "office-pc", live_server)
    assert office_pc.service.save(samples[0].applicant).ok
    assert SyncEngine(office_pc.store, make_client(office_pc.store)).run().outcome is (
        SyncOutcome.OK
    )
    office_pc.close()
    for sample in samples[1:]:
        assert device.service.save(sample.applicant).ok
    assert device.service.save(samples[0].applicant).ok
    assert device.service.pending_count() == 1001

    stick = tmp_path / "usb"
    stick.mkdir()
    out = stick / "laptop.loket"
    exported = bundles.export_bundle(device.store, out, operator="petugas")
    assert exported.records == 1001 and exported.batches == 3
    assert exported.bytes < 1001 * 400  # compressed
    assert bundles.in_transit(device.store).records == 1001

    result = live_server.cli("import-bundle", str(out))
    assert "imported bundle" in result.stdout, result.stdout + result.stderr
    ack_file = stick / "laptop.loket.ack"
    assert ack_file.exists()
    assert _server_count(server_db, "select count(*) from registrations") == 1002

    summary = bundles.import_ack(device.store, ack_file, operator="petugas")

    assert not summary.already_applied and summary.bundle_id == exported.bundle_id
    assert summary.outcomes == {"accepted": 1000, "duplicate_nik": 1}
    assert summary.pending_after == 0 and device.service.pending_count() == 0
    assert _statuses(device) == {Status.RECEIVED: 1000, Status.POTENTIAL_DUPLICATE: 1}
    assert bundles.in_transit(device.store).records == 0
    [row] = bundles.exports(device.store)
    assert row.acked_at is not None

    # the same acknowledgement again: nothing changes
    assert bundles.import_ack(device.store, ack_file, operator="petugas").already_applied
    # a reviewer decides one record; the same bundle imported again changes nothing at the
    # server, and its fresh acknowledgement brings the decision and moves the cursor
    decided = device.service.find_by_nik(samples[1].applicant["nik"])
    assert decided is not None
    record_decision(server_db, decided.id, "verified", "reviewer1")
    server_db.commit()
    result = live_server.cli("import-bundle", str(out), "--ack-out", str(stick / "again.ack"))
    assert "imported before" in result.stdout
    again = bundles.import_ack(device.store, stick / "again.ack", operator="petugas")
    assert not again.already_applied and again.changes_applied >= 1
    assert again.pending_after == 0 and again.needs_attention == 0
    assert _statuses(device) == {
        Status.RECEIVED: 999,
        Status.VERIFIED: 1,
        Status.POTENTIAL_DUPLICATE: 1,
    }
    with device.store.read() as s:
        assert int(S.SYNC_CURSOR.get(s)) > 0
    assert _server_count(server_db, "select count(*) from registrations") == 1002

    # the laptop meets a network later: nothing to send, nothing new to apply
    report = SyncEngine(device.store, make_client(device.store)).run()
    assert report.outcome is SyncOutcome.OK and report.sent == 0
    assert report.changes_applied == 0


def test_relay_through_another_device_of_the_office(
    device: Device, live_server, server_db, tmp_path
) -> None:
    for sample in generate(25, 117, today=date.today()):
        assert device.service.save(sample.applicant).ok
    stick = tmp_path / "usb"
    stick.mkdir()
    out = stick / "field.loket"
    exported = bundles.export_bundle(device.store, out, operator="petugas")

    office_pc = Device(tmp_path / "office-pc", live_server)
    try:
        relayed = bundles.relay_bundle(office_pc.store, out, operator="petugas")
        assert relayed.bundle_id == exported.bundle_id
        assert relayed.device_id == device.info.device_id
        assert relayed.records == 25 and relayed.counts == {"accepted": 25}
        assert not relayed.already_imported
        assert relayed.ack_path == stick / "field.loket.ack" and relayed.ack_path.exists()
        kept = bundles.relayed_acks(office_pc.store)
        assert kept == [
            office_pc.data_dir
            / "relayed-acks"
            / device.info.device_id
            / f"{exported.bundle_id}.ack"
        ]
        assert kept[0].read_bytes() == relayed.ack_path.read_bytes()
        # the office PC holds the acknowledgement but cannot apply it: it is the laptop's
        before = office_pc.service.pending_count()
        with pytest.raises(ApiError) as err:
            bundles.import_ack(office_pc.store, kept[0], operator="petugas")
        assert err.value.code == E.BUNDLE_WRONG_RECIPIENT
        assert office_pc.service.pending_count() == before

    finally:
        office_pc.close()
    # relayed again from the command line (the clerk had forgotten): imported before
    result = desk(
        office_pc.data_dir,
        "relay-bundle",
        str(out),
        "--operator",
        "petugas",
        "--ack-out",
        str(stick / "second.ack"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        f"relayed bundle {exported.bundle_id} of device {device.info.device_id} (imported "
        "before): 25 records (accepted 25); acknowledgement written to "
    )
    assert (stick / "second.ack").exists()
    result = desk(
        office_pc.data_dir, "relay-bundle", str(stick / "second.ack"), "--operator", "petugas"
    )
    assert result.returncode == 1 and result.stderr.startswith("BUNDLE_WRONG_KIND: ")
    assert _server_count(server_db, "select count(*) from registrations") == 25
    assert (
        _server_count(
            server_db,
            "select count(*) from bundle_imports where via = 'relay' and relay_device_id = :d",
            d=office_pc.info.device_id,
        )
        >= 1
    )

    # the laptop picks up the acknowledgement on its next visit
    summary = bundles.import_ack(device.store, kept[0], operator="petugas")
    assert summary.outcomes == {"accepted": 25} and summary.pending_after == 0
    assert _statuses(device) == {Status.RECEIVED: 25}


def test_bundle_and_network_for_the_same_records_in_both_orders(
    device: Device, live_server, server_db, tmp_path
) -> None:
    """The network answers first, a reviewer decides, and the bundle's acknowledgement comes
    later: its stale answers do not undo the decision; and the other way round, records
    imported by file and then pushed again over the network are not doubled."""
    ids = []
    for sample in generate(6, 118, today=date.today()):
        saved = device.service.save(sample.applicant)
        assert saved.ok and saved.registration is not None
        ids.append(saved.registration.id)
    first = tmp_path / "first.loket"
    bundles.export_bundle(device.store, first, operator="petugas")
    engine = SyncEngine(device.store, make_client(device.store))
    assert engine.run().outcome is SyncOutcome.OK  # the network got there first
    record_decision(server_db, ids[0], "verified", "reviewer1")
    server_db.commit()
    assert engine.run().changes_applied == 1
    live_server.cli("import-bundle", str(first))
    late = bundles.import_ack(device.store, tmp_path / "first.loket.ack", operator="petugas")
    assert late.outcomes == {"already_received": 6} and late.pending_after == 0
    assert _statuses(device) == {Status.RECEIVED: 5, Status.VERIFIED: 1}

    # the other order: imported by file first, then the same records pushed by network
    more = []
    for sample in generate(4, 119, today=date.today()):
        saved = device.service.save(sample.applicant)
        assert saved.ok and saved.registration is not None
        more.append(saved.registration.id)
    second = tmp_path / "second.loket"
    assert bundles.export_bundle(device.store, second, operator="petugas").records == 4
    live_server.cli("import-bundle", str(second))
    report = engine.run()  # before the acknowledgement reached the laptop
    assert report.outcome is SyncOutcome.OK and report.outcomes == {"already_received": 4}
    ack = bundles.import_ack(device.store, tmp_path / "second.loket.ack", operator="petugas")
    assert ack.pending_after == 0 and ack.needs_attention == 0
    assert _statuses(device) == {Status.RECEIVED: 9, Status.VERIFIED: 1}
    assert _server_count(server_db, "select count(*) from registrations") == 10
    assert _server_count(server_db, "select count(*) from registration_revisions") == 10
