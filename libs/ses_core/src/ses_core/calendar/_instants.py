"""Guards for the datetimes and dates the calendar accepts."""

from __future__ import annotations

from datetime import UTC, date, datetime


def require_aware(at: datetime, what: str = "at") -> datetime:
    """Return ``at`` in UTC; refuse naive datetimes, whose instant is unknowable."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(
            f"{what}={at.isoformat()} is a naive datetime; the calendar needs an aware one "
            "(attach a tzinfo, e.g. datetime.now(UTC) or ZoneInfo('America/New_York'))."
        )
    return at.astimezone(UTC)


def require_plain_date(d: date) -> date:
    """Refuse datetimes where a calendar date is meant: which zone's date would it be?"""
    if isinstance(d, datetime):
        raise TypeError(
            f"Expected a date, got the datetime {d.isoformat()}; pass a date (for an instant, "
            "convert it to the calendar's time zone and take .date(), or use access_level)."
        )
    return d
