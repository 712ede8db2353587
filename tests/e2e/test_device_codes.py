"""Issue 13 defect 2 end to end: a real server in its own process, two real desktop stores of
one office that both "work offline first". Before enrollment neither gives out a code (both
would be ``000000-000-000001-Y``); enrolled, each has the server's own device number, so no
two applicants share a code, on the devices or at the server. A store from before the fix that
already holds pre-enrollment records sends them and the server refuses them, by a catalog code
the clerk reads on the record, instead of storing two applicants under one code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import text

from common import errors as E
from common.enums import Channel
from common.regcode import is_valid_code, make_code
from common.synthetic import generate
from desktop.services.registrations import new_registration_values
from desktop.store.models import OutboxEntry, RegistrationRecord, RevisionRecord
from desktop.sync.commands import make_client
from desktop.sync.engine import SyncEngine, SyncOutcome
from tests.e2e.conftest import Device


def _codes_at_server(server_db) -> list[str]:
    rows = server_db.execute(text("SELECT code FROM registrations")).scalars().all()
    server_db.rollback()  # end the read: the live server's SQLite writes wait for it
    return list(rows)


def test_two_devices_working_offline_first_never_give_one_code_to_two_applicants(
    tmp_path: Path, live_server, server_db
) -> None:
    one = Device(tmp_path / "desk1", live_server, enrolled=False)
    two = Device(tmp_path / "desk2", live_server, enrolled=False)
    try:
        people = generate(6, seed=31, today=date.today())
        for device, person in ((one, people[0]), (two, people[1])):
            refused = device.service.save(person.applicant)
            assert not refused.ok and refused.needs_enrollment and refused.registration is None
            device.service.save_draft(person.applicant)  # what the clerk can do meanwhile
        one.enroll()
        two.enroll()
        assert {one.info.device_no, two.info.device_no} == {1, 2}
        codes = []
        for i, device in enumerate((one, two, one, two)):
            saved = device.service.save(people[i].applicant)
            assert saved.ok, saved.problems
            codes.append(saved.registration.code)
        assert len(set(codes)) == 4 and all(is_valid_code(c) for c in codes)
        assert all(c.startswith(("320101-001-", "320101-002-")) for c in codes)
        for device in (one, two):
            report = SyncEngine(device.store, make_client(device.store)).run()
            assert report.outcome is SyncOutcome.OK and report.outcomes["accepted"] == 2, report
        at_server = _codes_at_server(server_db)
        assert sorted(at_server) == sorted(codes)  # four applicants, four codes
    finally:
        one.close()
        two.close()


def _old_pre_enrollment_record(device: Device, applicant: dict) -> str:
    """A record as the desktop before issue 13 saved it while not enrolled: code
    ``000000-000-000001-…``, revision 1 waiting in the outbox."""
    checked = device.service.check(applicant)
    assert checked.ok
    code = make_code("000000", 0, 1)
    now = device.service.clock()
    values = new_registration_values(
        checked.applicant, code, 1, "000000", "old-device", "petugas", Channel.COUNTER, now
    )
    with device.store.session() as s:
        s.add(RegistrationRecord(**values))
        s.flush()
        s.add(
            RevisionRecord(
                registration_id=values["id"],
                revision=1,
                applicant_json=values["applicant_json"],
                content_hash=values["content_hash"],
                operator="petugas",
                created_at=now,
            )
        )
        s.add(
            OutboxEntry(
                registration_id=values["id"], revision=1, enqueued_at=now, attempts=0, last_error=""
            )
        )
    return str(values["id"])


def test_pre_enrollment_records_of_an_old_store_are_refused_not_stored_twice(
    tmp_path: Path, live_server, server_db
) -> None:
    one = Device(tmp_path / "desk1", live_server)
    two = Device(tmp_path / "desk2", live_server)
    try:
        people = generate(2, seed=32, today=date.today())
        ids = [
            _old_pre_enrollment_record(device, person.applicant)
            for device, person in ((one, people[0]), (two, people[1]))
        ]
        for device, rid in zip((one, two), ids, strict=True):
            report = SyncEngine(device.store, make_client(device.store)).run()
            assert report.outcomes["invalid"] == 1 and report.needs_attention == 1, report
            state = device.service.state(rid)
            assert state is not None and state.conflict and state.editable
            detail = json.loads(state.conflict_detail)
            assert detail == {"outcome": "invalid", "errors": [E.REGISTRATION_CODE_UNENROLLED]}
            assert "sebelum perangkat didaftarkan" in E.message(detail["errors"][0], {}, "id")
        assert _codes_at_server(server_db) == []  # neither applicant stored under 000000-000
    finally:
        one.close()
        two.close()
