"""How the domain reads "today" and "in the future" for calendar dates.

Due dates, received dates and relief dates are calendar ``date``s with no time of
day. "Today" is the date in US Eastern (``America/New_York``, the timezone of the
whole system, DESIGN §3) at the instant ``now``. A due date is "in the future"
when it is strictly after today there: a due date of today would already be due.
The domain never reads a clock; every caller passes an aware ``now``.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")


def require_aware(now: datetime) -> datetime:
    """Return ``now`` if it carries a timezone; naive instants are a programming error."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime; got a naive one.")
    return now


def eastern_today(now: datetime) -> date:
    """The calendar date in US Eastern at the instant ``now``."""
    return require_aware(now).astimezone(EASTERN).date()


def is_future_date(day: date, now: datetime) -> bool:
    """Whether ``day`` is strictly after today's date in US Eastern."""
    return day > eastern_today(now)
