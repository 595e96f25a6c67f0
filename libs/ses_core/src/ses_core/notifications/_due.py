"""Due-date reminders for information requests, on the business calendar (DESIGN §3, §5).

Choices where the spec is silent:

* "Due soon" means the due date is at most ``due_soon_business_days`` business
  days away (``OperatingCalendar.business_days_between``), the due date itself
  included ("due today"); 0 turns due-soon reminders off.
* "Overdue" is derived, never stored: the US Eastern date is past the due date.
* Reminders go out on business days only; a weekend or holiday defers them to
  the next business day. Each kind is sent once per IR per due date, so an
  extended due date earns new reminders.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from ses_core.calendar import OperatingCalendar


class DueReminder(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def local_today(calendar: OperatingCalendar, now: datetime) -> date:
    """The calendar's date (US Eastern by default) at the instant ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime, e.g. datetime.now(UTC).")
    return now.astimezone(calendar.zone).date()


def due_reminder(
    calendar: OperatingCalendar, today: date, due_date: date, due_soon_business_days: int
) -> DueReminder | None:
    """The reminder an open IR due on ``due_date`` earns on ``today``, if any."""
    if not calendar.is_business_day(today):
        return None
    if today > due_date:
        return DueReminder.OVERDUE
    if due_soon_business_days <= 0:
        return None
    if calendar.business_days_between(today, due_date) <= due_soon_business_days:
        return DueReminder.DUE_SOON
    return None
