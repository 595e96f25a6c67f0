"""Today as the platform counts days: in US Eastern time (DESIGN §3), wherever the
terminal is. The zone is a fact of the platform; the calendar's rules (hours, holidays)
stay on the server."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")


def eastern_today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(EASTERN).date()
