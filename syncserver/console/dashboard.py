"""The dashboard: what to do today (the reviewer's to-do list and the age of the oldest
waiting record), totals by status, registrations by province and regency (HTML bar charts),
registrations received and decided per day (an inline SVG chart, no JavaScript), offices by
backlog and silence, devices with their last contact and reported backlog.

Everything is scoped to the reviewer's provinces and read from the summary tables
(queries/console_dashboard.py), so the page costs the same at 10 million registrations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import render_template, url_for

from common.enums import Status
from common.regions import regions
from syncserver import claims
from syncserver.console.access import needs, staff
from syncserver.console.web import arg, blueprint, int_arg
from syncserver.context import SERVER_TZ, loket
from syncserver.context import read_session as read_db
from syncserver.queries import console_dashboard as q
from syncserver.queries.console_paging import aware

bp = blueprint("dashboard")
DEVICES_PER_PAGE = 20
REGENCIES_SHOWN = 25
#: Days the chart over time may show.
CHART_DAYS = (14, 30, 90)


@bp.get("/")
@needs("view")
def index() -> Any:
    who = staff()
    s = read_db()  # read-only: the standby when there is one
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
    office_order = arg("osort", 10)
    office_order = office_order if office_order in q.OFFICE_ORDERS else q.OFFICE_ORDERS[0]
    offices, more_offices = q.offices(
        s,
        offset=(off_page - 1) * DEVICES_PER_PAGE,
        limit=DEVICES_PER_PAGE,
        provinces=who.provinces,
        order=office_order,
    )
    now = loket().clock()
    silent_days = loket().settings.silent_after_days
    silent_before = now - timedelta(days=silent_days)
    today = now.astimezone(SERVER_TZ).date()
    open_groups = q.open_duplicate_groups(s, who.provinces)
    chart = _chart(s, who.provinces, today)
    return render_template(
        "console/dashboard.html",
        statuses=[
            (st.value, statuses.get(st.value, 0))
            for st in Status
            if st.value in statuses or st in _SHOWN
        ],
        total=total,
        open_groups=open_groups,
        open_groups_capped=open_groups > q.OPEN_GROUPS_CAP,
        todo=_todo(s, who, statuses, open_groups, today),
        chart=chart,
        chart_days=CHART_DAYS,
        office_order=office_order,
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


@dataclass(frozen=True, slots=True)
class Todo:
    """One line of the to-do list: a count, what it is, where to act, how urgent."""

    n: int
    text: str
    href: str
    warn: bool = False


def _todo(s: Any, who: Any, statuses: dict[str, int], open_groups: int, today: date) -> list[Todo]:
    from syncserver.console.i18n import gettext as _

    items = []
    waiting = statuses.get(Status.RECEIVED.value, 0)
    oldest = q.oldest_waiting_day(s, who.provinces)
    age = (today - oldest).days if oldest else 0
    if waiting:
        items.append(
            Todo(
                waiting,
                _("records wait for a decision; the oldest arrived %(n)s days ago", n=age),
                url_for("console_records.index", status=Status.RECEIVED.value),
                age > 7,
            )
        )
    if open_groups:
        items.append(
            Todo(
                min(open_groups, q.OPEN_GROUPS_CAP),
                _("duplicate groups to resolve"),
                url_for("console_duplicates.index"),
                True,
            )
        )
    quiet = q.offices_needing_a_call(
        s, who.provinces, loket().clock() - timedelta(days=loket().settings.silent_after_days)
    )
    if quiet.silent:
        items.append(
            Todo(
                quiet.silent,
                _("offices silent: phone them"),
                url_for("console_dashboard.index", osort="silence") + "#offices",
                True,
            )
        )
    if quiet.with_backlog:
        items.append(
            Todo(
                quiet.with_backlog,
                _("offices hold %(n)s records unsent on their devices", n=quiet.unsent),
                url_for("console_dashboard.index", osort="backlog") + "#offices",
            )
        )
    if who.can("decide"):
        mine = claims.count_by_reviewer(s, loket().clock()).get(who.username, 0)
        if mine:
            items.append(
                Todo(mine, _("records or groups claimed by you"), url_for("console_claims.index"))
            )
    return items


@dataclass(frozen=True, slots=True)
class Chart:
    """Received and decided per day, laid out for an inline SVG (coordinates precomputed)."""

    days: int
    province: str
    rows: list[q.DayRow]
    top: int
    bars: list[tuple[float, float, float, float, float, q.DayRow]]  # x, w, y_rec, y_dec, h
    width: int = 720
    height: int = 160


def _chart(s: Any, provinces: tuple[str, ...], today: date) -> Chart:
    days = int_arg("days", CHART_DAYS[1], 1, 366)
    days = days if days in CHART_DAYS else CHART_DAYS[1]
    province = arg("cprov", 2)
    scope = provinces
    if province and (not provinces or province in provinces):
        scope = (province,)
    else:
        province = ""
    since = today - timedelta(days=days - 1)
    got = q.by_day(s, since, scope)
    rows = [
        got.get(since + timedelta(days=i)) or q.DayRow(since + timedelta(days=i), 0, 0, 0, 0, 0)
        for i in range(days)
    ]
    top = max((max(r.received, r.decided) for r in rows), default=0)
    width, height = 720, 160
    slot = width / days
    bar = max(1.0, slot * 0.4)
    bars = []
    for i, r in enumerate(rows):
        h_rec = height * r.received / top if top else 0.0
        h_dec = height * r.decided / top if top else 0.0
        x = i * slot + slot * 0.1
        bars.append(
            (
                round(x, 1),
                round(bar, 1),
                round(height - h_rec, 1),
                round(height - h_dec, 1),
                round(slot, 1),
                r,
            )
        )
    return Chart(days, province, rows, top, bars, width, height)


_SHOWN = {
    Status.RECEIVED,
    Status.VERIFIED,
    Status.POTENTIAL_DUPLICATE,
    Status.RETURNED,
    Status.REJECTED,
}
