"""Sync bundles on the device (desktop/services/bundles.py): export, acknowledgement, in
transit, and the CLI, on a real encrypted store. The files are opened and answered with
server keys the test holds (as the server's import does with its own), and with a real
server where the answers must be the server's own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from common import bundle as B
from common import errors as E
from common import wire
from common.enums import Status
from common.errors import ApiError
from common.protocol import (
    AckManifest,
    AckPayload,
    Change,
    ChangeKind,
    Outcome,
    RecordResult,
    RecordsPayload,
    decode,
)
from common.synthetic import generate
from common.wiretime import utc_text
from desktop.services import bundles
from desktop.services.operators import create_first_operator
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.models import AuditEvent, BundleExport, OutboxEntry
from desktop.store.queries.outbox import Outgoing
from desktop.sync import bundle_keys
from tests.support.enrolled import enroll_offline

ROOT = Path(__file__).resolve().parents[2]


class Keys:
    """The server's key pair (the test plays the server) and the device's."""

    def __init__(self, store: Store) -> None:
        self.server = B.KeyPair.generate()
        self.device = B.KeyPair.generate()
        with store.write() as s:
            S.BUNDLE_DEVICE_KEYS.set(s, self.device.to_secret_dict())
            S.BUNDLE_KEY_REGISTERED.set(s, True)
            bundle_keys.save_server_keys(s, [bundle_keys.as_message(self.server.public())])
            self.device_id = str(S.DEVICE_ID.get(s))
            self.office = S.OFFICE_CODE.get(s)

    def open(self, raw: bytes) -> RecordsPayload:
        sealed = B.read(raw)
        B.verify(sealed, self.device.public())
        return decode(RecordsPayload, orjson.loads(B.open_payload(sealed, self.server)))

    def ack(
        self,
        bundle_id: str,
        results: list[RecordResult],
        changes: list[Change] | None = None,
        *,
        cursor_to: str = "0",
        ack_id: str | None = None,
        device_id: str | None = None,
        recipient: B.KeyPair | None = None,
        signer: B.KeyPair | None = None,
    ) -> bytes:
        device_id = device_id or self.device_id
        payload = AckPayload(
            manifest=AckManifest(
                ack_id=ack_id or str(uuid.uuid4()),
                bundle_id=bundle_id,
                device_id=device_id,
                office_code=self.office,
                created_at=utc_text(datetime.now(UTC)),
                cursor_from="",
                cursor_to=cursor_to,
                more=False,
            ),
            results=results,
            changes=changes or [],
            bundle_keys=[bundle_keys.as_message(self.server.public())],
        )
        return B.seal(
            B.Kind.ACK,
            wire.dumps(payload),
            bundle_id=payload.manifest.ack_id,
            sender_id="server",
            office_code=self.office,
            sender=signer or self.server,
            recipient=(recipient or self.device).public(),
            recipient_id=device_id,
        )


@pytest.fixture
def keys(store: Store) -> Keys:
    return Keys(store)


def _save(
    service: RegistrationService, applicant: Callable[[], dict[str, Any]], n: int
) -> list[str]:
    ids = []
    for _ in range(n):
        saved = service.save(applicant())
        assert saved.ok and saved.registration is not None
        ids.append(saved.registration.id)
    return ids


def _edit(service: RegistrationService, registration_id: str, phone: str) -> None:
    reg = service.get(registration_id)
    assert reg is not None
    raw = reg.applicant.to_dict()
    raw["phone"] = phone
    assert service.save(raw, registration_id=registration_id).ok


def _outbox(store: Store) -> list[tuple[str, int, datetime | None]]:
    with store.read() as s:
        rows = s.query(OutboxEntry).order_by(OutboxEntry.id).all()
        return [(r.registration_id, r.revision, r.exported_at) for r in rows]


def _snapshot(store: Store) -> dict[str, Any]:
    """What an import must leave alone when it is refused or repeated."""
    with store.read() as s:
        regs = s.execute(
            text(
                "SELECT id, revision, base_revision_synced, status, server_outcome, conflict "
                "FROM registrations ORDER BY id"
            )
        ).all()
        return {
            "regs": [tuple(r) for r in regs],
            "outbox": _outbox(store),
            "cursor": S.SYNC_CURSOR.get(s),
            "seq": S.BUNDLE_SEQ.get(s),
            "exports": [(e.bundle_id, e.acked_at, e.ack_id) for e in s.query(BundleExport).all()],
            "audit": s.query(AuditEvent).count(),
            "keys": S.SERVER_BUNDLE_KEYS.get(s),
        }


def _accepted(payload: RecordsPayload) -> list[RecordResult]:
    return [
        RecordResult(id=r.id, revision=r.revision, outcome=Outcome.ACCEPTED, status=Status.RECEIVED)
        for b in payload.batches
        for r in b.records
    ]


# --- export --------------------------------------------------------------------------------
def test_export_carries_every_pending_revision_in_order_and_records_stay_pending(
    store: Store, service: RegistrationService, applicant, keys: Keys, tmp_path: Path
) -> None:
    ids = _save(service, applicant, 3)
    _edit(service, ids[0], "081234567801")  # revision 2, still pending with revision 1
    _edit(service, ids[0], "081234567802")  # revision 3
    _edit(service, ids[2], "081234567803")
    with store.write() as s:
        S.SYNC_CURSOR.set(s, "41")
    out = tmp_path / "usb" / "field.loket"
    out.parent.mkdir()

    summary = bundles.export_bundle(store, out, operator="ani")

    assert summary.records == 6 and summary.batches == 3 and summary.seq == 1
    raw = out.read_bytes()
    assert summary.bytes == len(raw) and summary.path == out
    assert [p.name for p in out.parent.iterdir()] == ["field.loket"]  # no temporary left
    header = B.read(raw).header
    assert (header.sender_id, header.recipient_id, header.office_code) == (
        keys.device_id,
        "server",
        "320101",
    )
    payload = keys.open(raw)
    m = payload.manifest
    assert (m.bundle_id, m.device_id, m.office_code, m.seq, m.cursor) == (
        summary.bundle_id,
        keys.device_id,
        "320101",
        1,
        "41",
    )
    assert m.record_count == 6 and m.server_key == keys.server.public().key_id
    assert m.batch_ids == [b.batch_id for b in payload.batches]
    by_batch = [[(r.id, r.revision) for r in b.records] for b in payload.batches]
    # one revision of a registration per batch; revision n before n+1
    assert by_batch == [
        [(ids[0], 1), (ids[1], 1), (ids[2], 1)],
        [(ids[0], 2), (ids[2], 2)],
        [(ids[0], 3)],
    ]
    for batch in payload.batches:
        assert batch.backlog is None and batch.device_id == keys.device_id
        assert all(r.base_revision == r.revision - 1 for r in batch.records)
    first = payload.batches[0].records[0]
    reg = service.get(ids[1])
    assert reg is not None and payload.batches[0].records[1].code == reg.code
    assert first.content_hash and first.applicant["nik"]

    # the records stay pending; the outbox shows they went into a file, and since when
    assert service.pending_count() == 3
    entries = _outbox(store)
    assert len(entries) == 6 and all(at is not None for _, _, at in entries)
    transit = bundles.in_transit(store)
    assert transit.records == 3 and transit.bundles == 1 and transit.since is not None
    assert transit.since == entries[0][2]
    with store.read() as s:
        assert S.BUNDLE_SEQ.get(s) == 1
        event = s.query(AuditEvent).filter_by(action="bundle_export").one()
        assert event.operator == "ani" and summary.bundle_id in event.detail_json
    [row] = bundles.exports(store)
    assert row.bundle_id == summary.bundle_id and row.records == 6 and row.acked_at is None

    # a second export carries them again, under the next counter; "since" stays the first
    again = bundles.export_bundle(store, tmp_path / "again.loket", operator="ani")
    assert again.seq == 2 and again.records == 6 and again.bundle_id != summary.bundle_id
    assert _outbox(store) == entries
    transit = bundles.in_transit(store)
    assert transit.records == 3 and transit.bundles == 2 and transit.since == entries[0][2]


def test_batches_hold_at_most_500_records_and_one_revision_each() -> None:
    now = datetime.now(UTC)

    def row(rid: str, rev: int) -> Outgoing:
        return Outgoing(rid, f"c{rid}", "counter", rev, "h", {}, "ani", now)

    rows = [row(f"r{i}", 1) for i in range(1200)] + [row(f"r{i}", 2) for i in range(0, 1200, 2)]
    planned = bundles.plan_batches(rows)
    assert [len(b) for b in planned] == [500, 500, 200, 500, 100]
    for batch in planned:
        assert len({r.registration_id for r in batch}) == len(batch)
    position = {(r.registration_id, r.revision): i for i, b in enumerate(planned) for r in b}
    assert all(position[(f"r{i}", 1)] < position[(f"r{i}", 2)] for i in range(0, 1200, 2))


def test_nothing_to_send_makes_no_file(store: Store, keys: Keys, tmp_path: Path) -> None:
    out = tmp_path / "empty.loket"
    with pytest.raises(ApiError) as err:
        bundles.export_bundle(store, out, operator="ani")
    assert err.value.code == E.BUNDLE_NOTHING_TO_SEND
    assert list(tmp_path.iterdir()) == [tmp_path / "desk"]
    with store.read() as s:
        assert S.BUNDLE_SEQ.get(s) == 0


def test_export_needs_keys_and_enrollment(
    data_dir: Path, db_key: bytes, applicant, operator, tmp_path: Path
) -> None:
    store = Store.open(data_dir, db_key)
    try:
        with pytest.raises(ApiError) as err:
            bundles.export_bundle(store, tmp_path / "x.loket", operator="ani")
        assert err.value.code == E.NOT_ENROLLED
        enroll_offline(store, "320101", 3)
        RegistrationService(store, operator).save(applicant())
        with pytest.raises(ApiError) as err:  # enrolled before bundles: no keys yet
            bundles.export_bundle(store, tmp_path / "x.loket", operator="ani")
        assert err.value.code == E.BUNDLE_NO_KEYS
        assert not (tmp_path / "x.loket").exists()
    finally:
        store.close()


def test_a_failed_write_leaves_no_file_and_changes_nothing(
    store: Store, service: RegistrationService, applicant, keys: Keys, tmp_path: Path
) -> None:
    _save(service, applicant, 2)
    before = _snapshot(store)
    target = tmp_path / "stick"
    target.mkdir()
    (target / "old.loket").mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(ApiError) as err:
        bundles.export_bundle(store, target / "old.loket", operator="ani")
    assert err.value.code == E.FILE_WRITE_FAILED
    assert [p.name for p in target.iterdir()] == ["old.loket"]  # no temporary left behind
    assert (target / "old.loket").is_dir()
    missing = tmp_path / "no-such-folder" / "b.loket"
    with pytest.raises(ApiError) as err:
        bundles.export_bundle(store, missing, operator="ani")
    assert err.value.code == E.FILE_WRITE_FAILED
    assert _snapshot(store) == before  # no counter taken, no export row, nothing marked


# --- acknowledgement -----------------------------------------------------------------------
def _exported(
    store: Store, service: RegistrationService, applicant, keys: Keys, tmp_path: Path, n: int = 3
) -> tuple[list[str], bundles.ExportSummary, RecordsPayload]:
    ids = _save(service, applicant, n)
    summary = bundles.export_bundle(store, tmp_path / "b.loket", operator="ani")
    return ids, summary, keys.open(summary.path.read_bytes())


def test_ack_applies_results_changes_and_cursor_once(
    store: Store, service: RegistrationService, applicant, keys: Keys, tmp_path: Path
) -> None:
    ids, summary, payload = _exported(store, service, applicant, keys, tmp_path)
    results = _accepted(payload)
    results[1] = RecordResult(
        id=ids[1], revision=1, outcome=Outcome.INVALID, errors=[E.AGE_OUT_OF_RANGE]
    )
    decision = Change(
        seq=57,
        kind=ChangeKind.DECISION,
        registration_id=ids[2],
        revision=1,
        status=Status.RETURNED,
        note="Foto KTP buram",
        decided_at=utc_text(datetime.now(UTC)),
    )
    raw = keys.ack(summary.bundle_id, results, [decision], cursor_to="57")
    path = tmp_path / "b.loket.ack"
    path.write_bytes(raw)

    ack = bundles.import_ack(store, path, operator="ani")

    assert not ack.already_applied and ack.bundle_id == summary.bundle_id
    assert ack.outcomes == {"accepted": 2, "invalid": 1}
    assert ack.changes_applied == 1 and ack.pending_after == 0 and ack.needs_attention == 1
    assert service.pending_count() == 0 and bundles.in_transit(store).records == 0
    first, flagged, returned = (service.state(i) for i in ids)
    assert first is not None and first.registration.provenance.status is Status.RECEIVED
    assert flagged is not None and flagged.conflict  # shown to the clerk, never dropped
    assert returned is not None and returned.registration.provenance.status is Status.RETURNED
    assert returned.review_note == "Foto KTP buram"
    with store.read() as s:
        assert S.SYNC_CURSOR.get(s) == "57"
        event = s.query(AuditEvent).filter_by(action="bundle_ack_import").one()
        assert event.operator == "ani"
    [row] = bundles.exports(store)
    assert row.acked_at is not None and row.ack_id is not None

    # the same acknowledgement again: nothing changes
    before = _snapshot(store)
    again = bundles.import_ack(store, path, operator="ani")
    assert again.already_applied and again.changes_applied == 0
    assert _snapshot(store) == before

    # an older acknowledgement's cursor never moves the cursor back
    older = tmp_path / "older.ack"
    older.write_bytes(keys.ack(summary.bundle_id, results, cursor_to="12"))
    assert not bundles.import_ack(store, older, operator="ani").already_applied
    with store.read() as s:
        assert S.SYNC_CURSOR.get(s) == "57"


def test_ack_saves_the_server_keys_it_carries(
    store: Store, service: RegistrationService, applicant, keys: Keys, tmp_path: Path
) -> None:
    _ids, summary, payload = _exported(store, service, applicant, keys, tmp_path, n=1)
    rotated = B.KeyPair.generate()
    raw = B.seal(
        B.Kind.ACK,
        wire.dumps(
            AckPayload(
                manifest=AckManifest(
                    ack_id="ack-1",
                    bundle_id=summary.bundle_id,
                    device_id=keys.device_id,
                    office_code=keys.office,
                    created_at=utc_text(datetime.now(UTC)),
                    cursor_from="",
                    cursor_to="3",
                    more=False,
                ),
                results=_accepted(payload),
                changes=[],
                bundle_keys=[
                    bundle_keys.as_message(rotated.public()),
                    bundle_keys.as_message(keys.server.public(), "2027-01-01T00:00:00Z"),
                ],
            )
        ),
        bundle_id="ack-1",
        sender_id="server",
        office_code=keys.office,
        sender=keys.server,
        recipient=keys.device.public(),
        recipient_id=keys.device_id,
    )
    path = tmp_path / "rot.ack"
    path.write_bytes(raw)
    bundles.import_ack(store, path, operator="ani")
    with store.read() as s:
        assert bundle_keys.current_server_key(s) == rotated.public()


def test_a_stale_result_does_not_overwrite_a_later_answer(
    store: Store, service: RegistrationService, applicant, keys: Keys, tmp_path: Path
) -> None:
    ids, summary, payload = _exported(store, service, applicant, keys, tmp_path, n=2)
    # the network answered first: revision 1 of ids[0] is a possible duplicate
    flagged = RecordResult(
        id=ids[0],
        revision=1,
        outcome=Outcome.DUPLICATE_NIK,
        status=Status.POTENTIAL_DUPLICATE,
        duplicate_of="320101-001-000009-5",
    )
    with store.write() as s:
        from desktop.sync.engine import apply_results

        apply_results(s, [flagged])
    _edit(service, ids[1], "081299998888")  # revision 2 of ids[1] waits, not in the bundle
    path = tmp_path / "late.ack"
    path.write_bytes(keys.ack(summary.bundle_id, _accepted(payload)))

    ack = bundles.import_ack(store, path, operator="ani")

    first = service.get(ids[0])
    assert first is not None and first.provenance.status is Status.POTENTIAL_DUPLICATE
    second = service.state(ids[1])
    assert second is not None and second.registration.provenance.revision == 2
    assert [(rid, rev) for rid, rev, _ in _outbox(store)] == [(ids[1], 2)]  # still to send
    assert ack.pending_after == 1


@pytest.mark.parametrize("case", ["other_device", "other_key", "tampered", "forged", "cut"])
def test_refused_acks_change_nothing(
    case: str, store: Store, service: RegistrationService, applicant, keys: Keys, tmp_path: Path
) -> None:
    _ids, summary, payload = _exported(store, service, applicant, keys, tmp_path)
    results = _accepted(payload)
    other = B.KeyPair.generate()
    if case == "other_device":  # sealed to another device of the office
        raw, code = (
            keys.ack(summary.bundle_id, results, device_id="other-dev", recipient=other),
            (E.BUNDLE_WRONG_RECIPIENT),
        )
    elif case == "other_key":  # this device's id, another key (its store was replaced)
        raw, code = keys.ack(summary.bundle_id, results, recipient=other), E.BUNDLE_WRONG_RECIPIENT
    elif case == "tampered":  # one byte of the ciphertext changed on the way
        good = bytearray(keys.ack(summary.bundle_id, results))
        good[-100] ^= 0x01
        raw, code = bytes(good), E.BUNDLE_TAMPERED
    elif case == "forged":  # signed by a key that is not the server's
        raw, code = keys.ack(summary.bundle_id, results, signer=other), E.BUNDLE_TAMPERED
    else:
        raw, code = keys.ack(summary.bundle_id, results)[:-10], E.BUNDLE_UNREADABLE
    path = tmp_path / "bad.ack"
    path.write_bytes(raw)
    before = _snapshot(store)
    with pytest.raises(ApiError) as err:
        bundles.import_ack(store, path, operator="ani")
    assert err.value.code == code
    assert _snapshot(store) == before
    if case == "other_device":
        assert err.value.details["detail"] == "an acknowledgement for another device"


def test_a_records_bundle_is_not_an_ack(
    store: Store, service: RegistrationService, applicant, keys: Keys, tmp_path: Path
) -> None:
    _ids, summary, _payload = _exported(store, service, applicant, keys, tmp_path)
    with pytest.raises(ApiError) as err:
        bundles.import_ack(store, summary.path, operator="ani")
    assert err.value.code == E.BUNDLE_WRONG_KIND
    with pytest.raises(ApiError) as err:
        bundles.import_ack(store, tmp_path / "missing.ack", operator="ani")
    assert err.value.code == E.FILE_NOT_FOUND


def test_relay_refuses_own_and_other_office_bundles_before_sending(
    store: Store, service: RegistrationService, applicant, keys: Keys, tmp_path: Path
) -> None:
    _ids, summary, _payload = _exported(store, service, applicant, keys, tmp_path)
    with pytest.raises(ApiError) as err:  # its own bundle: export and sync, not relay
        bundles.relay_bundle(store, summary.path, operator="ani")
    assert err.value.code == E.BUNDLE_OWN_FILE
    field = B.KeyPair.generate()
    foreign = B.seal(
        B.Kind.RECORDS,
        b"{}",
        bundle_id="b-1",
        sender_id="field-laptop",
        office_code="330202",
        sender=field,
        recipient=keys.server.public(),
        recipient_id="server",
    )
    path = tmp_path / "foreign.loket"
    path.write_bytes(foreign)
    with pytest.raises(ApiError) as err:
        bundles.relay_bundle(store, path, operator="ani")
    assert err.value.code == E.BUNDLE_WRONG_OFFICE
    ack = tmp_path / "x.ack"
    ack.write_bytes(keys.ack(summary.bundle_id, []))
    with pytest.raises(ApiError) as err:
        bundles.relay_bundle(store, ack, operator="ani")
    assert err.value.code == E.BUNDLE_WRONG_KIND


# --- CLI -----------------------------------------------------------------------------------
def desk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOKET_PASSWORD": "rahasia-sekali"}
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_cli_export_and_import_ack(tmp_path: Path) -> None:
    data = tmp_path / "field"
    store, operator = create_first_operator(data, "petugas", "rahasia-sekali")
    enroll_offline(store, "320101", 4)
    keys = Keys(store)
    service = RegistrationService(store, operator)
    for sample in generate(12, 5, today=date.today()):
        assert service.save(sample.applicant).ok
    store.close()
    out = tmp_path / "usb" / "field.loket"
    out.parent.mkdir()

    result = desk(data, "export-bundle", str(out), "--operator", "petugas")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"exported 12 records in 1 batches to {out} (")
    payload = keys.open(out.read_bytes())
    assert payload.manifest.record_count == 12

    ack = tmp_path / "usb" / "field.loket.ack"
    ack.write_bytes(keys.ack(payload.manifest.bundle_id, _accepted(payload), cursor_to="9"))
    result = desk(data, "import-ack", str(ack), "--operator", "petugas")
    assert result.returncode == 0, result.stderr
    assert "12 answers (accepted 12)" in result.stdout and "0 still pending" in result.stdout
    result = desk(data, "import-ack", str(ack), "--operator", "petugas")
    assert result.returncode == 0 and "applied before" in result.stdout

    # nothing left to send: a catalog code and a non-zero exit, no file
    result = desk(data, "export-bundle", str(tmp_path / "none.loket"), "--operator", "petugas")
    assert result.returncode == 1
    assert result.stderr.startswith("BUNDLE_NOTHING_TO_SEND: ")
    assert not (tmp_path / "none.loket").exists()
    # no operator: refused before anything is opened
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--data-dir", str(data), "import-ack", str(ack)],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("LOKET_OPERATOR",)},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1 and result.stderr.startswith("OPERATOR_REQUIRED")
    result = desk(data, "import-ack", str(out), "--operator", "petugas")
    assert result.returncode == 1 and result.stderr.startswith("BUNDLE_WRONG_KIND")


def test_migration_0004_keeps_a_waiting_outbox(
    data_dir: Path, db_key: bytes, applicant, operator
) -> None:
    """A store from before bundles (0003) with records waiting: after 0004 they are still
    waiting, none of them in transit, and an export can record itself."""
    from alembic import command

    from desktop.store.store import alembic_config

    store = Store.open(data_dir, db_key)
    enroll_offline(store, "320101", 7)
    _save(RegistrationService(store, operator), applicant, 2)
    with store.engine.connect() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
        conn.commit()
        columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(outbox)")]
        tables = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")]
    assert "exported_at" not in columns and "bundle_exports" not in tables
    store.close()

    store = Store.open(data_dir, db_key)
    try:
        assert store.schema_revision() == "0004"
        assert [at for _, _, at in _outbox(store)] == [None, None]
        assert bundles.in_transit(store) == bundles.InTransit(0, 0, None)
        assert RegistrationService(store, operator).pending_count() == 2
        assert bundles.exports(store) == []
    finally:
        store.close()
