"""Issue 12 finding 13 end to end: a real server, two real desktop stores of one office. A
record another device of the office revised reaches its own device on the next pull."""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

from common.protocol import PushRecord, PushRequest
from common.record import Registration, content_hash
from common.synthetic import generate
from desktop.store import settings as S
from desktop.sync.commands import make_client
from desktop.sync.engine import SyncEngine, SyncOutcome
from syncserver.decisions import record_decision
from tests.e2e.conftest import Device


def _revise_from(
    other: Device, registration: Registration | None, applicant: dict, revision: int
) -> None:
    """The other device of the office pushes a newer revision of the record, with the code
    the server holds for it (a new registration must carry the pushing device's own code; a
    revision keeps the record's code, whichever device of the office sends it)."""
    assert registration is not None
    with other.store.session() as s:
        device_id, office = S.DEVICE_ID.get(s), S.OFFICE_CODE.get(s)
    rec = PushRecord(
        id=registration.id,
        code=registration.code,
        revision=revision,
        base_revision=revision - 1,
        content_hash=content_hash(applicant),
        applicant=applicant,
        operator="petugas2",
        channel="counter",
        device_time="2026-01-05T09:00:00+07:00",
    )
    answer = make_client(other.store).push(PushRequest(device_id, office, str(uuid.uuid4()), [rec]))
    assert [r.outcome.value for r in answer.results] == ["accepted"]


def test_the_device_applies_a_revision_made_elsewhere(
    tmp_path: Path, live_server, server_db
) -> None:
    first = Device(tmp_path / "desk1", live_server)
    second = Device(tmp_path / "desk2", live_server)
    try:
        sample = generate(1, seed=7, today=date.today())[0]
        saved = first.service.save(sample.applicant)
        assert saved.ok, saved.problems
        rid = saved.registration.id
        engine = SyncEngine(first.store, make_client(first.store))
        assert engine.run().outcome is SyncOutcome.OK

        edited = dict(saved.registration.applicant.to_dict(), phone="081299990000")
        _revise_from(second, saved.registration, edited, 2)
        report = engine.run()
        assert report.outcome is SyncOutcome.OK and report.changes_applied >= 1
        state = first.service.state(rid)
        assert state is not None and not state.conflict
        assert state.registration.provenance.revision == 2
        assert state.registration.applicant.phone == "081299990000"
        assert json.loads(state.conflict_detail) == {
            "outcome": "changed_elsewhere",
            "server_revision": 2,
        }
        assert [r.revision for r in first.service.history(rid)] == [1, 2]

        # returned for correction, the clerk edits on top of it: revision 3, accepted as based
        # on the server's 2
        record_decision(server_db, rid, "returned", "reviewer1", note="periksa alamat")
        server_db.commit()
        assert engine.run().outcome is SyncOutcome.OK
        raw = first.service.get(rid).applicant.to_dict()
        raw["street"] = "Jl. Baru No. 3"
        assert first.service.save(raw, registration_id=rid).ok
        report = engine.run()
        assert report.outcome is SyncOutcome.OK and report.outcomes["accepted"] == 1, report
        assert first.service.get(rid).provenance.revision == 3
    finally:
        first.close()
        second.close()


def test_a_local_edit_waiting_to_be_sent_is_kept_and_shown_as_a_conflict(
    tmp_path: Path, live_server, server_db
) -> None:
    first = Device(tmp_path / "desk1", live_server)
    second = Device(tmp_path / "desk2", live_server)
    try:
        sample = generate(1, seed=8, today=date.today())[0]
        saved = first.service.save(sample.applicant)
        rid = saved.registration.id
        engine = SyncEngine(first.store, make_client(first.store))
        assert engine.run().outcome is SyncOutcome.OK
        record_decision(server_db, rid, "returned", "reviewer1", note="periksa")
        server_db.commit()
        assert engine.run().outcome is SyncOutcome.OK
        raw = saved.registration.applicant.to_dict()
        assert first.service.save(dict(raw, street="Jl. Lokal 1"), registration_id=rid).ok
        _revise_from(second, saved.registration, dict(raw, phone="081299990000"), 2)
        engine.run()
        state = first.service.state(rid)
        assert state.conflict and json.loads(state.conflict_detail)["server_revision"] == 2
        assert state.registration.applicant.street == "Jl. Lokal 1"  # nothing overwritten
    finally:
        first.close()
        second.close()


def test_a_duplicate_whose_primary_changed_nik_stands_on_its_own_on_the_device(
    tmp_path: Path, live_server, server_db
) -> None:
    first = Device(tmp_path / "desk1", live_server)
    second = Device(tmp_path / "desk2", live_server)
    try:
        one, other = generate(2, seed=9, today=date.today())
        a = first.service.save(one.applicant).registration
        one_sync = SyncEngine(first.store, make_client(first.store))
        assert one_sync.run().outcome is SyncOutcome.OK
        b = second.service.save(dict(one.applicant, phone="081299990000")).registration
        two_sync = SyncEngine(second.store, make_client(second.store))
        assert two_sync.run().outcomes["duplicate_nik"] == 1
        assert second.service.get(b.id).provenance.status.value == "potential_duplicate"

        record_decision(server_db, a.id, "returned", "reviewer1", note="NIK salah")
        server_db.commit()
        assert one_sync.run().outcome is SyncOutcome.OK
        assert first.service.save(other.applicant, registration_id=a.id).ok  # another person
        assert one_sync.run().outcome is SyncOutcome.OK

        assert two_sync.run().outcome is SyncOutcome.OK
        state = second.service.state(b.id)
        assert state.registration.provenance.status.value == "received"
        assert state.duplicate_of is None
    finally:
        first.close()
        second.close()
