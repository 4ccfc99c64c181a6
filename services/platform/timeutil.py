"""Time helpers: the store keeps UTC; staff read and type Beijing time (UTC+8, no daylight saving).

SQLite hands timezone-aware columns back without their zone, so every read goes through
:func:`as_utc` before it is compared with the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (naive values from SQLite are UTC already)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def local(value: datetime | None) -> str:
    """``value`` as Beijing time for a page, e.g. ``2024-06-01 09:30``; '' for None."""
    if value is None:
        return ""
    return as_utc(value).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def parse_local(text: str) -> datetime:
    """A typed time (ISO 8601; without a zone it is Beijing time) as aware UTC."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING)
    return value.astimezone(UTC)
