"""Synthetic central-database contents in bulk: the rows of the registration tables for a seed
and a count, as PostgreSQL ``COPY ... FROM STDIN`` text, fast enough for 10 million.

What a central database looks like after ``rows`` registrations arrived over 90 days: an
office in every one of the 514 regencies (``<regency>01``), two devices each, batches of 500
from one device each (the device drawn at random per batch), every registration with its
first revision and batch record, 2 % duplicate NIKs (each the same person again, at another
office, flagged ``duplicate_nik`` into a group of its own), 5 % sharing a family card (KK)
with another registration (the second of the card's two slots), statuses in realistic shares
and a decision for every decided one; the NIK claims, KK slots and dashboard summaries that
ingest would have written.

Everything is a function of the registration's number ``i`` and a few per-batch arrays, so
any range of batches can be generated on its own (``BulkSpec.table(name, b0, b1)``), in any
process, in any order, and the duplicate's NIK is found without a lookup. Applicants come
from a pool generated once by :class:`common.synthetic.Generator` (``per_regency`` people per
regency, villages of that regency); use number ``lap`` of pool member ``j`` carries NIK and
KK serial ``lap + 1`` and a phone shifted by ``lap``, so NIKs are unique (serials stay under
10,000 up to about 90 million rows) and every string is still valid. Each member's applicant
JSON is a template, already escaped for COPY text, with placeholders for those three values.

Imports nothing beyond the standard library and ``common`` (no Qt, Flask or database
driver): ``bench/`` keeps the COPY plumbing (bench/central_scale.py, bench/console.py).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common.regcode import check_char
from common.regions import regions
from common.synthetic import Generator
from common.validation import normalise_phone

BATCH = 500
#: Shares of the statuses of registrations that are not flagged (percent), in order.
STATUSES = (("received", 55), ("verified", 30), ("returned", 8), ("rejected", 7))
DECIDED = frozenset(("verified", "returned", "rejected"))
DUP_EVERY = 50  # i % 50 == 49: a duplicate NIK (2 %)
KK_EVERY = 20  # i % 20 == 10: shares the family card of registration i - 2 (5 %)
#: How far back a duplicate's first registration is (≡ 2 mod 50: never a duplicate itself, and
#: never the one just before a duplicate, which the first ones, closer than this, repeat).
DUP_DISTANCE = DUP_EVERY * 1009 + 2
SPAN = timedelta(days=90)
REVIEWERS = 20
_NIK, _KK, _PHONE = "@NIK@", "@KK@", "@PHONE@"

#: Columns of each table as :meth:`BulkSpec.table` writes them.
COLUMNS: dict[str, tuple[str, ...]] = {
    "offices": ("code", "regency_code", "name", "devices_enrolled", "created_at"),
    "devices": (
        "id",
        "office_code",
        "device_no",
        "name",
        "app_version",
        "credential_hash",
        "enrolled_at",
        "last_seen_at",
        "last_push_at",
    ),
    "batches": (
        "id",
        "device_id",
        "office_code",
        "batch_id",
        "source",
        "received_at",
        "record_count",
        "accepted",
        "duplicate_nik",
        "kk_limit",
        "invalid",
        "conflict",
        "already_received",
        "bytes_wire",
        "bytes_raw",
    ),
    "registrations": (
        "id",
        "code",
        "office_code",
        "device_id",
        "nik",
        "kk_number",
        "full_name",
        "phone",
        "province_code",
        "regency_code",
        "village_code",
        "status",
        "revision",
        "applicant",
        "content_hash",
        "operator",
        "channel",
        "device_time",
        "received_at",
        "updated_at",
        "batch_pk",
        "flag_reason",
        "duplicate_of_id",
        "duplicate_group_id",
        "kk_verified_slot",
    ),
    "registration_revisions": (
        "registration_id",
        "revision",
        "base_revision",
        "content_hash",
        "applicant",
        "operator",
        "device_id",
        "device_time",
        "batch_pk",
        "received_at",
    ),
    "batch_records": ("batch_pk", "position", "registration_id", "revision", "outcome"),
    "review_decisions": (
        "id",
        "registration_id",
        "revision",
        "decision",
        "reason",
        "note",
        "reviewer",
        "decided_at",
    ),
    "nik_primaries": ("nik", "registration_id"),
    "kk_slots": ("kk_number", "slot", "registration_id"),
    "duplicate_groups": (
        "id",
        "kind",
        "key",
        "primary_registration_id",
        "created_at",
        "resolution",
    ),
}
#: The tables whose rows grow with the count, generated per range of batches.
PER_BATCH = (
    "registrations",
    "registration_revisions",
    "batch_records",
    "review_decisions",
    "nik_primaries",
    "kk_slots",
    "duplicate_groups",
    "batches",
)


def tsv(value: Any) -> str:
    """One value in COPY text format."""
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def line(values: tuple[Any, ...]) -> str:
    return "\t".join(tsv(v) for v in values) + "\n"


def registration_id(i: int) -> str:
    """The id of registration ``i`` (a fixed UUID-shaped string)."""
    return f"{i:08x}-0000-4000-8000-{i:012x}"


def wib_day(at: datetime) -> date:
    """The Western Indonesia Time day of ``at`` (as the summary tables count days)."""
    return (at.astimezone(UTC) + timedelta(hours=7)).date()


@dataclass
class Member:
    """One pool applicant, as a COPY-escaped JSON template and the parts that vary by lap."""

    template: str
    nik12: str
    kk12: str
    phone: str  # as typed (the JSON's)
    phone_norm: str  # normalised (the column's)
    full_name: str
    village: str


def _phone_for(phone: str, lap: int) -> str:
    """``phone`` with its last three digits shifted by ``lap`` (same shape, still valid)."""
    if not lap:
        return phone
    tail = int(phone[-3:])
    return phone[:-3] + f"{(tail + lap * 37) % 1000:03d}"


@dataclass
class Counts:
    """What a range of registrations adds to the summary tables and the totals."""

    regency_status: Counter[tuple[str, str]] = field(default_factory=Counter)
    day_status: Counter[tuple[date, str, str]] = field(default_factory=Counter)
    day_decisions: Counter[tuple[date, str, str]] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)

    def add(self, other: Counts) -> None:
        self.regency_status.update(other.regency_status)
        self.day_status.update(other.day_status)
        self.day_decisions.update(other.day_decisions)
        self.totals.update(other.totals)


class BulkSpec:
    """The whole data set for ``rows`` registrations and ``seed``: pools and per-batch arrays
    (cheap, built once), and the rows of any table for any range of batches."""

    def __init__(
        self, rows: int, seed: int = 6, per_regency: int = 100, now: datetime | None = None
    ) -> None:
        self.rows, self.seed = rows, seed
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.start = self.now - SPAN
        areas = regions()
        self.regencies = [r.code for p in areas.children("") for r in areas.children(p.code)]
        self.pools = self._pools(areas, per_regency)
        self.offices = [(reg.replace(".", "") + "01", reg) for reg in self.regencies]
        #: (device id, office code, device_no, regency index)
        self.devices = [
            (f"{k:08x}-dddd-4000-8000-{k:012x}", code, no, r)
            for k, (code, no, r) in enumerate(
                (code, no, r) for r, (code, _reg) in enumerate(self.offices) for no in (1, 2)
            )
        ]
        self.n_batches = (rows + BATCH - 1) // BATCH
        rng = random.Random(seed)
        self.batch_device = [rng.randrange(len(self.devices)) for _ in range(self.n_batches)]
        # per batch: the regency's use counter and the device's code sequence at its start
        self.reg_start: list[int] = []
        self.seq_start: list[int] = []
        reg_used = [0] * len(self.regencies)
        dev_seq = [0] * len(self.devices)
        self.last_batch: dict[int, int] = {}
        for b, d in enumerate(self.batch_device):
            r = self.devices[d][3]
            self.reg_start.append(reg_used[r])
            self.seq_start.append(dev_seq[d])
            size = self.batch_size(b)
            reg_used[r] += size
            dev_seq[d] += size
            self.last_batch[d] = b
        self.reg_used = reg_used
        laps = self.laps_used()
        if laps >= 9999:
            raise ValueError(f"{rows} rows need {laps} laps of the pool: raise per_regency")

    def laps_used(self) -> int:
        """The most uses of one regency's pool (NIK and KK serials go up to this)."""
        return max(
            (used + len(pool) - 1) // len(pool)
            for used, pool in zip(self.reg_used, self.pools, strict=True)
        )

    def _pools(self, areas: Any, per_regency: int) -> list[list[Member]]:
        gen = Generator(self.seed, today=self.now.date())
        pools: list[list[Member]] = []
        for reg in self.regencies:
            gen.villages = [v.code for d in areas.children(reg) for v in areas.children(d.code)]
            members: list[Member] = []
            seen_nik: set[str] = set()
            seen_kk: set[str] = set()
            for _ in range(per_regency * 2):
                if len(members) >= per_regency:
                    break
                a = gen.applicant()
                nik12, kk12 = a["nik"][:12], a["kk_number"][:12]
                if nik12 in seen_nik or kk12 in seen_kk:
                    continue  # unique prefixes: serials then make every NIK and KK unique
                seen_nik.add(nik12)
                seen_kk.add(kk12)
                phone = a["phone"]
                doc = json.dumps(
                    {**a, "nik": _NIK, "kk_number": _KK, "phone": _PHONE},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                members.append(
                    Member(
                        tsv(doc),
                        nik12,
                        kk12,
                        phone,
                        normalise_phone(phone) or phone,
                        a["full_name"],
                        a["village_code"],
                    )
                )
            pools.append(members)
        return pools

    def batch_size(self, b: int) -> int:
        return min(BATCH, self.rows - b * BATCH)

    def batch_time(self, b: int) -> datetime:
        return self.start + SPAN * (b / self.n_batches)

    # -- one registration, as a function of its number ------------------------------------------

    def person(self, i: int) -> tuple[Member, int]:
        """The pool member and lap of registration ``i`` (before duplicates and shared cards)."""
        b, pos = divmod(i, BATCH)
        r = self.devices[self.batch_device[b]][3]
        pool = self.pools[r]
        lap, j = divmod(self.reg_start[b] + pos, len(pool))
        return pool[j], lap

    def nik(self, i: int) -> str:
        """The NIK registration ``i`` carries (a duplicate carries its first one's)."""
        if i % DUP_EVERY == DUP_EVERY - 1:
            i = self.first_of(i)
        m, lap = self.person(i)
        return f"{m.nik12}{lap + 1:04d}"

    def first_of(self, i: int) -> int:
        """The registration a duplicate ``i`` repeats."""
        return i - DUP_DISTANCE if i >= DUP_DISTANCE else i - 1

    def kk_number(self, i: int) -> str:
        if i % KK_EVERY == KK_EVERY // 2 and i >= 2:
            i -= 2
        m, lap = self.person(i)
        return f"{m.kk12}{lap + 1:04d}"

    def applicant(self, i: int) -> dict[str, Any]:
        """The applicant document registration ``i`` stores (as the server keeps it)."""
        j = self.first_of(i) if i % DUP_EVERY == DUP_EVERY - 1 else i
        m, lap = self.person(j)
        doc = (
            m.template.replace(_NIK, f"{m.nik12}{lap + 1:04d}")
            .replace(_KK, self.kk_number(j))
            .replace(_PHONE, _phone_for(m.phone, lap))
        )
        value: dict[str, Any] = json.loads(doc.replace("\\\\", "\\"))
        return value

    # -- tables ----------------------------------------------------------------------------------

    def fixed_table(self, name: str) -> str:
        """The rows of a table that does not grow with the count (offices, devices)."""
        if name == "offices":
            areas = regions()
            return "".join(
                line((code, reg, f"Disnaker {areas.name(reg)}", 2, self.start))
                for code, reg in self.offices
            )
        if name == "devices":
            out = []
            for d, (dev_id, office, no, _r) in enumerate(self.devices):
                b = self.last_batch.get(d)
                pushed = self.batch_time(b) if b is not None else None
                # a fifth of the devices have gone quiet: their last contact is their last batch
                seen = pushed if d % 5 == 0 else self.now - timedelta(hours=d % 48)
                out.append(
                    line((dev_id, office, no, f"PC loket {no}", "0.1.0", "0" * 64, self.start))[:-1]
                    + f"\t{tsv(seen if pushed else None)}\t{tsv(pushed)}\n"
                )
            return "".join(out)
        raise KeyError(name)

    def table(self, name: str, b0: int, b1: int) -> tuple[str, Counts]:
        """COPY text of table ``name`` for batches ``b0`` to ``b1`` (exclusive), and (for
        ``registrations`` and ``review_decisions``) what they add to the summaries."""
        counts = Counts()
        out: list[str] = []
        emit = out.append
        for b in range(b0, b1):
            dev_id, office, dev_no, r = self.devices[self.batch_device[b]]
            at = self.batch_time(b)
            at_s = at.isoformat()
            size = self.batch_size(b)
            first = b * BATCH
            if name == "batches":
                dups = sum(1 for i in range(first, first + size) if i % DUP_EVERY == DUP_EVERY - 1)
                emit(
                    f"{b + 1}\t{dev_id}\t{office}\tbatch-{b:07d}\tnetwork\t{at_s}\t{size}\t"
                    f"{size - dups}\t{dups}\t0\t0\t0\t0\t{size * 130}\t{size * 900}\n"
                )
                continue
            regency = self.regencies[r]
            province = regency[:2]
            day = wib_day(at)
            decided_day = wib_day(at + timedelta(days=1))
            decided_s = (at + timedelta(days=1)).isoformat()
            for pos in range(size):
                i = first + pos
                dup = i % DUP_EVERY == DUP_EVERY - 1
                rid = registration_id(i)
                if name == "batch_records":
                    emit(f"{b + 1}\t{pos}\t{rid}\t1\t{'duplicate_nik' if dup else 'accepted'}\n")
                    continue
                if name == "duplicate_groups":
                    if dup:
                        emit(
                            f"{i // DUP_EVERY + 1}\tnik\t{self.nik(i)}\t"
                            f"{registration_id(self.first_of(i))}\t{at_s}\t\n"
                        )
                    continue
                if name == "nik_primaries":
                    if not dup:
                        emit(f"{self.nik(i)}\t{rid}\n")
                    continue
                if name == "kk_slots":
                    if not dup:
                        shared = i % KK_EVERY == KK_EVERY // 2 and i >= 2
                        emit(f"{self.kk_number(i)}\t{2 if shared else 1}\t{rid}\n")
                    continue
                if dup:
                    status = "potential_duplicate"
                else:
                    roll = (i * 2654435761) % 100
                    acc = 0
                    status = "received"
                    for st, share in STATUSES:
                        acc += share
                        if roll < acc:
                            status = st
                            break
                if name == "review_decisions":
                    if status in DECIDED:
                        emit(
                            f"{i + 1}\t{rid}\t1\t{status}\t\t\treviewer{i % REVIEWERS:02d}\t"
                            f"{decided_s}\n"
                        )
                        counts.day_decisions[(decided_day, province, status)] += 1
                        counts.totals["decisions"] += 1
                    continue
                m, lap = self.person(self.first_of(i) if dup else i)
                nik = f"{m.nik12}{lap + 1:04d}"
                kk = self.kk_number(self.first_of(i) if dup else i)
                phone = _phone_for(m.phone, lap)
                doc = m.template.replace(_NIK, nik).replace(_KK, kk).replace(_PHONE, phone)
                h = hashlib.sha256(doc.encode()).hexdigest()
                if name == "registration_revisions":
                    # the only, so current, revision: its applicant is the registration's (0013)
                    emit(f"{rid}\t1\t0\t{h}\t\\N\tpetugas\t{dev_id}\t{at_s}\t{b + 1}\t{at_s}\n")
                    continue
                if name != "registrations":
                    raise KeyError(name)
                seq = self.seq_start[b] + pos + 1
                payload = f"{office}-{dev_no:03d}-{seq:06d}"
                if dup:
                    flags = (
                        f"duplicate_nik\t{registration_id(self.first_of(i))}\t{i // DUP_EVERY + 1}"
                    )
                    counts.totals["flagged"] += 1
                else:
                    flags = "\\N\t\\N\t\\N"
                slot = 2 if (i % KK_EVERY == KK_EVERY // 2 and i >= 2) else 1
                phone_norm = _phone_for(m.phone_norm, lap)
                emit(
                    f"{rid}\t{payload}-{check_char(payload)}\t{office}\t{dev_id}\t{nik}\t{kk}\t"
                    f"{tsv(m.full_name)}\t{phone_norm}\t{m.village[:2]}\t{m.village[:5]}\t"
                    f"{m.village}\t{status}\t1\t{doc}\t{h}\tpetugas\tcounter\t{at_s}\t{at_s}\t"
                    f"{at_s}\t{b + 1}\t{flags}\t{slot}\n"
                )
                # the summaries count by the registration's own region (its village)
                counts.regency_status[(m.village[:5], status)] += 1
                counts.day_status[(day, m.village[:2], status)] += 1
                counts.totals["registrations"] += 1
        return "".join(out), counts

    def summary_rows(self, counts: Counts) -> dict[str, str]:
        """COPY text of the three summary tables (bucket 0) from the summed counts."""
        return {
            "summary_regency_status": "".join(
                f"{reg}\t{st}\t0\t{n}\n" for (reg, st), n in sorted(counts.regency_status.items())
            ),
            "summary_day_status": "".join(
                f"{d.isoformat()}\t{p}\t{st}\t0\t{n}\n"
                for (d, p, st), n in sorted(counts.day_status.items())
            ),
            "summary_day_decisions": "".join(
                f"{d.isoformat()}\t{p}\t{dec}\t0\t{n}\n"
                for (d, p, dec), n in sorted(counts.day_decisions.items())
            ),
            # one open group per duplicate (none is resolved)
            "summary_open_groups": f"0\t{counts.totals['flagged']}\n",
        }

    def chunks(self, batches_per_chunk: int = 20) -> Iterator[tuple[int, int]]:
        for b0 in range(0, self.n_batches, batches_per_chunk):
            yield b0, min(self.n_batches, b0 + batches_per_chunk)


SUMMARY_COLUMNS = {
    "summary_regency_status": ("regency_code", "status", "bucket", "n"),
    "summary_day_status": ("day", "province_code", "status", "bucket", "n"),
    "summary_day_decisions": ("day", "province_code", "decision", "bucket", "n"),
    "summary_open_groups": ("bucket", "n"),
}
