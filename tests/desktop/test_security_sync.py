"""Operators synced from the server get a key slot at their first login on the device, when
another operator authorises it (offline login afterwards); a disabled one loses its slot; retention purges decided records' personal data and keeps code and status.

The OPERATOR changes here are built with common.protocol.Change and an argon2id hash from
argon2.PasswordHasher, applied with sync/engine.apply_change as a pull applies them
(tests/e2e/test_security_operators.py does the same through a real server)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from common import errors as E
from common.enums import Status
from common.errors import ApiError
from common.protocol import Change, ChangeKind
from desktop.services.operators import create_first_operator, unlock
from desktop.services.retention import DEFAULT_DAYS, purge_expired
from desktop.store.keys import KeySlots
from desktop.store.models import OutboxEntry, RegistrationRecord, RevisionRecord
from desktop.sync.engine import apply_change

PASSWORD = "rahasia-123"


def _code(call) -> str:
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code


def _operator_change(seq: int, username: str, password_hash: str, active: bool = True) -> Change:
    data = {
        "username": username,
        "full_name": username.title(),
        "password_hash": password_hash,
        "active": active,
    }
    return Change(seq=seq, kind=ChangeKind.OPERATOR, data=data)


def test_a_synced_operator_gets_a_slot_at_a_first_login_someone_authorises(data_dir) -> None:
    store, _ = create_first_operator(data_dir, "ani", PASSWORD)
    server_hash = PasswordHasher().hash("dari-server-1")  # what the server sends
    with store.session() as s:
        apply_change(s, _operator_change(1, "dewi", server_hash), KeySlots(data_dir))
    store.close()
    assert not KeySlots(data_dir).has("dewi")  # never a slot from what the server sends
    # alone, the first login cannot open the store: a clear message, nothing written
    assert _code(lambda: unlock(data_dir, "dewi", "dari-server-1")) == (
        E.OPERATOR_NEEDS_AUTHORISATION
    )
    # ani, present, authorises; a wrong password of dewi's is refused even then
    assert (
        _code(lambda: unlock(data_dir, "dewi", "salah-sekali", authoriser=("ani", PASSWORD)))
        == E.LOGIN_FAILED
    )
    assert (
        _code(lambda: unlock(data_dir, "dewi", "dari-server-1", authoriser=("ani", "salah-sekali")))
        == E.LOGIN_FAILED
    )
    assert not KeySlots(data_dir).has("dewi")
    opened, operator = unlock(data_dir, "dewi", "dari-server-1", authoriser=("ani", PASSWORD))
    assert operator.username == "dewi" and KeySlots(data_dir).version_of("dewi") == 2
    opened.close()
    opened, operator = unlock(data_dir, "dewi", "dari-server-1")  # from now on: alone, offline
    with opened.session() as s:  # the next sync: disabled at the centre
        apply_change(s, _operator_change(2, "dewi", server_hash, active=False), KeySlots(data_dir))
    opened.close()
    assert not KeySlots(data_dir).has("dewi")
    assert _code(lambda: unlock(data_dir, "dewi", "dari-server-1")) == (
        E.OPERATOR_NEEDS_AUTHORISATION
    )
    assert (
        _code(lambda: unlock(data_dir, "dewi", "dari-server-1", authoriser=("ani", PASSWORD)))
        == E.ACCOUNT_DISABLED
    )
    assert not KeySlots(data_dir).has("dewi")
    ani, _ = unlock(data_dir, "ani", PASSWORD)  # others are untouched
    ani.close()


def test_a_password_changed_at_the_server_takes_over_at_an_authorised_login(data_dir) -> None:
    store, _ = create_first_operator(data_dir, "ani", PASSWORD)
    with store.session() as s:
        apply_change(
            s,
            _operator_change(1, "dewi", PasswordHasher().hash("lama-rahasia")),
            KeySlots(data_dir),
        )
    store.close()
    unlock(data_dir, "dewi", "lama-rahasia", authoriser=("ani", PASSWORD))[0].close()
    store, _ = unlock(data_dir, "ani", PASSWORD)
    with store.session() as s:
        apply_change(
            s,
            _operator_change(2, "dewi", PasswordHasher().hash("baru-rahasia")),
            KeySlots(data_dir),
        )
    store.close()
    # the slot still holds the password dewi last used here; the new one needs someone once
    assert _code(lambda: unlock(data_dir, "dewi", "baru-rahasia")) == E.LOGIN_FAILED
    unlock(data_dir, "dewi", "baru-rahasia", authoriser=("ani", PASSWORD))[0].close()
    assert _code(lambda: unlock(data_dir, "dewi", "lama-rahasia")) == E.LOGIN_FAILED
    unlock(data_dir, "dewi", "baru-rahasia")[0].close()


def _decide(store, registration_id: str, status: Status, decided_at) -> None:
    with store.session() as s:
        row = s.get(RegistrationRecord, registration_id)
        row.base_revision_synced = row.revision  # acknowledged by the server
        s.query(OutboxEntry).filter(OutboxEntry.registration_id == registration_id).delete()
        apply_change(
            s,
            Change(
                seq=1,
                kind=ChangeKind.DECISION,
                registration_id=registration_id,
                status=status,
                revision=row.revision,
                note="catatan untuk " + row.full_name,
                decided_at=decided_at.isoformat(),
            ),
        )


def test_retention_purges_personal_data_and_keeps_code_and_status(
    service, applicant, clock
) -> None:
    store = service.store
    old = [service.save(applicant()).registration for _ in range(3)]
    _decide(store, old[0].id, Status.VERIFIED, clock() - timedelta(days=DEFAULT_DAYS + 1))
    _decide(store, old[1].id, Status.REJECTED, clock() - timedelta(days=DEFAULT_DAYS + 5))
    _decide(
        store, old[2].id, Status.VERIFIED, clock() - timedelta(days=DEFAULT_DAYS - 1)
    )  # too recent
    kept_pending = service.save(applicant()).registration  # not acknowledged, not decided

    assert purge_expired(store, clock=clock).purged == 2
    for reg, status in ((old[0], Status.VERIFIED), (old[1], Status.REJECTED)):
        state = service.get(reg.id)
        assert state.code == reg.code and state.provenance.status is status
        assert state.applicant.nik == "" and state.applicant.full_name == ""
        with store.session(write=False) as s:
            row = s.get(RegistrationRecord, reg.id)
            assert (row.nik, row.kk_number, row.full_name, row.phone, row.review_note) == (
                "",
                "",
                "",
                "",
                "",
            )
            assert row.applicant_json == "{}"
            assert s.query(RevisionRecord).filter_by(registration_id=reg.id).count() == 0
        assert service.search(reg.applicant.nik) == []  # gone from the index
        assert [r.id for r in service.search(reg.code)] == [reg.id]  # the code still finds it
    assert service.get(old[2].id).applicant.nik == old[2].applicant.nik
    assert service.get(kept_pending.id).applicant.nik == kept_pending.applicant.nik
    assert purge_expired(store, clock=clock).purged == 0  # once

    store.set_setting("retention_days", 0)  # configurable
    assert purge_expired(store, clock=clock).purged == 1
