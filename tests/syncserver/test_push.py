"""Push contract: per-record outcomes, idempotency, conflicts, flags. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

from common import errors as E
from common.record import content_hash
from tests.syncserver.conftest import Api, dump_tables


def test_accepts_new_records_and_stores_them_once(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    recs = [api.record(a, dev) for a in people[:20]]
    got = api.push(dev, recs)
    assert got.status == 200
    assert got.outcomes == ["accepted"] * 20
    assert {r.status.value for r in got.response.results} == {"received"}
    rows = api.sql("SELECT id, revision, status, office_code, device_id FROM registrations")
    assert sorted(r[0] for r in rows) == sorted(r.id for r in recs)
    assert {(r[1], r[2], r[3], r[4]) for r in rows} == {(1, "received", dev.office_code, dev.id)}
    assert api.sql("SELECT count(*) FROM registration_revisions")[0][0] == 20
    batch = api.sql(
        "SELECT record_count, accepted, bytes_wire, bytes_raw, office_code FROM batches"
    )[0]
    assert batch[0] == batch[1] == 20 and 0 < batch[2] < batch[3] and batch[4] == dev.office_code
    assert api.sql("SELECT count(*) FROM batch_records WHERE outcome = 'accepted'")[0][0] == 20


def test_same_batch_again_returns_the_stored_answer_and_changes_nothing(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll()
    body = api.body(
        dev, [api.record(a, dev) for a in people[:10]] + [api.record({**people[0]}, dev)]
    )
    first = api.push(dev, [], body=body)
    before = dump_tables(api.ext.engine)
    again = api.push(dev, [], body=body, encoding="gzip")
    assert again.body == first.body  # byte-for-byte the same answer, server_time included
    assert dump_tables(api.ext.engine) == before


def test_records_resent_in_a_new_batch_are_already_received(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    recs = [api.record(a, dev) for a in people[:5]]
    api.push(dev, recs)
    before = api.sql("SELECT * FROM registrations ORDER BY id")
    got = api.push(dev, recs)
    assert got.outcomes == ["already_received"] * 5
    assert all(
        r.status.value == "received" and r.server_revision == 1 for r in got.response.results
    )
    assert api.sql("SELECT * FROM registrations ORDER BY id") == before


def test_invalid_records_are_refused_with_codes_and_not_stored(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll()
    bad = dict(people[1], nik=people[1]["nik"][:15], phone="021-5551234")
    recs = [api.record(people[0], dev), api.record(bad, dev)]
    got = api.push(dev, recs)
    assert got.outcomes == ["accepted", "invalid"]
    assert {E.NIK_FORMAT, E.PHONE_INVALID} <= set(got.response.results[1].errors)
    assert api.sql("SELECT count(*) FROM registrations")[0][0] == 1
    assert api.sql("SELECT errors FROM batch_records WHERE outcome = 'invalid'")


def test_unknown_applicant_field_is_an_invalid_record(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    got = api.push(dev, [api.record(dict(people[0], hobby="catur"), dev)])
    assert got.outcomes == ["invalid"] and E.UNKNOWN_FIELD in got.response.results[0].errors


def test_same_nik_from_another_office_is_kept_and_flagged(api: Api, people: list[dict]) -> None:
    a = api.enroll("320101")
    b = api.enroll("327101", "Disnaker Kota Bogor")
    first = api.record(people[0], a)
    second = api.record(dict(people[0], phone="081299990000"), b)
    assert api.push(a, [first]).outcomes == ["accepted"]
    got = api.push(b, [second])
    # the device is told nothing about another office's registration (issue 12 finding 4)
    assert got.outcomes == ["accepted"]
    res = got.response.results[0]
    assert res.status.value == "received" and res.duplicate_of is None
    assert api.sql("SELECT outcome FROM batch_records WHERE registration_id = :i", i=second.id) == [
        ("duplicate_nik",)
    ]  # central sees it
    rows = api.sql(
        "SELECT id, status, flag_reason, duplicate_of_id, duplicate_group_id FROM registrations ORDER BY received_at, id"
    )
    flagged = [r for r in rows if r[0] == second.id][0]
    assert flagged[1:4] == ("potential_duplicate", "duplicate_nik", first.id)
    group = api.sql(
        "SELECT kind, key, primary_registration_id FROM duplicate_groups WHERE id = :g",
        g=flagged[4],
    )
    assert group == [("nik", people[0]["nik"], first.id)]
    assert api.sql("SELECT registration_id FROM nik_primaries") == [(first.id,)]


def test_same_nik_twice_in_one_batch_first_is_primary(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    recs = [api.record(people[0], dev), api.record(dict(people[0], street="Jl. Lain No. 2"), dev)]
    got = api.push(dev, recs)
    assert got.outcomes == ["accepted", "duplicate_nik"]
    assert got.response.results[1].duplicate_of == recs[0].code


def test_third_person_on_a_family_card_is_flagged(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    kk = people[0]["kk_number"]
    family = [dict(p, kk_number=kk) for p in people[:4]]
    got = api.push(dev, [api.record(p, dev) for p in family])
    assert got.outcomes == ["accepted", "accepted", "kk_limit", "kk_limit"]
    assert got.response.results[2].status.value == "potential_duplicate"
    unflagged = api.sql(
        "SELECT count(*) FROM registrations WHERE kk_number = :k AND flag_reason IS NULL", k=kk
    )
    assert unflagged == [(2,)]
    assert api.sql("SELECT count(*) FROM kk_slots WHERE kk_number = :k", k=kk) == [(2,)]


def test_duplicate_nik_does_not_take_a_family_card_slot(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    again = dict(people[0], phone="081377778888")
    other = dict(people[1], kk_number=people[0]["kk_number"])
    got = api.push(
        dev, [api.record(people[0], dev), api.record(again, dev), api.record(other, dev)]
    )
    assert got.outcomes == ["accepted", "duplicate_nik", "accepted"]


def test_same_id_and_revision_with_other_content_is_a_conflict(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    api.push(dev, [rec])
    changed = dict(people[0], street="Jl. Baru No. 1")
    clash = api.record(changed, dev, id=rec.id, code=rec.code)
    got = api.push(dev, [clash])
    assert got.outcomes == ["conflict"] and got.response.results[0].server_revision == 1
    assert api.sql("SELECT applicant FROM registrations")[0][0] != changed  # never overwritten
    assert api.sql("SELECT content_hash FROM registrations") == [(rec.content_hash,)]


def test_new_revision_on_current_base_is_accepted_stale_base_conflicts(
    api: Api, people: list[dict]
) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    api.push(dev, [rec])
    v2 = dict(people[0], street="Jl. Revisi No. 2")
    r2 = api.record(v2, dev, id=rec.id, code=rec.code, revision=2, base_revision=1)
    assert api.push(dev, [r2]).outcomes == ["accepted"]
    v3 = dict(people[0], street="Jl. Cabang No. 3")  # edited from revision 1 again: stale
    r3 = api.record(v3, dev, id=rec.id, code=rec.code, revision=3, base_revision=1)
    got = api.push(dev, [r3])
    assert got.outcomes == ["conflict"] and got.response.results[0].server_revision == 2
    assert api.sql("SELECT revision, content_hash FROM registrations") == [(2, content_hash(v2))]
    assert api.push(dev, [rec]).outcomes == ["already_received"]  # an old revision, re-sent


def test_returned_record_comes_back_as_a_new_revision(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    api.push(dev, [rec])
    api.decide(rec.id, "returned", note="Perbaiki alamat")
    assert api.sql("SELECT status FROM registrations") == [("returned",)]
    fixed = api.record(
        dict(people[0], street="Jl. Benar No. 9"),
        dev,
        id=rec.id,
        code=rec.code,
        revision=2,
        base_revision=1,
    )
    got = api.push(dev, [fixed])
    assert got.outcomes == ["accepted"] and got.response.results[0].status.value == "received"
    assert api.sql("SELECT status, revision FROM registrations") == [("received", 2)]
    assert api.sql("SELECT count(*) FROM nik_primaries") == [(1,)]


def test_new_revision_with_another_nik_moves_the_claim(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    api.push(dev, [rec])
    fixed = api.record(people[1], dev, id=rec.id, code=rec.code, revision=2, base_revision=1)
    assert api.push(dev, [fixed]).outcomes == ["accepted"]
    assert api.sql("SELECT nik FROM nik_primaries") == [(people[1]["nik"],)]
    later = api.record(people[0], dev)  # the old NIK is free again
    assert api.push(dev, [later]).outcomes == ["accepted"]


def test_same_id_twice_in_a_batch(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    rec = api.record(people[0], dev)
    r2 = api.record(
        dict(people[0], street="Jl. Dua"),
        dev,
        id=rec.id,
        code=rec.code,
        revision=2,
        base_revision=1,
    )
    got = api.push(dev, [rec, rec, r2])
    assert got.outcomes == ["accepted", "already_received", "accepted"]
    assert api.sql("SELECT revision FROM registrations") == [(2,)]


def test_record_shape_errors_are_per_record(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    recs = [
        api.record(people[0], dev, revision=1, base_revision=1),
        api.record(people[1], dev, channel="fax"),
        api.record(people[2], dev, device_time="kemarin"),
        api.record(people[3], dev),
    ]
    got = api.push(dev, recs)
    assert got.outcomes == ["invalid", "invalid", "invalid", "accepted"]


def test_batch_outcome_counts_are_logged(api: Api, people: list[dict]) -> None:
    dev = api.enroll()
    recs = [
        api.record(people[0], dev),
        api.record(dict(people[0], phone="081211112222"), dev),
        api.record(dict(people[1], nik="123"), dev),
    ]
    got = api.push(dev, recs)
    assert Counter(got.outcomes) == {"accepted": 1, "duplicate_nik": 1, "invalid": 1}
    row = api.sql(
        "SELECT accepted, duplicate_nik, invalid, conflict, kk_limit, already_received, device_id FROM batches"
    )
    assert row == [(1, 1, 1, 0, 0, 0, dev.id)]
    assert api.sql("SELECT last_push_at IS NOT NULL FROM devices") == [(True,)]
