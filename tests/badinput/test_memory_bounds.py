"""Small requests cannot cost a worker much memory (issue 12, finding 3): the worst bodies of
the sync API, sent to a real ``loket-server`` worker, raise its peak resident memory
(``VmHWM`` in /proc/<pid>/status, a high-water mark the kernel keeps) by less than 100 MB over
what the same worker reached serving a normal push. Before the bounds, a 1.4 KB zstd push
with a list of 3.9 million elements made a worker allocate 1.4 GB."""

from __future__ import annotations

import uuid
from pathlib import Path

import requests

from common import protocol as P
from common import wire
from common.record import content_hash, new_registration_id
from common.regcode import make_code
from common.synthetic import generate
from tests.badinput.conftest import Api

LIMIT_MB = 100


def _worker_pid(api: Api) -> int:
    """The gunicorn worker (the only child of the master the test started)."""
    proc = api.server.proc
    assert proc is not None
    master = proc.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _record(applicant: dict, api: Api, seq: int, **kw: object) -> dict:
    rec = P.PushRecord(
        id=new_registration_id(),
        code=make_code(api.office_code, 1, seq),
        revision=1,
        base_revision=0,
        content_hash=content_hash(applicant),
        applicant=applicant,
        operator="petugas",
        channel="counter",
        device_time="2026-01-05T09:00:00+07:00",
    )
    return {**wire.loads(wire.dumps(rec)), **kw}


def _body(api: Api, records: list) -> dict:
    return {
        "device_id": api.device_id,
        "office_code": api.office_code,
        "batch_id": str(uuid.uuid4()),
        "records": records,
    }


def _send(api: Api, raw: bytes, encoding: str = "zstd") -> requests.Response:
    return requests.post(
        api.url + "/api/v1/sync/push",
        data=wire.compress(raw, encoding),
        headers={**api.auth, "Content-Encoding": encoding, "Content-Type": "application/json"},
        timeout=300,
    )


def _worst_bodies(api: Api, applicant: dict) -> dict[str, bytes]:
    """Each under the body limit (8 MB decompressed)."""
    limit = P.MAX_BODY_BYTES - 4096
    rec = _record(applicant, api, 900)
    head = wire.dumps(_body(api, [rec]))
    out: dict[str, bytes] = {}
    # a list of millions of small values in the applicant (the attack of the finding)
    n = (limit - len(head)) // 2
    out["skills of 4M zeros"] = wire.dumps(
        _body(api, [_record({**applicant, "skills": [0] * n}, api, 901)])
    )
    # millions of empty lists: the most Python objects per byte JSON can make
    n = (limit - len(head)) // 3
    out["4M empty lists"] = wire.dumps(
        _body(api, [_record({**applicant, "motivation": [[]] * n}, api, 902)])
    )
    # the records list itself, far over the batch limit
    out["2M records"] = wire.dumps(_body(api, [{}] * ((limit - len(head)) // 3)))
    # just under the value bound: as many objects as a body may make, each an empty dict
    n = getattr(P, "MAX_JSON_VALUES", 400_000) // 2 - 1000
    out["200k empty dicts in a list field"] = wire.dumps(
        _body(api, [_record({**applicant, "skills": [{}] * n}, api, 903)])
    )
    # a full batch of records of maximal size, every text at its limit, with many problems
    big = {k: "9" * 1000 for k in ("street", "motivation", "full_name", "birth_place")}
    extra = {f"x{j}": "y" * 60 for j in range(30)}  # unknown fields: 30 problems each
    one = len(wire.dumps(_record({**applicant, **big, **extra}, api, 1000)))
    records = [
        _record({**applicant, **big, **extra}, api, 1000 + i)
        for i in range(min(P.MAX_BATCH_RECORDS, (limit - len(head)) // (one + 1)))
    ]
    out["maximal records"] = wire.dumps(_body(api, records))
    return out


def test_worst_push_and_pull_bodies_stay_under_the_memory_bound(api: Api) -> None:
    applicant = generate(1, seed=77)[0].applicant
    pid = _worker_pid(api)
    ok = _send(api, wire.dumps(_body(api, [_record(applicant, api, 1)])))
    assert ok.status_code == 200, ok.text
    assert requests.get(api.url + "/api/v1/sync/pull", headers=api.auth, timeout=30).ok
    idle = _hwm_mb(pid)
    seen: dict[str, tuple[int, float]] = {}
    for name, raw in _worst_bodies(api, applicant).items():
        assert len(raw) <= P.MAX_BODY_BYTES, name
        for encoding in ("zstd", "identity"):
            r = _send(api, raw, encoding)
            assert r.status_code < 500, (name, r.status_code, r.text[:300])
            seen[f"{name} ({encoding})"] = (r.status_code, _hwm_mb(pid) - idle)
    # pull: a GET with a body of the maximal size and the largest page
    r = requests.get(
        api.url + "/api/v1/sync/pull",
        params={"limit": str(P.MAX_PULL_PAGE)},
        data=b"[" + b"[]," * (P.MAX_BODY_BYTES // 3 - 10) + b"[]]",
        headers={**api.auth, "Content-Type": "application/json"},
        timeout=120,
    )
    assert r.status_code < 500
    seen["pull with a maximal body"] = (r.status_code, _hwm_mb(pid) - idle)
    assert _worker_pid(api) == pid, "the worker was replaced (killed?)"
    grown = _hwm_mb(pid) - idle
    print(f"idle {idle:.0f} MB; peak over idle after each body: {seen}")
    assert grown < LIMIT_MB, f"peak grew {grown:.0f} MB over {idle:.0f} MB idle: {seen}"
