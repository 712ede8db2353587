"""Backlog per office (issue 14): a device reports on every push and pull how many records it
holds unsent and the oldest one's age; the server keeps the latest report per device, on its
own clock. Clients that send nothing keep working and leave the last report alone. Both
backends."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest

from syncserver import db
from syncserver.models import Device
from tests.syncserver.conftest import Api


def _backlog(api: Api, device_id: str) -> tuple[Any, ...]:
    with db.transaction(api.ext.sessions) as s:
        d = s.get(Device, device_id)
        assert d is not None
        return d.backlog_unsent, d.backlog_oldest_at, d.backlog_reported_at


def _aware(ts: Any) -> Any:
    return ts if ts is None or ts.tzinfo else ts.replace(tzinfo=UTC)


def test_push_and_pull_report_the_backlog(api: Api, people: list) -> None:
    dev = api.enroll("320101")
    assert _backlog(api, dev.id) == (None, None, None)
    rec = api.record(people[0], dev)
    body = {**api.body(dev, [rec]), "backlog": {"unsent": 40, "oldest_age_s": 3 * 86400}}
    assert api.push(dev, [], body=body).outcomes == ["accepted"]
    unsent, oldest, reported = _backlog(api, dev.id)
    now = api.clock()
    assert unsent == 40
    assert abs((_aware(oldest) - (now - timedelta(days=3))).total_seconds()) < 120
    assert abs((_aware(reported) - now).total_seconds()) < 120

    r = api.client.get(
        "/api/v1/sync/pull",
        query_string={"backlog_unsent": "0", "backlog_oldest_age_s": "0"},
        headers=dev.headers,
    )
    assert r.status_code == 200, r.data
    assert _backlog(api, dev.id)[:2] == (0, None)

    # a client before issue 14 sends nothing: it works, and the last report stays
    api.client.get(
        "/api/v1/sync/pull",
        query_string={"backlog_unsent": "7", "backlog_oldest_age_s": "60"},
        headers=dev.headers,
    )
    assert api.pull(dev).status_code == 200
    old_body = api.body(dev, [api.record(people[1], dev)])
    del old_body["backlog"]
    assert api.push(dev, [], body=old_body).outcomes == ["accepted"]
    assert _backlog(api, dev.id)[0] == 7


@pytest.mark.parametrize(
    "args",
    [
        {"backlog_unsent": "3"},  # one without the other
        {"backlog_unsent": "-1", "backlog_oldest_age_s": "0"},
        {"backlog_unsent": "x", "backlog_oldest_age_s": "0"},
        {"backlog_unsent": "1", "backlog_oldest_age_s": str(2**31)},
    ],
)
def test_a_malformed_pull_backlog_is_refused(api: Api, args: dict[str, str]) -> None:
    dev = api.enroll("320101")
    r = api.client.get("/api/v1/sync/pull", query_string=args, headers=dev.headers)
    assert r.status_code == 400
    assert r.get_json()["code"] == "SCHEMA_VIOLATION"
    assert _backlog(api, dev.id) == (None, None, None)


@pytest.mark.parametrize(
    "backlog",
    [
        {"unsent": -1, "oldest_age_s": 0},
        {"unsent": 1},
        {"unsent": 1, "oldest_age_s": 1, "x": 1},
        {"unsent": "1", "oldest_age_s": 0},
    ],
)
def test_a_malformed_push_backlog_refuses_the_batch(api: Api, people: list, backlog: Any) -> None:
    dev = api.enroll("320101")
    body = {**api.body(dev, [api.record(people[0], dev)]), "backlog": backlog}
    pushed = api.push(dev, [], body=body)
    assert pushed.status == 400
    assert api.sql("select count(*) from registrations")[0][0] == 0
