"""Indonesia's three time zones by province (WIB, WITA, WIT), for times shown to applicants.

The receipt tells the applicant when they registered in the time of the office where they
stood, named the way Indonesians name it ("14:05 WITA"), not in the computer's zone name
("UTC" on a machine set up without a zone). Indonesia keeps no daylight saving time, so a
fixed offset per zone is exact.

The zone of a province follows Law/Keppres 41/1987 (the three zones) and the province codes
of Kemendagri (``common/regions.py``, 38 provinces since the 2022 Papua split):

* WIB (UTC+7): Sumatra, Bangka Belitung, Riau Islands, Java, Banten, West and Central Kalimantan.
* WITA (UTC+8): Bali, West and East Nusa Tenggara, South, East and North Kalimantan, Sulawesi.
* WIT (UTC+9): Maluku, North Maluku and the six Papua provinces.

An office code starts with its province's two digits (``320101`` is in Jawa Barat).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


@dataclass(frozen=True, slots=True)
class Zone:
    name: str  # "WIB", "WITA", "WIT"
    offset_hours: int

    @property
    def tzinfo(self) -> timezone:
        return timezone(timedelta(hours=self.offset_hours), self.name)


WIB = Zone("WIB", 7)
WITA = Zone("WITA", 8)
WIT = Zone("WIT", 9)
ZONES = (WIB, WITA, WIT)

#: province code (two digits) -> its zone; every one of the 38 provinces
PROVINCE_ZONES: dict[str, Zone] = {
    # Sumatra and the islands around it
    "11": WIB, "12": WIB, "13": WIB, "14": WIB, "15": WIB, "16": WIB, "17": WIB, "18": WIB,
    "19": WIB, "21": WIB,
    # Java and Banten
    "31": WIB, "32": WIB, "33": WIB, "34": WIB, "35": WIB, "36": WIB,
    # Bali and Nusa Tenggara
    "51": WITA, "52": WITA, "53": WITA,
    # Kalimantan: west and central on WIB, south, east and north on WITA
    "61": WIB, "62": WIB, "63": WITA, "64": WITA, "65": WITA,
    # Sulawesi
    "71": WITA, "72": WITA, "73": WITA, "74": WITA, "75": WITA, "76": WITA,
    # Maluku and Papua
    "81": WIT, "82": WIT, "91": WIT, "92": WIT, "93": WIT, "94": WIT, "95": WIT, "96": WIT,
}  # fmt: skip


def zone_of(code: str | None) -> Zone | None:
    """The zone of the province a code lies in (office ``320101``, area ``32.01``, NIK...);
    None for an unknown province (an office code not set yet: ``000000``)."""
    digits = "".join(c for c in (code or "") if c.isdigit())
    return PROVINCE_ZONES.get(digits[:2])


def zone_for_offset(moment: datetime) -> Zone | None:
    """The Indonesian zone whose offset an aware datetime has (None for any other offset)."""
    offset = moment.utcoffset()
    return next((z for z in ZONES if offset == timedelta(hours=z.offset_hours)), None)


def office_time(moment: datetime, office_code: str | None) -> tuple[datetime, str]:
    """``moment`` in the office's zone and that zone's name (``"WITA"``).

    Without a known province the computer's own zone is used; it is named WIB/WITA/WIT when
    its offset is one of them, else ``UTC+hh:mm`` (never an OS abbreviation such as "UTC").
    """
    zone = zone_of(office_code)
    if zone is not None:
        return moment.astimezone(zone.tzinfo), zone.name
    local = moment.astimezone()
    known = zone_for_offset(local)
    if known is not None:
        return local, known.name
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return local, f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def office_today_start(now: datetime, office_code: str | None) -> datetime:
    """Midnight of the office's current day (aware), for "registered today" counts."""
    local, _ = office_time(now, office_code)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)
