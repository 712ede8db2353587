"""NIK and family-card claims as a device sees them and as the database keeps them (issue 12,
findings 4 and 14). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from tests.syncserver.conftest import Api, Device


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    """A push result without what names the record itself (its id)."""
    return {k: v for k, v in result.items() if k != "id"}


def _revise(api: Api, dev: Device, rec: Any, applicant: dict[str, Any], revision: int) -> Any:
    return api.record(
        applicant, dev, id=rec.id, code=rec.code, revision=revision, base_revision=revision - 1
    )


def _pulled(api: Api, dev: Device) -> dict[str, dict[str, Any]]:
    r = api.pull(dev)
    assert r.status_code == 200
    return {c["registration_id"]: c for c in r.get_json()["changes"]}


# --- finding 4: no device learns what another office holds -----------------------------------
def test_a_nik_held_by_another_office_is_answered_like_a_fresh_nik(
    api: Api, people: list[dict]
) -> None:
    bogor, makassar = api.enroll("320101"), api.enroll("737101", "Laptop")
    assert api.push(bogor, [api.record(people[0], bogor)]).outcomes == ["accepted"]
    probe = api.record(dict(people[0], phone="081299990000"), makassar)
    fresh = api.record(people[1], makassar)
    first = api.push(makassar, [probe, fresh]).body["results"]
    assert _shape(first[0]) == _shape(first[1])
    assert first[0] == {
        "id": probe.id,
        "revision": 1,
        "outcome": "accepted",
        "status": "received",
        "errors": [],
        "duplicate_of": None,
        "server_revision": None,
    }
    # sent again, and sent with other content: still nothing tells the two apart
    again = api.push(makassar, [probe, fresh]).body["results"]
    assert _shape(again[0]) == _shape(again[1]) and again[0]["outcome"] == "already_received"
    other = [
        api.record(dict(people[0], street="Jl. X 1"), makassar, id=probe.id, code=probe.code),
        api.record(dict(people[1], street="Jl. X 1"), makassar, id=fresh.id, code=fresh.code),
    ]
    conflict = api.push(makassar, other).body["results"]
    assert _shape(conflict[0]) == _shape(conflict[1]) and conflict[0]["outcome"] == "conflict"
    # central still sees the duplicate, flagged for review
    row = api.sql("SELECT status, flag_reason FROM registrations WHERE id = :i", i=probe.id)
    assert row == [("potential_duplicate", "duplicate_nik")]


def test_a_family_card_full_in_another_office_is_answered_like_a_fresh_one(
    api: Api, people: list[dict]
) -> None:
    bogor, makassar = api.enroll("320101"), api.enroll("737101", "Laptop")
    kk = people[0]["kk_number"]
    assert api.push(
        bogor, [api.record(dict(p, kk_number=kk), bogor) for p in people[:2]]
    ).outcomes == ["accepted", "accepted"]
    third = api.record(dict(people[2], kk_number=kk), makassar)
    fresh = api.record(people[3], makassar)
    got = api.push(makassar, [third, fresh]).body["results"]
    assert _shape(got[0]) == _shape(got[1]) and got[0]["outcome"] == "accepted"
    row = api.sql("SELECT flag_reason FROM registrations WHERE id = :i", i=third.id)
    assert row == [("kk_limit",)]


def test_a_card_full_against_one_s_own_record_does_not_betray_the_other_holder(
    api: Api, people: list[dict]
) -> None:
    bogor, makassar = api.enroll("320101"), api.enroll("737101", "Laptop")
    kk, control = people[0]["kk_number"], people[5]["kk_number"]
    api.push(makassar, [api.record(dict(people[0], kk_number=kk), makassar)])  # slot 1: its own
    api.push(bogor, [api.record(dict(people[1], kk_number=kk), bogor)])  # slot 2: another office
    api.push(makassar, [api.record(dict(people[5], kk_number=control), makassar)])
    probe = api.record(dict(people[2], kk_number=kk), makassar)
    fresh = api.record(dict(people[3], kk_number=control), makassar)  # second on its card
    got = api.push(makassar, [probe, fresh]).body["results"]
    assert _shape(got[0]) == _shape(got[1]) and got[0]["outcome"] == "accepted"
    again = api.push(makassar, [probe, fresh]).body["results"]
    assert _shape(again[0]) == _shape(again[1])
    assert api.sql("SELECT flag_reason FROM registrations WHERE id = :i", i=probe.id) == [
        ("kk_limit",)
    ]


def test_a_duplicate_within_the_office_may_name_the_office_s_own_record(
    api: Api, people: list[dict]
) -> None:
    dev, other_pc = api.enroll("320101"), api.enroll("320101", "PC 2")
    first = api.record(people[0], dev)
    api.push(dev, [first])
    got = api.push(other_pc, [api.record(dict(people[0], phone="081299990000"), other_pc)])
    assert got.outcomes == ["duplicate_nik"] and got.response.results[0].duplicate_of == first.code


def test_a_pulled_decision_never_names_another_office_s_registration(
    api: Api, people: list[dict]
) -> None:
    bogor, makassar = api.enroll("320101"), api.enroll("737101", "Laptop")
    first = api.record(people[0], bogor)
    api.push(bogor, [first])
    second = api.record(dict(people[0], phone="081299990000"), makassar)
    api.push(makassar, [second])
    api.decide(second.id, "returned", note="periksa NIK")
    change = _pulled(api, makassar)[second.id]
    assert change["status"] == "returned" and change["duplicate_of"] is None
    assert first.code not in json.dumps(api.pull(makassar).get_json())
    # within the office the link is the office's own data and is kept
    local = api.record(dict(people[0], phone="081311112222"), bogor)
    api.push(bogor, [local])
    api.decide(local.id, "returned", note="periksa")
    assert _pulled(api, bogor)[local.id]["duplicate_of"] == first.code


def test_a_claim_passing_to_a_record_of_another_office_is_not_announced(
    api: Api, people: list[dict]
) -> None:
    bogor, makassar = api.enroll("320101"), api.enroll("737101", "Laptop")
    a = api.record(people[0], bogor)
    api.push(bogor, [a])
    probe = api.record(dict(people[0], phone="081299990000"), makassar)
    assert api.push(makassar, [probe]).outcomes == ["accepted"]
    cursor = api.pull(makassar).get_json()["cursor"]
    api.push(bogor, [_revise(api, bogor, a, people[1], 2)])
    assert api.sql(
        "SELECT registration_id FROM nik_primaries WHERE nik = :n", n=people[0]["nik"]
    ) == [(probe.id,)]
    # a change now would tell the device its record had been flagged
    assert api.pull(makassar, cursor).get_json()["changes"] == []


# --- finding 14: the claim and the group follow a NIK change ---------------------------------
def claims_problems(api: Api) -> list[str]:
    """Every way the NIK claims, flags and duplicate groups can disagree; empty when they are
    consistent (the model test checks it after every step)."""
    out: list[str] = []
    regs = api.sql(
        "SELECT id, nik, kk_number, status, flag_reason, duplicate_of_id, duplicate_group_id "
        "FROM registrations"
    )
    claims = dict(api.sql("SELECT nik, registration_id FROM nik_primaries"))
    slots = api.sql("SELECT kk_number, registration_id FROM kk_slots")
    groups = {
        g[0]: g[1:]
        for g in api.sql(
            "SELECT id, kind, key, primary_registration_id, resolved_at FROM duplicate_groups"
        )
    }
    by_id = {r[0]: r for r in regs}
    for nik, rid in claims.items():
        if by_id[rid][1] != nik:
            out.append(f"claim of {nik} held by {rid} of NIK {by_id[rid][1]}")
    for kk, rid in slots:
        if by_id[rid][2] != kk:
            out.append(f"slot of {kk} held by {rid} of card {by_id[rid][2]}")
    for rid, nik, kk, status, flag, dup, gid in regs:
        if status == "rejected":
            continue
        if flag is None and claims.get(nik) != rid:
            out.append(f"{rid} unflagged but not the primary of {nik}")
        if flag == "duplicate_nik":
            if claims.get(nik) in (None, rid) or dup != claims[nik]:
                out.append(f"{rid} flagged against {dup}, primary of {nik} is {claims.get(nik)}")
            if gid is None or groups[gid][:3] != ("nik", nik, claims.get(nik)):
                out.append(f"{rid} of {nik} in group {gid and groups[gid]}")
            if gid is not None and groups[gid][3] is not None:
                out.append(f"{rid} waits in resolved group {gid}")
        if flag == "kk_limit":
            holders = {h for k, h in slots if k == kk}
            if dup not in holders or len(holders) != 2:
                out.append(f"{rid} kk_limit against {dup}, card {kk} held by {holders}")
        if flag is None and gid is not None:
            out.append(f"unflagged {rid} in group {gid}")
    for gid, (kind, key, primary, _resolved) in groups.items():
        if not any(r[6] == gid for r in regs):
            out.append(f"group {gid} ({kind} {key}) has no member")
        if kind == "nik" and claims.get(key) != primary:
            out.append(f"group {gid} of {key}: primary {primary}, claim {claims.get(key)}")
    return out


def test_the_primary_changing_nik_hands_the_claim_and_group_on(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll("320101")
    nik1 = people[0]
    a = api.record(nik1, dev)
    assert api.push(dev, [a]).outcomes == ["accepted"]
    api.clock.offset += timedelta(seconds=1)
    b = api.record(dict(nik1, phone="081299990000"), dev)
    assert api.push(dev, [b]).outcomes == ["duplicate_nik"]
    api.clock.offset += timedelta(seconds=1)
    a2 = _revise(api, dev, a, people[1], 2)  # A becomes another person (NIK and card)
    assert api.push(dev, [a2]).outcomes == ["accepted"]
    assert api.sql("SELECT registration_id FROM nik_primaries WHERE nik = :n", n=nik1["nik"]) == [
        (b.id,)
    ]
    assert api.sql(
        "SELECT status, flag_reason, duplicate_of_id, duplicate_group_id FROM registrations "
        "WHERE id = :i",
        i=b.id,
    ) == [("received", None, None, None)]
    assert api.sql(
        "SELECT registration_id FROM kk_slots WHERE kk_number = :k", k=nik1["kk_number"]
    ) == [(b.id,)]
    assert api.sql("SELECT count(*) FROM duplicate_groups") == [(0,)]  # nothing left to review
    assert claims_problems(api) == []

    api.clock.offset += timedelta(seconds=1)
    c = api.record(dict(nik1, phone="081311112222"), dev)
    got = api.push(dev, [c])
    assert got.outcomes == ["duplicate_nik"] and got.response.results[0].duplicate_of == b.code
    assert api.sql("SELECT duplicate_of_id FROM registrations WHERE id = :i", i=c.id) == [(b.id,)]
    assert claims_problems(api) == []

    api.clock.offset += timedelta(seconds=1)
    back = _revise(api, dev, a, nik1, 3)
    got = api.push(dev, [back])
    assert got.outcomes == ["duplicate_nik"] and got.response.results[0].duplicate_of == b.code
    assert (
        api.sql("SELECT registration_id FROM nik_primaries WHERE nik = :n", n=people[1]["nik"])
        == []
    )
    assert claims_problems(api) == []
    group = api.sql(
        "SELECT primary_registration_id FROM duplicate_groups WHERE key = :n", n=nik1["nik"]
    )
    assert group == [(b.id,)]


def test_the_primary_leaving_a_group_of_three_keeps_the_others_in_it(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll("320101")
    recs = []
    for i in range(3):
        api.clock.offset += timedelta(seconds=1)
        recs.append(api.record(dict(people[0], phone=f"08129999000{i}"), dev))
        api.push(dev, [recs[-1]])
    a, b, c = recs
    api.push(dev, [_revise(api, dev, a, people[1], 2)])
    assert api.sql(
        "SELECT duplicate_of_id, flag_reason FROM registrations WHERE id = :i", i=c.id
    ) == [(b.id, "duplicate_nik")]
    assert claims_problems(api) == []


def test_a_flagged_record_leaving_its_nik_dissolves_an_empty_group(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll("320101")
    a = api.record(people[0], dev)
    b = api.record(dict(people[0], phone="081299990000"), dev)
    api.push(dev, [a, b])
    api.push(dev, [_revise(api, dev, b, people[1], 2)])
    assert api.sql("SELECT count(*) FROM duplicate_groups") == [(0,)]
    assert api.sql("SELECT status, flag_reason FROM registrations WHERE id = :i", i=b.id) == [
        ("received", None)
    ]
    assert claims_problems(api) == []


def test_a_freed_family_card_slot_passes_to_the_earliest_flagged_registration(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll("320101")
    kk = people[0]["kk_number"]
    family = []
    for p in people[:4]:
        api.clock.offset += timedelta(seconds=1)
        family.append(api.record(dict(p, kk_number=kk), dev))
        api.push(dev, [family[-1]])
    # the first slot holder moves to its own card: the third registration takes the slot
    api.push(
        dev, [_revise(api, dev, family[0], dict(people[0], kk_number=people[4]["kk_number"]), 2)]
    )
    holders = {
        r[0] for r in api.sql("SELECT registration_id FROM kk_slots WHERE kk_number = :k", k=kk)
    }
    assert holders == {family[1].id, family[2].id}
    assert (
        api.sql(
            "SELECT flag_reason, duplicate_of_id FROM registrations WHERE id = :i", i=family[3].id
        )[0][0]
        == "kk_limit"
    )
    assert claims_problems(api) == []


def test_a_slot_holder_becoming_a_nik_duplicate_passes_its_slot_on(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll("320101")
    kk = people[0]["kk_number"]
    other = api.record(people[5], dev)
    api.push(dev, [other])
    family = []
    for p in people[:3]:
        api.clock.offset += timedelta(seconds=1)
        family.append(api.record(dict(p, kk_number=kk), dev))
        api.push(dev, [family[-1]])
    # the first holder turns out to be the person of `other` (same NIK), on the same card
    got = api.push(dev, [_revise(api, dev, family[0], dict(people[5], kk_number=kk), 2)])
    assert got.outcomes == ["duplicate_nik"]
    holders = api.sql("SELECT registration_id FROM kk_slots WHERE kk_number = :k", k=kk)
    assert {r[0] for r in holders} == {family[1].id, family[2].id}
    assert api.sql("SELECT flag_reason FROM registrations WHERE id = :i", i=family[2].id) == [
        (None,)
    ]
    assert claims_problems(api) == []


def test_a_new_duplicate_reopens_a_resolved_group(api: Api, people: list[dict]) -> None:
    dev = api.enroll("320101")
    a = api.record(people[0], dev)
    b = api.record(dict(people[0], phone="081299990000"), dev)
    api.push(dev, [a, b])
    with api.ext.engine.begin() as conn:  # resolved, as the console's resolve does
        conn.execute(text("UPDATE duplicate_groups SET resolved_at = created_at, resolution = 'x'"))
    c = api.record(dict(people[0], phone="081311112222"), dev)
    api.push(dev, [c])
    assert api.sql("SELECT resolved_at FROM duplicate_groups") == [(None,)]
    assert claims_problems(api) == []


# --- a model of the NIK claim, driven by hypothesis ------------------------------------------
class _ClaimModel:
    """The claim as it should be: a NIK's primary keeps it while it holds that NIK; when it
    leaves, the earliest remaining registration of the NIK inherits it; a registration that
    comes to a NIK without a primary becomes it."""

    def __init__(self) -> None:
        self.nik_of: dict[str, int] = {}  # registration id -> index of its NIK
        self.order: list[str] = []  # arrival order (received_at)
        self.holder: dict[int, str] = {}

    def arrive(self, rid: str, k: int) -> None:
        self.order.append(rid)
        self.nik_of[rid] = k
        self.holder.setdefault(k, rid)

    def move(self, rid: str, k: int) -> None:
        old = self.nik_of[rid]
        self.nik_of[rid] = k
        if self.holder.get(old) == rid:
            rest = [r for r in self.order if self.nik_of[r] == old]
            if rest:
                self.holder[old] = rest[0]
            else:
                del self.holder[old]
        self.holder.setdefault(k, rid)


def test_claims_follow_a_simple_model(api: Api, people: list[dict]) -> None:
    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import (
        RuleBasedStateMachine,
        invariant,
        rule,
        run_state_machine_as_test,
    )

    dev = api.enroll("320101")
    pool = iter(range(0, len(people) - 4, 4))  # 4 fresh identities for every example
    handovers: list[str] = []  # primaries that left their NIK (the run must exercise it)

    class Claims(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            base = next(pool)
            self.who = [people[base + i] for i in range(4)]
            self.model = _ClaimModel()
            self.recs: dict[str, Any] = {}
            self.revision: dict[str, int] = {}
            self.n = 0

        def _push(self, rec: Any) -> None:
            api.clock.offset += timedelta(seconds=1)
            got = api.push(dev, [rec])
            assert got.outcomes[0] in ("accepted", "duplicate_nik"), got.body

        def _applicant(self, k: int) -> dict[str, Any]:
            self.n += 1
            return dict(self.who[k], phone=f"0812{self.n:08d}")

        @rule(k=st.integers(0, 3))
        def register(self, k: int) -> None:
            rec = api.record(self._applicant(k), dev)
            self._push(rec)
            self.recs[rec.id], self.revision[rec.id] = rec, 1
            self.model.arrive(rec.id, k)

        @rule(i=st.integers(0, 15), k=st.integers(0, 3))
        def change_nik(self, i: int, k: int) -> None:
            if not self.recs:
                return
            rid = self.model.order[i % len(self.model.order)]  # not the ids: they are random
            self.revision[rid] += 1
            self._push(_revise(api, dev, self.recs[rid], self._applicant(k), self.revision[rid]))
            if k != self.model.nik_of[rid]:
                if self.model.holder.get(self.model.nik_of[rid]) == rid:
                    handovers.append(rid)
                self.model.move(rid, k)

        @invariant()
        def agrees(self) -> None:
            niks = {i: self.who[i]["nik"] for i in range(4)}
            got = dict(api.sql("SELECT nik, registration_id FROM nik_primaries"))
            want = {niks[k]: rid for k, rid in self.model.holder.items()}
            assert {n: got.get(n) for n in niks.values()} == {n: want.get(n) for n in niks.values()}
            for rid in self.recs:
                flag, dup = api.sql(
                    "SELECT flag_reason, duplicate_of_id FROM registrations WHERE id = :i", i=rid
                )[0]
                primary = self.model.holder[self.model.nik_of[rid]]
                assert (flag, dup) == (
                    (None, None) if primary == rid else ("duplicate_nik", primary)
                )
            assert claims_problems(api) == []

    run_state_machine_as_test(
        Claims,
        settings=settings(
            max_examples=12,
            stateful_step_count=10,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert len(handovers) >= 5, handovers
