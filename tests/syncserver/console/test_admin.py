"""Admin pages: offices, enrollment codes, revoking devices, staff accounts; all audited."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from common import protocol as P
from tests.syncserver.console.conftest import PASSWORD, login, post, token


def test_create_office_and_issue_a_working_enrollment_code(
    signed_in: dict[str, Any], api: Any
) -> None:
    c = signed_in["admin"]
    r = post(
        c,
        "/console/admin/offices",
        {"code": "330101", "regency": "33.01", "name": "Disnaker <Cilacap>"},
    )
    assert r.status_code == 303
    page = c.get("/console/admin/offices").get_data(as_text=True)
    assert "Disnaker &lt;Cilacap&gt;" in page
    post(
        c, "/console/admin/offices", {"code": "330100", "regency": "33.01", "name": "x"}
    )  # office number 00
    post(
        c, "/console/admin/offices", {"code": "999901", "regency": "99.99", "name": "x"}
    )  # unknown regency
    assert api.sql("select count(*) from offices")[0][0] == 1
    r = post(c, "/console/admin/offices/330101/enroll-code", page="/console/admin/offices")
    code = re.search(r'id="enroll-code">([A-Z0-9-]+)<', r.get_data(as_text=True)).group(1)
    enrolled = api.client.post("/api/v1/devices/enroll", json={"code": code, "device_name": "PC 1"})
    assert enrolled.status_code == 200
    assert P.decode(P.EnrollResponse, enrolled.get_json()).office_code == "330101"
    actions = [a for (a,) in api.sql("select action from audit_log order by id")]
    assert "office.add" in actions and "enrollment_code.issue" in actions


def test_revoke_device(signed_in: dict[str, Any], api: Any, seeded: Any) -> None:
    c = signed_in["admin"]
    dev = seeded.devices["737101"]
    assert dev.id in c.get("/console/admin/devices?office=737101").get_data(as_text=True)
    r = post(c, f"/console/admin/devices/{dev.id}/revoke")
    assert r.status_code == 303
    assert api.pull(dev).status_code == 401 or api.pull(dev).status_code == 403
    assert api.pull(seeded.devices["320101"]).status_code == 200
    assert api.sql("select actor from audit_log where action = 'device.revoke'")[0][0] == "admin"


def test_staff_accounts(app: Flask, signed_in: dict[str, Any], api: Any) -> None:
    c = signed_in["admin"]
    post(
        c, "/console/admin/users", {"username": "baru", "password": "pendek", "role": "viewer"}
    )  # too short
    r = c.post(
        "/console/admin/users",
        data={
            "username": "baru",
            "password": PASSWORD,
            "role": "reviewer",
            "provinces": ["32", "73"],
            "csrf_token": token(c, "/console/"),
        },
    )
    assert r.status_code == 303
    row = api.sql("select id, role, active, provinces from staff_users where username = 'baru'")[0]
    assert row[1] == "reviewer" and row[2]
    assert login(app.test_client(), "baru").status_code == 303
    # demote to viewer and disable
    post(c, f"/console/admin/users/{row[0]}", {"role": "viewer", "scope": "all"})
    assert api.sql("select role, active from staff_users where username = 'baru'")[0] == (
        "viewer",
        False,
    ) or api.sql("select role, active from staff_users where username = 'baru'")[0] == ("viewer", 0)
    assert login(app.test_client(), "baru").status_code == 200  # refused
    # an admin cannot lock themselves out
    me = api.sql("select id from staff_users where username = 'admin'")[0][0]
    post(c, f"/console/admin/users/{me}", {"role": "viewer", "active": "1", "scope": "all"})
    assert api.sql("select role from staff_users where username = 'admin'")[0][0] == "admin"
    audit = [
        a for (a,) in api.sql("select action from audit_log where actor = 'admin' order by id")
    ]
    assert "user.add" in audit and "user.update" in audit
    assert "user.update" in c.get("/console/admin/audit").get_data(as_text=True)
