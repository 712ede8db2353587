"""The dashboard: totals by status, registrations by province and regency (HTML bar
charts), offices and devices with their last contact and a warning for silent ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import render_template

from common.enums import Status
from common.regions import regions
from syncserver.app import loket
from syncserver.app import session as db
from syncserver.console.access import needs, staff
from syncserver.console.web import arg, blueprint, int_arg
from syncserver.queries import console_dashboard as q
from syncserver.queries.console_paging import aware

bp = blueprint("dashboard")
DEVICES_PER_PAGE = 20
REGENCIES_SHOWN = 25


@bp.get("/")
@needs("view")
def index() -> Any:
    who = staff()
    s = db()
    statuses = q.by_status(s, who.provinces)
    total = sum(statuses.values())
    by_regency = q.by_regency(s, who.provinces)
    by_province: dict[str, int] = {}
    for code, n in by_regency.items():
        by_province[code[:2]] = by_province.get(code[:2], 0) + n
    provinces = sorted(by_province.items(), key=lambda kv: (-kv[1], kv[0]))
    chosen = arg("province", 2) or (provinces[0][0] if provinces else "")
    regencies = sorted(
        ((c, n) for c, n in by_regency.items() if c.startswith(chosen + ".")),
        key=lambda kv: (-kv[1], kv[0]),
    )
    dev_page = int_arg("dpage", 1, 1)
    off_page = int_arg("opage", 1, 1)
    devices, more_devices = q.devices(
        s, offset=(dev_page - 1) * DEVICES_PER_PAGE, limit=DEVICES_PER_PAGE, provinces=who.provinces
    )
    offices, more_offices = q.offices(
        s, offset=(off_page - 1) * DEVICES_PER_PAGE, limit=DEVICES_PER_PAGE, provinces=who.provinces
    )
    now = loket().clock()
    silent_days = float(loket().settings.get("silent_after_days", 7))
    silent_before = now - timedelta(days=silent_days)
    return render_template(
        "console/dashboard.html",
        statuses=[
            (st.value, statuses.get(st.value, 0))
            for st in Status
            if st.value in statuses or st in _SHOWN
        ],
        total=total,
        open_groups=q.open_duplicate_groups(s),
        provinces=provinces,
        province_max=max((n for _, n in provinces), default=0),
        chosen=chosen,
        chosen_name=regions().name(chosen) if chosen else "",
        regencies=regencies[:REGENCIES_SHOWN],
        regencies_more=max(0, len(regencies) - REGENCIES_SHOWN),
        regency_max=max((n for _, n in regencies), default=0),
        devices=devices,
        offices=offices,
        dev_page=dev_page,
        off_page=off_page,
        more_devices=more_devices,
        more_offices=more_offices,
        silent=lambda ts: ts is None or aware(ts) < silent_before,
        silent_days=silent_days,
        now=now,
    )


_SHOWN = {
    Status.RECEIVED,
    Status.VERIFIED,
    Status.POTENTIAL_DUPLICATE,
    Status.RETURNED,
    Status.REJECTED,
}
