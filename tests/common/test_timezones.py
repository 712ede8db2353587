"""Every province has its time zone (WIB/WITA/WIT), and times are shown in the office's zone
with Indonesia's names, never the computer's zone name."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.regions import regions
from common.timezones import (
    PROVINCE_ZONES,
    WIB,
    WIT,
    WITA,
    office_time,
    office_today_start,
    zone_of,
)

#: the source data the bundle is built from, beside the checkout (``../shared/data``)
_SOURCE = Path("shared") / "data" / "idn-area-data-4.0.1" / "provinces.csv"
SHARED_PROVINCES = next(
    (p / _SOURCE for p in Path(__file__).resolve().parents if (p / _SOURCE).exists()), None
)


def test_all_38_bundled_provinces_have_a_zone() -> None:
    codes = {area.code for area in regions().children("")}
    assert len(codes) == 38
    assert set(PROVINCE_ZONES) == codes
    if SHARED_PROVINCES is not None:
        with SHARED_PROVINCES.open(encoding="utf-8") as fh:
            assert {row["code"] for row in csv.DictReader(fh)} == codes


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("11", WIB),  # Aceh
        ("21", WIB),  # Kepulauan Riau
        ("31", WIB),  # Jakarta
        ("61", WIB),  # Kalimantan Barat
        ("62", WIB),  # Kalimantan Tengah
        ("63", WITA),  # Kalimantan Selatan
        ("65", WITA),  # Kalimantan Utara
        ("51", WITA),  # Bali
        ("53", WITA),  # NTT
        ("73", WITA),  # Sulawesi Selatan
        ("76", WITA),  # Sulawesi Barat
        ("81", WIT),  # Maluku
        ("82", WIT),  # Maluku Utara
        ("91", WIT),  # Papua
        ("96", WIT),  # Papua Barat Daya
    ],
)
def test_zone_of_a_province(code: str, zone: object) -> None:
    assert zone_of(code) is zone
    assert zone_of(f"{code}0101") is zone  # an office code
    assert zone_of(f"{code}.01") is zone  # a dotted area code


def test_office_time_uses_the_office_zone_and_its_name() -> None:
    moment = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    for office, clock, name in (
        ("320101", "10:00", "WIB"),
        ("510101", "11:00", "WITA"),
        ("910101", "12:00", "WIT"),
    ):
        local, zone = office_time(moment, office)
        assert (local.strftime("%H:%M"), zone) == (clock, name)
    # an office not set yet: the computer's clock, but never an OS zone name like "UTC"
    _, zone = office_time(moment, "000000")
    assert zone in ("WIB", "WITA", "WIT") or zone.startswith("UTC+") or zone.startswith("UTC-")
    assert zone != "UTC"


def test_the_office_day_starts_at_its_own_midnight() -> None:
    # 17:30 UTC on 1 March is already 2 March in Jakarta (00:30 WIB)
    start = office_today_start(datetime(2026, 3, 1, 17, 30, tzinfo=UTC), "310101")
    assert start == datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    assert start.tzname() == "WIB"
