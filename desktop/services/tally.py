"""The daily tally (rekap harian) a clerk reads out or prints at closing time: how many
applicants were registered today by this operator and on this device, and of this device's,
how many reached the server and how many still wait.

"Today" is the office's day (midnight in its zone, WIB/WITA/WIT from its province,
``common.timezones``), the same clock the receipts show. "On this device" means saved (or
imported) here: the local audit trail's ``created``/``imported`` event, which also names the
operator; records of other devices that a sync brought have none, and an enrollment (which
gives the device a new id) does not make the morning's records someone else's. Plain Python
over the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from common.record import utcnow
from common.timezones import office_time, office_today_start
from desktop.services.device import device_info
from desktop.services.registrations import Action
from desktop.store import Store
from desktop.store.queries import registrations as Q


@dataclass(frozen=True, slots=True)
class Tally:
    day: date  # the office's date
    as_of: str  # "02-03-2026 16:45 WIB"
    office_code: str
    operator: str  # username
    by_operator: int  # registered today by this operator on this device
    by_device: int  # registered today on this device (every operator)
    sent: int  # of those, the server has every revision
    waiting: int  # of those, something still waits to be sent


def daily_tally(store: Store, operator: str, now: datetime | None = None) -> Tally:
    """Count today's registrations (revision 1 saved today) of this device."""
    now = now or utcnow()
    device = device_info(store)
    start = office_today_start(now, device.office_code)
    local, zone = office_time(now, device.office_code)
    actions = (Action.CREATED.value, Action.IMPORTED.value)
    with store.read() as s:
        counts = Q.made_here_counts(s, start, now, operator, actions)
    by_device, waiting, by_operator = counts.by_device, counts.waiting, counts.by_operator
    return Tally(
        day=local.date(),
        as_of=f"{local.strftime('%d-%m-%Y %H:%M')} {zone}",
        office_code=device.office_code,
        operator=operator,
        by_operator=by_operator,
        by_device=by_device,
        sent=by_device - waiting,
        waiting=waiting,
    )
