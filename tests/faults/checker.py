"""The consistency checker: every device's records against the central database.

``check(devices, central_url)`` reads each device's SQLite file directly (so it also works on
the store a killed process left behind) and the central database with plain SELECTs, and
reports:

* lost: a record the device was told the server holds (``base_revision_synced`` > 0), or any
  record once ``settled`` (every outbox drained), that the central database lacks or holds at
  an older revision;
* doubled: one device record present more than once centrally (same device and code), or a
  central record of these devices that no device made;
* problems: everything else that is wrong, as sentences: revisions that disagree between the
  device and the server (a silent overwrite), half-written rows (a registration whose
  revision rows do not run 1..n, a latest revision whose content is not the registration's,
  a batch without its stored answer), orphan rows (revisions, NIK claims, family-card slots,
  batch records pointing at nothing), and a damaged local database.

The scenarios assert ``report.ok``; tools/faults.py prints the counts.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from common.enums import DECIDED_STATUSES
from desktop import paths
from tests.support.integrity import integrity_problems


@dataclass(slots=True)
class LocalRecord:
    id: str
    code: str
    revision: int
    content_hash: str
    status: str
    synced: int  # base_revision_synced: the highest revision the server acknowledged
    conflict: bool = False  # the server refused a revision; shown to the clerk, never dropped
    revisions: dict[int, str] = field(default_factory=dict)  # revision -> content hash
    pending: set[int] = field(default_factory=set)  # revisions still in the outbox


@dataclass(slots=True)
class DeviceData:
    device_id: str
    records: dict[str, LocalRecord]
    problems: list[str]


@dataclass(slots=True)
class CheckReport:
    created: int = 0  # records on the devices
    central: int = 0  # central records of these devices
    lost: int = 0
    doubled: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.lost == 0 and self.doubled == 0

    def __str__(self) -> str:
        head = f"created {self.created}, central {self.central}, lost {self.lost}, doubled {self.doubled}"
        shown = "\n  ".join(self.problems[:25])
        more = f"\n  ... {len(self.problems) - 25} more" if len(self.problems) > 25 else ""
        return head + (f"\n  {shown}{more}" if self.problems else "")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def connect_device(data_dir: Path, key: bytes | None) -> Any:
    """A read-only DB-API connection to a device's database: SQLCipher with ``key`` unless the
    file is plain SQLite."""
    path = paths.db_path(Path(data_dir))
    with open(path, "rb") as fh:
        plain = fh.read(16) == b"SQLite format 3\x00"
    if plain or key is None:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    import sqlcipher3

    conn = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def read_device(data_dir: Path, key: bytes | None = None) -> DeviceData:
    """A device's records straight from its database file (read-only)."""
    if key is None:
        from tests.faults.harness import TEST_KEY

        key = TEST_KEY
    path = paths.db_path(Path(data_dir))
    conn = connect_device(data_dir, key)
    problems: list[str] = []
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"{path}: integrity_check says {integrity}")
        row = conn.execute("SELECT value_json FROM settings WHERE key = 'device_id'").fetchone()
        device_id = json.loads(row[0]) if row else ""
        records = {
            r[0]: LocalRecord(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]))
            for r in conn.execute(
                "SELECT id, code, revision, content_hash, status, base_revision_synced, conflict "
                "FROM registrations"
            )
        }
        for rid, rev, digest in conn.execute(
            "SELECT registration_id, revision, content_hash FROM registration_revisions"
        ):
            if rid not in records:
                problems.append(f"device {device_id}: revision {rev} of unknown registration {rid}")
                continue
            records[rid].revisions[rev] = digest
        for rid, rev in conn.execute("SELECT registration_id, revision FROM outbox"):
            rec = records.get(rid)
            if rec is None or rev not in rec.revisions:
                problems.append(
                    f"device {device_id}: outbox entry {rid} r{rev} has no revision row"
                )
            else:
                rec.pending.add(rev)
    finally:
        conn.close()
    for rec in records.values():
        if sorted(rec.revisions) != list(range(1, rec.revision + 1)):
            problems.append(
                f"device {device_id}: {rec.code} is at r{rec.revision} but has revision rows {sorted(rec.revisions)}"
            )
        elif rec.revisions[rec.revision] != rec.content_hash:
            problems.append(
                f"device {device_id}: {rec.code} content differs from its revision row r{rec.revision}"
            )
        if rec.synced > rec.revision:
            problems.append(
                f"device {device_id}: {rec.code} synced r{rec.synced} > its revision r{rec.revision}"
            )
    return DeviceData(device_id, records, problems)


def check(data_dirs: Iterable[Path], central_url: str, *, settled: bool = False) -> CheckReport:
    """Compare the devices in ``data_dirs`` with the central database at ``central_url``.

    ``settled``: every device has synced to the end since its last change, so every record must
    be at the server with its latest revision.
    """
    devices = [read_device(d) for d in data_dirs]
    report = CheckReport()
    for d in devices:
        report.problems.extend(d.problems)
        report.created += len(d.records)
    ids = {d.device_id for d in devices}
    engine = create_engine(central_url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            central = _read_central(conn, ids, report)
    finally:
        engine.dispose()
    regs, revs = central
    report.central = len(regs)

    # doubled: the same device record twice, or central records no device made
    by_code = Counter((r["device_id"], r["code"]) for r in regs.values())
    report.doubled += sum(n - 1 for n in by_code.values() if n > 1)
    local_of = {d.device_id: d.records for d in devices}
    for rid, reg in regs.items():
        if rid not in local_of.get(reg["device_id"], {}):
            report.doubled += 1
            report.problems.append(
                f"central {reg['code']} ({rid}) is not a record of device {reg['device_id']}"
            )

    # every central registration: revision rows 1..n, latest = the registration (not half-written)
    for rid, reg in regs.items():
        have = revs.get(rid, {})
        if sorted(have) != list(range(1, reg["revision"] + 1)):
            report.problems.append(
                f"central {reg['code']}: at r{reg['revision']} with revision rows {sorted(have)}"
            )
            continue
        latest = have[reg["revision"]]
        if latest[0] != reg["content_hash"] or latest[1] != reg["applicant"]:
            report.problems.append(
                f"central {reg['code']}: r{reg['revision']} row differs from the registration"
            )

    # every device record against the server
    for d in devices:
        for rec in d.records.values():
            reg = regs.get(rec.id)
            need = rec.revision if settled else rec.synced
            if reg is not None and rec.conflict and reg["status"] in DECIDED_STATUSES:
                # edited without knowing a reviewer had closed the record: the server keeps
                # the decision, the device keeps the edit flagged as a conflict
                # (docs/ARCHITECTURE.md, promise 4)
                need = min(need, reg["revision"])
            if reg is None:
                if need > 0:
                    report.lost += 1
                    report.problems.append(
                        f"lost: {rec.code} r{need} of device {d.device_id} is not at the server"
                    )
                continue
            if reg["revision"] < need:
                report.lost += 1
                report.problems.append(
                    f"lost: {rec.code} at the server r{reg['revision']}, device has r{rec.revision} (acknowledged r{rec.synced})"
                )
            if reg["revision"] > rec.revision:
                report.problems.append(
                    f"{rec.code}: server r{reg['revision']} is newer than the device's r{rec.revision}"
                )
            for rev, (digest, _) in revs.get(rec.id, {}).items():
                mine = rec.revisions.get(rev)
                if mine is not None and mine != digest:
                    report.problems.append(
                        f"{rec.code} r{rev}: the server holds other content than the device made"
                    )
            if settled and rec.pending:
                report.problems.append(
                    f"{rec.code}: still in the outbox ({sorted(rec.pending)}) after settling"
                )
    return report


def _read_central(
    conn: Any, device_ids: set[str], report: CheckReport
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[int, tuple[str, Any]]]]:
    regs: dict[str, dict[str, Any]] = {}
    for r in conn.execute(
        text(
            "SELECT id, device_id, code, revision, content_hash, status, applicant FROM registrations"
        )
    ):
        if r[1] in device_ids:
            regs[r[0]] = {
                "device_id": r[1],
                "code": r[2],
                "revision": r[3],
                "content_hash": r[4],
                "status": r[5],
                "applicant": _json(r[6]),
            }
    revs: dict[str, dict[int, tuple[str, Any]]] = defaultdict(dict)
    for rid, rev, digest, applicant in conn.execute(
        text(
            # the current revision's applicant is its registration's (migration 0013)
            "SELECT v.registration_id, v.revision, v.content_hash, "
            "coalesce(v.applicant, r.applicant) FROM registration_revisions v "
            "JOIN registrations r ON r.id = v.registration_id"
        )
    ):
        if rid in regs:
            if rev in revs[rid]:
                report.doubled += 1
                report.problems.append(f"central: two revision rows r{rev} for {rid}")
            revs[rid][rev] = (digest, _json(applicant))
    report.problems.extend(f"central: {p}" for p in integrity_problems(conn))
    return regs, dict(revs)


def status_disagreements(data_dir: Path, central_url: str) -> list[str]:
    """Records whose status on the device differs from the server's, for a device that has
    just finished a full sync (push and pull) with nothing pending."""
    d = read_device(data_dir)
    engine = create_engine(central_url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            central = dict(
                conn.execute(
                    text("SELECT id, status FROM registrations WHERE device_id = :d"),
                    {"d": d.device_id},
                ).all()
            )
    finally:
        engine.dispose()
    return [
        f"{rec.code}: device says {rec.status}, server says {central.get(rec.id)}"
        for rec in d.records.values()
        if not rec.pending and central.get(rec.id) != rec.status
    ]
