"""POST /api/v1/registrations/nik-check (issue 13 #4): the counter's warning right after the
16th digit. Only the asking device's own office is looked at: a NIK registered in another
office answers exactly like an unknown NIK. The NIK is never logged. Both backends."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from common import errors as E
from common import protocol as P
from tests.syncserver.conftest import Api, Device

URL = "/api/v1/registrations/nik-check"


def ask(api: Api, device: Device | None, body: Any, **kw: Any) -> Any:
    headers = device.headers if device else {}
    return api.client.post(URL, json=body, headers=headers, **kw)


def test_a_nik_of_the_office_names_its_registration(api: Api, people: list[dict]) -> None:
    first = api.enroll("320101", "PC 1")
    second = api.enroll("320101", "PC 2")  # another counter of the same office
    rec = api.record(people[0], first)
    assert api.push(first, [rec]).outcomes == ["accepted"]
    r = ask(api, second, {"nik": people[0]["nik"]})
    assert r.status_code == 200, r.data
    got = P.decode(P.NikCheckResponse, r.get_json())
    assert [(m.registration_id, m.code) for m in got.matches] == [(rec.id, rec.code)]
    assert got.matches[0].status is not None


def test_another_offices_nik_answers_like_an_unknown_one(api: Api, people: list[dict]) -> None:
    elsewhere = api.enroll("320102", "PC Cibinong")
    here = api.enroll("320101", "PC 1")
    assert api.push(elsewhere, [api.record(people[1], elsewhere)]).outcomes == ["accepted"]
    other = ask(api, here, {"nik": people[1]["nik"]})
    unknown = ask(api, here, {"nik": people[2]["nik"]})  # registered nowhere
    assert other.status_code == unknown.status_code == 200
    assert other.data == unknown.data
    assert other.get_json() == {"matches": []}
    assert dict(other.headers) == dict(unknown.headers)
    # the office that holds it does see it
    assert len(ask(api, elsewhere, {"nik": people[1]["nik"]}).get_json()["matches"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"nik": "3201"},
        {"nik": "32010112345678ab"},
        {"nik": "３２０１０１１２３４５６７８９０"},
        {"nik": 3201011234567890},
        {},
        {"nik": "3201011234567890", "x": 1},
    ],
    ids=["short", "letters", "fullwidth", "number", "missing", "extra"],
)
def test_a_malformed_request_is_refused_with_a_code(api: Api, body: Any) -> None:
    dev = api.enroll()
    r = ask(api, dev, body)
    assert r.status_code == 400
    assert r.get_json()["code"] in (E.NIK_FORMAT, E.SCHEMA_VIOLATION, E.UNKNOWN_FIELD)


def test_only_an_enrolled_device_may_ask(api: Api, people: list[dict]) -> None:
    r = ask(api, None, {"nik": people[0]["nik"]})
    assert r.status_code == 401 and r.get_json()["code"] == E.AUTH_REQUIRED
    bad = Device("x", "x.y", "320101", 1)
    assert ask(api, bad, {"nik": people[0]["nik"]}).status_code == 401


def test_the_nik_is_not_logged(
    api: Api, people: list[dict], caplog: pytest.LogCaptureFixture
) -> None:
    dev = api.enroll()
    api.push(dev, [api.record(people[3], dev)])
    with caplog.at_level(logging.DEBUG):
        for nik in (people[3]["nik"], people[4]["nik"], people[4]["nik"][:15] + "x"):
            ask(api, dev, {"nik": nik})
    for nik in (people[3]["nik"], people[4]["nik"], people[4]["nik"][:15]):
        assert nik not in caplog.text
