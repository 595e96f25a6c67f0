"""Due-date reminders on the business calendar: due soon, overdue, weekends and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ses_core.calendar import OperatingCalendar
from ses_core.notifications import DueReminder, due_reminder, local_today

CALENDAR = OperatingCalendar()
THURSDAY_DUE = date(2026, 3, 12)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 3, 5), None),  # 5 business days before
        (date(2026, 3, 9), DueReminder.DUE_SOON),  # Monday: 3 business days before
        (date(2026, 3, 12), DueReminder.DUE_SOON),  # due today
        (date(2026, 3, 13), DueReminder.OVERDUE),
        (date(2026, 3, 14), None),  # Saturday: reminders wait for a business day
    ],
)
def test_reminders_by_business_days(today: date, expected: DueReminder | None) -> None:
    assert due_reminder(CALENDAR, today, THURSDAY_DUE, 3) == expected


def test_holidays_do_not_count_as_business_days_and_send_nothing() -> None:
    due = date(2026, 7, 7)  # Tuesday after Independence Day (Saturday; observed Friday July 3)
    assert due_reminder(CALENDAR, date(2026, 7, 3), due, 3) is None  # observed holiday
    # Thursday July 2 → Monday 6, Tuesday 7 are the business days left: 2.
    assert due_reminder(CALENDAR, date(2026, 7, 2), due, 2) == DueReminder.DUE_SOON
    assert due_reminder(CALENDAR, date(2026, 7, 1), due, 2) is None


def test_zero_days_turns_due_soon_off_but_not_overdue() -> None:
    assert due_reminder(CALENDAR, THURSDAY_DUE, THURSDAY_DUE, 0) is None
    assert due_reminder(CALENDAR, date(2026, 3, 13), THURSDAY_DUE, 0) == DueReminder.OVERDUE


def test_today_is_the_eastern_date() -> None:
    late_evening_eastern = datetime(2026, 3, 13, 2, 30, tzinfo=UTC)  # 22:30 on the 12th in NY
    assert local_today(CALENDAR, late_evening_eastern) == date(2026, 3, 12)
    with pytest.raises(ValueError, match="aware"):
        local_today(CALENDAR, datetime(2026, 3, 13, 2, 30))
