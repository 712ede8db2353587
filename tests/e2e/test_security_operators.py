"""Offline login for an operator created at the centre (after a first login on the device that
the operator present authorised), and refusal after a disabling sync: a real server, the real
sync engine, and the server stopped for the offline logins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common import errors as E
from common.errors import ApiError
from desktop.services.operators import unlock
from desktop.sync.commands import make_client
from desktop.sync.engine import SyncEngine, SyncOutcome
from syncserver import operators


def test_operator_from_the_server_logs_in_offline_and_is_refused_once_disabled(
    device, live_server, server_db
) -> None:
    now = datetime.now(UTC)
    operators.add_operator(
        server_db, device.info.office_code, "dewi", "dari-pusat-1", "Dewi", "admin", now
    )
    server_db.commit()
    report = SyncEngine(device.store, make_client(device.store)).run()
    assert report.outcome is SyncOutcome.OK and report.changes_applied >= 1
    data_dir = device.data_dir
    device.close()

    live_server.stop()  # offline from here on
    with pytest.raises(ApiError) as info:  # no key slot from the server's hash: not alone
        unlock(data_dir, "dewi", "dari-pusat-1")
    assert info.value.code == E.OPERATOR_NEEDS_AUTHORISATION
    first, _ = unlock(data_dir, "dewi", "dari-pusat-1", authoriser=("petugas", "rahasia-sekali"))
    first.close()
    store, operator = unlock(data_dir, "dewi", "dari-pusat-1")
    assert operator.username == "dewi"
    live_server.start()

    operators.set_active(
        server_db, device.info.office_code, "dewi", False, "admin", datetime.now(UTC)
    )
    server_db.commit()
    assert SyncEngine(store, make_client(store)).run().outcome is SyncOutcome.OK
    store.close()
    with pytest.raises(ApiError) as info:
        unlock(data_dir, "dewi", "dari-pusat-1")
    assert info.value.code == E.OPERATOR_NEEDS_AUTHORISATION  # its slot is gone
    with pytest.raises(ApiError) as info:
        unlock(data_dir, "dewi", "dari-pusat-1", authoriser=("petugas", "rahasia-sekali"))
    assert info.value.code == E.ACCOUNT_DISABLED
    device.store, _ = unlock(data_dir, "petugas", "rahasia-sekali")  # closed by the fixture
