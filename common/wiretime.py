"""Times as the wire and the stores write them: ISO 8601 in UTC with a ``Z``.

One place for what was written five times over (and once copied byte for byte): a naive
datetime is taken as UTC, an aware one converted to UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime


def _utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def utc_text(value: datetime, timespec: str = "auto") -> str:
    """``2026-03-01T08:00:00.123456Z`` (no fraction when it is zero, as ``isoformat``)."""
    return _utc(value).isoformat(timespec=timespec).replace("+00:00", "Z")


def fixed_utc_text(value: datetime) -> str:
    """``2026-03-01T08:00:00.000000Z``: always 27 characters, so that texts sort as times
    (the desktop store's columns, the audit chain's hashed times)."""
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
