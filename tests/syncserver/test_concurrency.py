"""Exactly-once under concurrency and replay.

- Two real server processes (gunicorn, 2 workers each) on one PostgreSQL, eight client
  threads pushing overlapping batches: the same records re-sent through both servers, the
  same batch sent twice at once, the same NIKs from several devices and offices, families
  sharing a card. Every rule is checked in the database afterwards.
- Replaying every batch of a run changes no row (full table dumps compared), on both backends.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text

from common import protocol as P
from common import wire
from common.record import content_hash, new_registration_id
from common.regcode import make_code
from common.synthetic import generate
from tests.support.liveserver import LiveServer
from tests.syncserver.conftest import Api, dump_tables

STORED = {"accepted", "duplicate_nik", "kk_limit"}
OFFICES = ("320101", "327101")


def _records(samples: list[Any], device: dict[str, Any], seq: list[int]) -> list[P.PushRecord]:
    out = []
    for s in samples:
        seq[0] += 1
        out.append(
            P.PushRecord(
                id=new_registration_id(),
                code=make_code(device["office"], device["no"], seq[0]),
                revision=1,
                base_revision=0,
                content_hash=content_hash(s.applicant),
                applicant=s.applicant,
                operator="petugas",
                channel="field",
                device_time="2026-01-05T09:00:00Z",
            )
        )
    return out


def _post(
    url: str, device: dict[str, Any], batch_id: str, records: list[P.PushRecord]
) -> dict[str, Any]:
    req = P.PushRequest(device["id"], device["office"], batch_id, records)
    body = wire.compress(wire.dumps(req), "zstd")
    headers = {
        "Authorization": f"Bearer {device['credential']}",
        "Content-Encoding": "zstd",
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
    }
    for _ in range(5):
        r = requests.post(url + "/api/v1/sync/push", data=body, headers=headers, timeout=120)
        if r.status_code != 503:
            break
    assert r.status_code == 200, r.text[:500]
    result: dict[str, Any] = r.json()
    return result


def test_two_servers_eight_clients_one_postgres(pg_database: str, tmp_path: Path) -> None:
    s1 = LiveServer(tmp_path / "s1", pg_database, workers=2)
    s1.cli("migrate")
    s1.start()
    s2 = LiveServer(tmp_path / "s2", pg_database, workers=2).start()
    engine = create_engine(pg_database)
    try:
        devices: list[dict[str, Any]] = []
        for i in range(4):
            office = OFFICES[i % 2]
            code = s1.office_and_code(office, f"{office[:2]}.{office[2:4]}")
            e = requests.post(
                s2.url + "/api/v1/devices/enroll", json={"code": code}, timeout=30
            ).json()
            devices.append(
                {
                    "id": e["device_id"],
                    "credential": e["credential"],
                    "office": office,
                    "no": e["device_no"],
                }
            )
        samples = generate(
            1200, seed=77, offices=4, duplicate_share=0.15, family_share=0.25, invalid_share=0.03
        )
        seq = [0]
        per_device = {
            d["id"]: _records([s for s in samples if s.office == i], d, seq)
            for i, d in enumerate(devices)
        }
        shared_batch = {d["id"]: str(uuid.uuid4()) for d in devices}
        sent: list[tuple[str, dict[str, Any], str, list[P.PushRecord], dict[str, Any]]] = []
        lock = threading.Lock()
        start = threading.Barrier(8)
        failures: list[BaseException] = []

        def client(t: int) -> None:
            try:
                dev = devices[t % 4]
                url = (s1 if t < 4 else s2).url
                recs = per_device[dev["id"]]
                plan = [
                    (shared_batch[dev["id"]], recs[:60])
                ]  # the same batch from two clients at once
                size = 90 if t < 4 else 65  # different cuts: overlapping batches
                order = recs if t < 4 else list(reversed(recs))
                plan += [
                    (str(uuid.uuid4()), order[i : i + size]) for i in range(0, len(order), size)
                ]
                start.wait()
                for batch_id, batch in plan:
                    answer = _post(url, dev, batch_id, batch)
                    with lock:
                        sent.append((url, dev, batch_id, batch, answer))
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=client, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(300)
        assert not failures, failures[0]

        # every client got an outcome for every record it sent
        for _url, _dev, batch_id, batch, answer in sent:
            assert answer["batch_id"] == batch_id
            assert [(r["id"], r["revision"]) for r in answer["results"]] == [
                (r.id, r.revision) for r in batch
            ]
        # a record was stored by exactly one batch; concurrent copies of a batch got one answer
        storing: dict[str, set[str]] = defaultdict(set)
        answers: dict[str, list[Any]] = defaultdict(list)
        for _url, _dev, batch_id, _batch, answer in sent:
            answers[batch_id].append(answer)
            for r in answer["results"]:
                if r["outcome"] in STORED:
                    storing[r["id"]].add(batch_id)
        assert all(
            len(a) == 2 and a[0] == a[1] for b, a in answers.items() if b in shared_batch.values()
        )
        assert all(len(b) == 1 for b in storing.values())

        valid = {
            rec.id
            for i, d in enumerate(devices)
            for rec, s in zip(
                per_device[d["id"]], [x for x in samples if x.office == i], strict=True
            )
            if not s.expected_errors
        }
        with engine.connect() as conn:
            q = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
            ids = [r[0] for r in q("SELECT id FROM registrations")]
            assert len(ids) == len(set(ids)) and set(ids) == valid == set(storing)
            assert q("SELECT count(*) FROM registration_revisions")[0][0] == len(valid)
            # exactly one primary per NIK, the rest flagged
            assert (
                q(
                    "SELECT nik FROM registrations WHERE flag_reason IS DISTINCT FROM 'duplicate_nik' "
                    "GROUP BY nik HAVING count(*) <> 1"
                )
                == []
            )
            assert (
                q("SELECT count(*) FROM nik_primaries")[0][0]
                == q("SELECT count(DISTINCT nik) FROM registrations")[0][0]
            )
            assert (
                q(
                    "SELECT p.nik FROM nik_primaries p JOIN registrations r ON r.id = p.registration_id "
                    "WHERE r.nik <> p.nik OR r.flag_reason = 'duplicate_nik'"
                )
                == []
            )
            # no family card with more than two unflagged registrations
            assert (
                q(
                    "SELECT kk_number FROM registrations WHERE flag_reason IS NULL "
                    "GROUP BY kk_number HAVING count(*) > 2"
                )
                == []
            )
            dup = q("SELECT count(*) FROM registrations WHERE flag_reason = 'duplicate_nik'")[0][0]
            kk = q("SELECT count(*) FROM registrations WHERE flag_reason = 'kk_limit'")[0][0]
            cross = q(
                "SELECT count(*) FROM registrations r JOIN registrations p ON p.id = r.duplicate_of_id "
                "WHERE r.office_code <> p.office_code"
            )[0][0]
            assert dup > 10 and kk > 5 and cross > 0, (dup, kk, cross)

        # replay: every batch of the run sent again changes no row and gets the same answer
        before = dump_tables(engine)
        seen: set[str] = set()
        for i, (_url, dev, batch_id, batch, answer) in enumerate(sent):
            if batch_id in seen:
                continue
            seen.add(batch_id)
            again = _post((s1, s2)[i % 2].url, dev, batch_id, batch)
            assert again == answer
        assert dump_tables(engine) == before
    finally:
        s2.stop()
        s1.stop()
        engine.dispose()


def test_replaying_a_whole_run_changes_no_row(api: Api) -> None:
    devs = [api.enroll("320101"), api.enroll("327101"), api.enroll("320101")]
    samples = generate(
        240, seed=31, offices=3, duplicate_share=0.15, family_share=0.2, invalid_share=0.05
    )
    rng = random.Random(5)
    batches = []
    for i, dev in enumerate(devs):
        recs = [api.record(s.applicant, dev) for s in samples if s.office == i]
        recs += rng.sample(recs, 10)  # some records twice
        for j in range(0, len(recs), 37):
            batches.append((dev, api.body(dev, recs[j : j + 37])))
    first = [api.push(dev, [], body=body).body for dev, body in batches]
    assert any(r["outcome"] == "duplicate_nik" for b in first for r in b["results"])
    before = dump_tables(api.ext.engine)
    rng.shuffle(order := list(range(len(batches))))
    for k in order:
        dev, body = batches[k]
        assert api.push(dev, [], body=body, encoding=rng.choice(["zstd", "gzip"])).body == first[k]
    assert dump_tables(api.ext.engine) == before
