"""RegistrationService: save, edit as revisions, duplicates, drafts, search, counts, audit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from common import errors as E
from common.enums import Channel, Status
from common.regcode import ALPHABET, is_valid_code, make_code
from desktop.services.registrations import Action, RegistrationService, fts_query
from desktop.store.models import AuditEvent, OutboxEntry, RegistrationRecord, RevisionRecord

from .conftest import DEVICE_NO, OFFICE


def _count(service: RegistrationService, model) -> int:
    with service.store.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _audit(service: RegistrationService) -> list[tuple[str, str | None, dict]]:
    with service.store.session(write=False) as s:
        return [
            (a.action, a.registration_id, json.loads(a.detail_json))
            for a in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def test_save_writes_record_revision_outbox_and_audit_in_one_go(service, applicant, clock) -> None:
    raw = applicant()
    result = service.save(raw)
    assert result.ok and result.existing_id is None
    reg = result.registration
    assert reg.code == make_code(OFFICE, DEVICE_NO, 1) and is_valid_code(reg.code)
    assert reg.provenance.revision == 1 and reg.provenance.status is Status.SAVED
    assert reg.provenance.operator == "ani" and reg.provenance.office_code == OFFICE
    assert reg.provenance.channel is Channel.COUNTER and reg.provenance.device_time == clock.now
    assert reg.applicant.nik == raw["nik"] and reg.applicant.phone.startswith("+628")
    assert service.get(reg.id) == reg
    assert service.find_by_nik(raw["nik"]).id == reg.id
    assert service.get_by_code(reg.code.lower()).id == reg.id
    assert _count(service, RevisionRecord) == 1 and _count(service, OutboxEntry) == 1
    assert _audit(service) == [("created", reg.id, {"code": reg.code, "channel": "counter"})]


def test_invalid_input_saves_nothing(service, applicant) -> None:
    raw = applicant()
    raw["phone"] = "021-5551234"
    raw["consent_given"] = False
    result = service.save(raw)
    assert not result.ok and result.registration is None
    assert {p.code for p in result.problems} >= {E.PHONE_INVALID, E.CONSENT_REQUIRED}
    assert _count(service, RegistrationRecord) == 0 and _count(service, OutboxEntry) == 0
    assert service.store.get_setting("next_sequence") is None  # no sequence number used


def test_a_nik_already_on_the_device_points_at_the_existing_record(service, applicant) -> None:
    raw = applicant()
    first = service.save(raw).registration
    again = dict(raw, phone="081299998888")
    result = service.save(again)
    assert not result.ok and result.existing_id == first.id
    assert _count(service, RegistrationRecord) == 1


def test_edit_makes_a_new_revision_with_history(service, applicant, clock) -> None:
    raw = applicant()
    reg = service.save(raw).registration
    clock.advance(minutes=3)
    edited = dict(raw, full_name="Siti Rahmawati", street="Jl. Melati No. 5")
    result = service.save(edited, registration_id=reg.id)
    assert result.ok and result.changed
    assert result.registration.provenance.revision == 2
    assert result.registration.code == reg.code  # the code never changes
    history = service.history(reg.id)
    assert [h.revision for h in history] == [1, 2]
    assert history[0].changed_fields == []
    assert set(history[1].changed_fields) == {"full_name", "street"}
    assert history[1].created_at == clock.now
    with service.store.session(write=False) as s:
        outbox = (
            s.execute(select(OutboxEntry.revision).where(OutboxEntry.registration_id == reg.id))
            .scalars()
            .all()
        )
    assert sorted(outbox) == [1, 2]
    assert _audit(service)[-1][0] == "edited"
    assert _audit(service)[-1][2]["revision"] == 2
    assert [r.id for r in service.search("rahmawati")] == [reg.id]


def test_edit_without_changes_makes_no_revision(service, applicant) -> None:
    raw = applicant()
    reg = service.save(raw).registration
    result = service.save(raw, registration_id=reg.id)
    assert result.ok and not result.changed and result.registration.provenance.revision == 1
    assert _count(service, RevisionRecord) == 1


def test_edit_to_another_records_nik_is_refused(service, applicant) -> None:
    a, b = applicant(), applicant()
    ra = service.save(a).registration
    rb = service.save(b).registration
    result = service.save(
        dict(b, nik=a["nik"], birth_date=a["birth_date"], sex=a["sex"]), registration_id=rb.id
    )
    assert not result.ok and result.existing_id == ra.id


@pytest.mark.parametrize(
    ("status", "conflict", "allowed"),
    [
        (Status.SAVED, False, True),
        (Status.RETURNED, False, True),
        # synced, no reviewer has decided: a typo may still be corrected (issue 13)
        (Status.RECEIVED, False, True),
        (Status.POTENTIAL_DUPLICATE, False, True),
        (Status.VERIFIED, False, False),
        (Status.REJECTED, False, False),
        (Status.RECEIVED, True, True),
    ],
)
def test_which_records_may_be_edited(service, applicant, status, conflict, allowed) -> None:
    raw = applicant()
    reg = service.save(raw).registration
    with service.store.session() as s:
        row = s.get(RegistrationRecord, reg.id)
        row.status, row.conflict = status.value, conflict
    assert service.state(reg.id).editable is allowed
    edited = dict(raw, street="Jl. Kenanga No. 1")
    if allowed:
        result = service.save(edited, registration_id=reg.id)
        assert result.ok and result.registration.provenance.status is Status.SAVED
        assert service.state(reg.id).conflict is False
    else:
        with pytest.raises(ValueError):
            service.save(edited, registration_id=reg.id)


def test_codes_are_unique_per_device_and_a_typo_is_caught(service, applicant) -> None:
    codes = [service.save(applicant()).registration.code for _ in range(30)]
    assert len(set(codes)) == 30
    assert [c.split("-")[2] for c in codes] == [f"{i:06d}" for i in range(1, 31)]
    for code in codes:
        assert is_valid_code(code)
        check_pos = len(code) - 1
        for pos, ch in enumerate(code):
            if ch == "-":
                continue
            symbols = ALPHABET if pos == check_pos else "0123456789"
            for other in symbols.replace(ch, ""):
                typo = code[:pos] + other + code[pos + 1 :]
                assert not is_valid_code(typo), (code, typo)
        digits = [i for i, ch in enumerate(code) if ch.isdigit()]
        for i, j in zip(digits, digits[1:], strict=False):  # swapping two neighbouring digits
            if j == i + 1 and code[i] != code[j]:
                swapped = code[:i] + code[j] + code[i] + code[j + 1 :]
                assert not is_valid_code(swapped), (code, swapped)


def test_drafts_are_kept_resumed_and_never_queued(service, applicant) -> None:
    raw = applicant()
    half = {"nik": raw["nik"], "full_name": raw["full_name"]}
    draft_id = service.save_draft(half)
    assert service.load_draft(draft_id) == half
    service.save_draft(dict(half, phone=raw["phone"]), draft_id)
    drafts = service.list_drafts()
    assert len(drafts) == 1 and drafts[0].id == draft_id and drafts[0].full_name == raw["full_name"]
    assert drafts[0].nik_masked.startswith(raw["nik"][:4]) and "*" in drafts[0].nik_masked
    assert _count(service, OutboxEntry) == 0
    assert service.counts_by_status()[Status.DRAFT] == 1
    result = service.save(raw, draft_id=draft_id)  # saving from the draft removes it
    assert result.ok and service.list_drafts() == []
    other = service.save_draft({"nik": "1"})
    service.delete_draft(other)
    with pytest.raises(KeyError):
        service.load_draft(other)


def test_search_by_nik_prefix_name_word_phone_and_code(service, applicant) -> None:
    saved = [service.save(applicant()).registration for _ in range(20)]
    target = saved[7]
    a = target.applicant
    assert target.id in {r.id for r in service.search(a.nik[:8])}
    assert [r.id for r in service.search(a.nik)] == [target.id]
    last_word = a.full_name.split()[-1]
    assert target.id in {r.id for r in service.search(last_word.lower()[:4])}
    local = "0" + a.phone[3:]
    assert [r.id for r in service.search(local)] == [target.id]
    assert [r.id for r in service.search(a.phone)] == [target.id]
    assert [r.id for r in service.search(f"{local[:4]}-{local[4:8]}-{local[8:]}")] == [target.id]
    assert [r.id for r in service.search(target.code)] == [target.id]
    assert target.id in {r.id for r in service.search(target.code[:14])}
    # a NIK-like prefix does not match every code of the office (codes start with 320101)
    assert service.count(OFFICE) == sum(1 for r in saved if r.applicant.nik.startswith(OFFICE))
    row = service.search(a.nik)[0]
    assert row.nik_masked == a.nik[:4] + "********" + a.nik[-4:]
    assert service.search("zzzzqqq") == [] and service.count("zzzzqqq") == 0
    assert service.count() == 20


def test_search_filters_sorts_and_pages(service, applicant, clock) -> None:
    regs = []
    for _ in range(6):
        regs.append(service.save(applicant()).registration)
        clock.advance(days=1)
    with service.store.session() as s:
        s.get(RegistrationRecord, regs[0].id).status = Status.VERIFIED.value
    assert [r.id for r in service.search(status=Status.VERIFIED)] == [regs[0].id]
    assert service.count(status=Status.SAVED) == 5
    newest_first = [r.id for r in service.search()]
    assert newest_first == [r.id for r in reversed(regs)]
    assert [r.id for r in service.search(descending=False, limit=2, offset=1)] == [
        regs[1].id,
        regs[2].id,
    ]
    by_name = [r.full_name for r in service.search(sort="full_name", descending=False)]
    assert by_name == sorted(by_name)
    day2 = regs[2].provenance.device_time.astimezone().date()
    in_range = service.search(date_from=day2, date_to=day2 + timedelta(days=1))
    assert {r.id for r in in_range} == {regs[2].id, regs[3].id}
    with pytest.raises(ValueError):
        service.search(sort="applicant_json")


def test_fts_query_parsing() -> None:
    assert fts_query("") is None and fts_query("  ") is None
    assert fts_query("Siti") == '"wsiti"*'
    assert fts_query("siti aminah") == '"wsiti"* AND "waminah"*'
    assert fts_query("0812-3456") == '("d08123456"* OR "kode08123456"*)'
    assert fts_query("7890") == '"d7890"*'
    assert fts_query("0812 3456 7890") == (
        '("p6281234567890" OR "d081234567890"* OR "kode081234567890"*)'
    )
    assert fts_query('o"neil') == '"wo"* AND "wneil"*'  # quotes cannot break the expression


def test_search_finds_what_applicants_say(service, applicant) -> None:
    """Issue 13, defect 9: a phone with spaces, part of the code, the NIK's last four."""
    saved = [service.save(applicant()).registration for _ in range(30)]
    target = saved[11]
    a, code = target.applicant, target.code

    def ids(query: str) -> set[str]:
        return {r.id for r in service.search(query)}

    local = "0" + a.phone[3:]
    spaced = f"{local[:4]} {local[4:8]} {local[8:]}"
    assert ids(spaced) == {target.id}
    assert ids("+62 " + spaced[1:]) == {target.id}
    assert ids(local[1:]) == {target.id}  # the leading 0 left out
    office, device, sequence, check = code.split("-")
    assert target.id in ids(sequence)  # "000012"
    assert target.id in ids(f"{device}-{sequence}")  # "001-000012"
    assert ids(f"{device}-{sequence}-{check}") == {target.id}
    assert ids(code.replace("-", "")) == {target.id}
    assert ids(code.replace("0", "O")) == {target.id}  # letter O for zero
    assert target.id in ids(a.nik[-4:])  # the digits the list shows
    assert ids(f"{a.nik[:4]} {a.nik[4:8]} {a.nik[8:12]} {a.nik[12:]}") == {target.id}
    assert ids(a.kk_number) >= {target.id}
    first = a.full_name.split()[0]
    assert target.id in ids(f"{first.upper()} {a.nik[-4:]}")
    # the office part every code of this device shares matches no code by itself
    assert service.count(office) == len(
        {r.id for r in saved if office in r.applicant.nik or office in r.applicant.phone}
    )


def test_counts_pending_and_oldest_unsynced_age(service, applicant, clock) -> None:
    assert service.oldest_unsynced_age() is None and service.pending_count() == 0
    first = service.save(applicant()).registration
    clock.advance(hours=2)
    service.save(applicant())
    clock.advance(minutes=30)
    assert service.oldest_unsynced_age() == timedelta(hours=2, minutes=30)
    assert service.pending_count() == 2
    service.save(
        dict(service.get(first.id).applicant.to_dict(), street="Jl. Baru 1"),
        registration_id=first.id,
    )
    assert service.pending_count() == 2  # two revisions of one record count once
    counts = service.counts_by_status()
    assert counts[Status.SAVED] == 2 and set(counts) == set(Status)


def test_audit_records_printed_and_exported(service, applicant) -> None:
    reg = service.save(applicant()).registration
    service.audit(Action.PRINTED, reg.id, {"copies": 1})
    service.audit("exported", None, {"rows": 1, "file": "x.csv"})
    trail = _audit(service)
    assert [t[0] for t in trail] == ["created", "printed", "exported"]
    assert trail[1] == ("printed", reg.id, {"copies": 1})


def test_nothing_is_saved_before_enrollment_but_a_draft_is(
    data_dir, db_key, operator, clock, applicant
) -> None:
    """Issue 13 defect 2: before enrollment every device made ``000000-000-000001-Y``, so two
    applicants at two devices got one code. A device not enrolled (or only set up locally
    with ``loket-desk setup``) gives out no code: the form's save and the import refuse, a
    draft is kept; once enrolled, codes carry the server's device number."""
    from common import errors as E
    from common.errors import ApiError
    from desktop.services.device import set_local_identity
    from desktop.store import Store
    from desktop.store.models import OutboxEntry

    store = Store.open(data_dir, db_key)
    try:
        service = RegistrationService(store, operator, clock)
        raw = applicant()
        for setup in (None, ("320101", 7)):
            if setup is not None:
                set_local_identity(store, *setup)  # an office and number typed locally
            result = service.save(raw)
            assert not result.ok and result.needs_enrollment and result.registration is None
            with pytest.raises(ApiError) as refused:
                service.save_batch([service.check(applicant()).applicant])
            assert refused.value.code == E.SAVE_NEEDS_ENROLLMENT
        with store.session() as s:
            assert s.query(RegistrationRecord).count() == 0 and s.query(OutboxEntry).count() == 0
        assert service.save_draft(raw) and len(service.list_drafts()) == 1
        # what enroll_device writes: the server's office and device number
        store.set_setting("office_code", "320101")
        store.set_setting("device_no", 3)
        store.set_setting("enrolled", True)
        saved = service.save(raw)
        assert saved.ok and saved.registration.code.startswith("320101-003-")
    finally:
        store.close()
