"""Importing records bundles at the server (issue 16), on SQLite and PostgreSQL: the round
trip with its acknowledgement, importing twice, a bundle and the network for the same
records in both orders, relay through another device of the office, and every refusal
(which changes nothing)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from common import bundle as B
from common import errors as E
from common import protocol as P
from common.errors import ApiError
from syncserver import bundle_keys, db
from syncserver.bundles import import_bundle, make_ack
from syncserver.queries import devices as devices_q
from tests.support.bundles import BundleDevice, open_ack, records_bundle
from tests.syncserver.conftest import Api, dump_tables


def _import(api: Api, raw: bytes, **kw: Any) -> Any:
    kw.setdefault("uploaded_by", "cli:test")
    kw.setdefault("via", "cli")
    return import_bundle(api.ext.sessions, api.ext.settings, raw, now=api.clock(), **kw)


def _batches(api: Api, dev: BundleDevice, people: list[dict[str, Any]], sizes: list[int]) -> Any:
    out, at = [], 0
    for n in sizes:
        out.append([api.record(p, dev) for p in people[at : at + n]])
        at += n
    return out


def _data(api: Api) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but the audit log (an attempt is audited; it changes no data)."""
    tables = dump_tables(api.ext.engine)
    tables.pop("audit_log", None)
    return tables


def test_round_trip_ingests_every_batch_and_the_ack_answers_every_record(
    api: Api, people: list[dict[str, Any]]
) -> None:
    dev = api.enroll_bundles()
    batches = _batches(api, dev, people, [5, 4])
    batches[1][0] = api.record({**people[0]}, dev)  # the same NIK again: flagged
    raw = records_bundle(dev, batches)
    done = _import(api, raw)
    assert not done.already_imported
    assert (done.records, done.batches) == (9, 2)
    assert done.counts == {"accepted": 8, "duplicate_nik": 1}
    ack = open_ack(dev, done.ack)
    assert ack.manifest.bundle_id == done.bundle_id
    assert ack.manifest.device_id == dev.id
    sent = [r for b in batches for r in b]
    assert [(r.id, r.revision) for r in ack.results] == [(r.id, r.revision) for r in sent]
    assert [r.outcome.value for r in ack.results].count("duplicate_nik") == 1
    assert ack.bundle_keys and ack.bundle_keys[0].key_id == dev.server_key.key_id
    rows = api.sql("select source, record_count from batches order by id")
    assert rows == [("bundle", 5), ("bundle", 4)]
    assert api.sql("select count(*) from registrations")[0][0] == 9
    logged = api.sql("select device_id, via, uploaded_by, record_count, seq from bundle_imports")
    assert logged == [(dev.id, "cli", "cli:test", 9, 1)]
    audit = api.sql("select action, target_id from audit_log where action like 'bundle.%'")
    assert audit == [("bundle.import", dev.id)]
    # the ack is readable only by the device: another key cannot open it
    with pytest.raises(ApiError) as exc:
        B.open_payload(B.read(done.ack), B.KeyPair.generate())
    assert exc.value.code == E.BUNDLE_WRONG_RECIPIENT


def test_importing_twice_changes_nothing_and_says_so(
    api: Api, people: list[dict[str, Any]]
) -> None:
    dev = api.enroll_bundles()
    raw = records_bundle(dev, _batches(api, dev, people, [3, 3]))
    first = _import(api, raw)
    before = _data(api)
    again = _import(api, raw, via="console", uploaded_by="intake1")
    assert again.already_imported and again.import_id == first.import_id
    assert _data(api) == before
    assert open_ack(dev, again.ack).results == open_ack(dev, first.ack).results
    actions = [a for (a,) in api.sql("select action from audit_log where action like 'bundle.%'")]
    assert actions == ["bundle.import", "bundle.import_again"]


def test_bundle_then_network_and_network_then_bundle_store_each_record_once(
    api: Api, people: list[dict[str, Any]]
) -> None:
    dev = api.enroll_bundles()
    first = [api.record(p, dev) for p in people[:4]]
    _import(api, records_bundle(dev, [first]))
    pushed = api.push(dev, first)  # the same records by network afterwards
    assert pushed.outcomes == ["already_received"] * 4
    second = [api.record(p, dev) for p in people[4:8]]
    assert api.push(dev, second).outcomes == ["accepted"] * 4
    done = _import(api, records_bundle(dev, [second]))  # the network was first
    assert done.counts == {"already_received": 4}
    assert api.sql("select count(*) from registrations")[0][0] == 8


def test_the_ack_carries_the_offices_changes_since_the_bundles_cursor(
    api: Api, people: list[dict[str, Any]]
) -> None:
    dev = api.enroll_bundles()
    records = [api.record(p, dev) for p in people[:2]]
    _import(api, records_bundle(dev, [records]))
    api.decide(records[0].id, "verified")
    later = [api.record(p, dev) for p in people[2:3]]
    ack = open_ack(dev, _import(api, records_bundle(dev, [later])).ack)
    decided = [c for c in ack.changes if c.kind is P.ChangeKind.DECISION]
    assert [c.registration_id for c in decided] == [records[0].id]
    assert int(ack.manifest.cursor_to) >= decided[0].seq and not ack.manifest.more
    # a bundle made after the device had seen them carries none of them again
    cursor = ack.manifest.cursor_to
    again = [api.record(p, dev) for p in people[3:4]]
    ack2 = open_ack(dev, _import(api, records_bundle(dev, [again], cursor=cursor)).ack)
    assert [c for c in ack2.changes if c.kind is P.ChangeKind.DECISION] == []
    assert ack2.manifest.cursor_from == cursor


def test_a_fresh_ack_for_an_import_made_before(api: Api, people: list[dict[str, Any]]) -> None:
    dev = api.enroll_bundles()
    records = [api.record(p, dev) for p in people[:3]]
    done = _import(api, records_bundle(dev, [records]))
    raw = make_ack(api.ext.sessions, api.ext.settings, done.import_id, now=api.clock())
    ack = open_ack(dev, raw)
    assert [r.id for r in ack.results] == [r.id for r in records]
    assert ack.manifest.ack_id != open_ack(dev, done.ack).manifest.ack_id


def test_relay_through_another_device_of_the_office(api: Api, people: list[dict[str, Any]]) -> None:
    field_laptop = api.enroll_bundles(name="laptop")
    office_pc = api.enroll_bundles(name="PC kantor")
    raw = records_bundle(field_laptop, _batches(api, field_laptop, people, [3]))
    r = api.client.post(
        "/api/v1/bundles/relay",
        data=raw,
        headers=office_pc.headers,
        content_type="application/octet-stream",
    )
    assert r.status_code == 200, r.data
    assert r.mimetype == "application/octet-stream"
    summary = json.loads(r.headers["X-Loket-Import"])
    assert summary["device_id"] == field_laptop.id and summary["counts"] == {"accepted": 3}
    ack = open_ack(field_laptop, r.data)  # for the laptop; the office PC cannot open it
    assert len(ack.results) == 3
    with pytest.raises(ApiError):
        B.open_payload(B.read(r.data), office_pc.keys)
    logged = api.sql("select via, relay_device_id from bundle_imports")
    assert logged == [("relay", office_pc.id)]
    # the records are the field laptop's, not the relaying PC's
    assert api.sql("select distinct device_id from batches") == [(field_laptop.id,)]


def test_relay_from_another_office_is_refused(api: Api, people: list[dict[str, Any]]) -> None:
    field_laptop = api.enroll_bundles("320101")
    elsewhere = api.enroll_bundles("320102")
    raw = records_bundle(field_laptop, _batches(api, field_laptop, people, [2]))
    before = _data(api)
    r = api.client.post(
        "/api/v1/bundles/relay",
        data=raw,
        headers=elsewhere.headers,
        content_type="application/octet-stream",
    )
    assert r.status_code == 403 and r.get_json()["code"] == E.BUNDLE_WRONG_OFFICE
    assert _data(api) == before


def test_relay_needs_a_device_credential_and_a_bundle_body(api: Api) -> None:
    r = api.client.post("/api/v1/bundles/relay", data=b"x", content_type="application/octet-stream")
    assert r.status_code == 401
    dev = api.enroll_bundles()
    r = api.client.post("/api/v1/bundles/relay", json={}, headers=dev.headers)
    assert r.status_code == 415
    r = api.client.post(
        "/api/v1/bundles/relay",
        data=b"not a bundle",
        headers=dev.headers,
        content_type="application/octet-stream",
    )
    assert r.status_code == 400 and r.get_json()["code"] == E.BUNDLE_UNREADABLE


# --- refusals: each changes nothing -------------------------------------------------------
def _flip(raw: bytes, at: int) -> bytes:
    return raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1 :]


def _refusal_cases() -> list[str]:
    return [
        "tampered_payload",
        "tampered_header",
        "truncated",
        "another_server",
        "another_office",
        "revoked_device",
        "unknown_device",
        "acknowledgement_uploaded",
        "addressed_to_a_device",
        "replayed_old",
        "expired_key",
    ]


@pytest.mark.parametrize("case", _refusal_cases())
def test_refused_bundles_change_nothing(api: Api, people: list[dict[str, Any]], case: str) -> None:
    dev = api.enroll_bundles()
    batches = _batches(api, dev, people, [3])
    raw = records_bundle(dev, batches)
    expected = {
        "tampered_payload": E.BUNDLE_TAMPERED,
        "tampered_header": E.BUNDLE_TAMPERED,
        "truncated": E.BUNDLE_UNREADABLE,
        "another_server": E.BUNDLE_WRONG_RECIPIENT,
        "another_office": E.BUNDLE_WRONG_OFFICE,
        "revoked_device": E.BUNDLE_SENDER_REVOKED,
        "unknown_device": E.BUNDLE_UNKNOWN_SENDER,
        "acknowledgement_uploaded": E.BUNDLE_WRONG_KIND,
        "addressed_to_a_device": E.BUNDLE_WRONG_RECIPIENT,
        "replayed_old": E.BUNDLE_REPLAYED,
        "expired_key": E.BUNDLE_KEY_EXPIRED,
    }[case]
    if case == "tampered_payload":
        raw = _flip(raw, len(raw) - 200)
    elif case == "tampered_header":
        sealed = B.read(raw)
        raw = raw.replace(sealed.header.bundle_id.encode(), b"0" * len(sealed.header.bundle_id))
    elif case == "truncated":
        raw = raw[:-1]
    elif case == "another_server":
        raw = records_bundle(dev, batches, recipient=B.KeyPair.generate().public())
    elif case == "another_office":
        raw = records_bundle(dev, batches, office_code="320102")
    elif case == "revoked_device":
        with db.transaction(api.ext.sessions) as s:
            devices_q.revoke_device(s, dev.id, api.clock())
    elif case == "unknown_device":
        stranger = BundleDevice(
            "0b8f1c0e-0000-4000-8000-000000000000",
            dev.office_code,
            9,
            "",
            B.KeyPair.generate(),
            dev.server_keys,
        )
        raw = records_bundle(stranger, [])
    elif case == "acknowledgement_uploaded":
        raw = _import(api, raw).ack
    elif case == "addressed_to_a_device":
        raw = B.seal(
            B.Kind.RECORDS,
            B.open_payload(
                B.read(raw), bundle_keys.for_settings(api.ext.settings, api.clock()).current.pair
            ),
            bundle_id=B.read(raw).header.bundle_id,
            sender_id=dev.id,
            office_code=dev.office_code,
            sender=dev.keys,
            recipient=dev.server_key,
            recipient_id=dev.id,
        )
    elif case == "replayed_old":
        old = raw
        _import(api, records_bundle(dev, _batches(api, dev, people[10:], [2])))
        raw = old
    elif case == "expired_key":
        now = api.clock()
        bundle_keys.rotate(bundle_keys.key_file(api.ext.settings), timedelta(days=30), now)
        api.clock.offset += timedelta(days=31)
    before = _data(api)
    with pytest.raises(ApiError) as exc:
        _import(api, raw)
    assert exc.value.code == expected
    assert _data(api) == before


def test_an_ack_from_another_server_key_does_not_verify(
    api: Api, people: list[dict[str, Any]]
) -> None:
    dev = api.enroll_bundles()
    done = _import(api, records_bundle(dev, _batches(api, dev, people, [1])))
    with pytest.raises(ApiError) as exc:
        B.verify(B.read(done.ack), B.KeyPair.generate().public())
    assert exc.value.code == E.BUNDLE_TAMPERED


# --- the command, and a server killed in the middle of an import ----------------------------
def _cli(data_dir: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOKET_SERVER_DATA": str(data_dir)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "syncserver",
            "--data-dir",
            str(data_dir),
            "--database",
            db_url,
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_import_bundle_command(
    api: Api, people: list[dict[str, Any]], tmp_path: Path, db_url: str
) -> None:
    dev = api.enroll_bundles()
    path = tmp_path / "laptop.loket"
    path.write_bytes(records_bundle(dev, _batches(api, dev, people, [4, 2])))
    done = _cli(tmp_path, db_url, "import-bundle", str(path))
    assert done.returncode == 0, done.stderr
    assert "6 records in 2 batches" in done.stdout and "accepted 6" in done.stdout
    ack_path = tmp_path / "laptop.loket.ack"
    assert len(open_ack(dev, ack_path.read_bytes()).results) == 6
    out = tmp_path / "elsewhere.ack"
    again = _cli(tmp_path, db_url, "import-bundle", str(path), "--ack-out", str(out))
    assert again.returncode == 0, again.stderr
    assert "imported before" in again.stdout and out.exists()
    path.write_bytes(path.read_bytes()[:-3])
    refused = _cli(tmp_path, db_url, "import-bundle", str(path))
    assert refused.returncode == 1 and "BUNDLE_UNREADABLE" in refused.stderr
    missing = _cli(tmp_path, db_url, "import-bundle", str(tmp_path / "nothing.loket"))
    assert missing.returncode == 1 and "FILE_NOT_FOUND" in missing.stderr


def test_a_server_killed_in_the_middle_of_an_import_then_the_import_again(
    api: Api, tmp_path: Path, db_url: str
) -> None:
    """SIGKILL while the batches go in: the batches committed stay, nothing is half-written,
    and importing the file again stores every record exactly once."""
    from common.synthetic import generate

    dev = api.enroll_bundles()
    many = [s.applicant for s in generate(6000, seed=99)]
    batches = _batches(api, dev, many, [100] * 60)
    path = tmp_path / "week.loket"
    path.write_bytes(records_bundle(dev, batches))
    env = {**os.environ}
    cmd = [sys.executable, "-m", "syncserver", "--data-dir", str(tmp_path), "--database", db_url]
    proc = subprocess.Popen([*cmd, "import-bundle", str(path)], env=env)
    killed_at = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        n = api.sql("select count(*) from batches")[0][0]
        if 0 < n:
            proc.send_signal(signal.SIGKILL)
            killed_at = n
            break
        time.sleep(0.01)
    proc.wait(30)
    assert killed_at is not None, "the import ended before it could be killed"
    partial = api.sql("select count(*) from batches")[0][0]
    assert 0 < partial < 60
    assert api.sql("select count(*) from bundle_imports")[0][0] == 0
    done = _cli(tmp_path, db_url, "import-bundle", str(path))
    assert done.returncode == 0, done.stderr
    assert api.sql("select count(*) from batches")[0][0] == 60
    assert api.sql("select count(*) from registrations")[0][0] == 6000
    assert api.sql("select count(*) from bundle_imports")[0][0] == 1
    ack = open_ack(dev, (tmp_path / "week.loket.ack").read_bytes())
    assert len(ack.results) == 6000
    assert {r.outcome.value for r in ack.results} <= {"accepted", "duplicate_nik", "kk_limit"}
