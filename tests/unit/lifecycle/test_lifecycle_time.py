"""How the domain reads "today" and "in the future": US Eastern calendar dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ses_core.lifecycle import eastern_today, is_future_date, require_aware


@pytest.mark.parametrize(
    ("instant", "today"),
    [
        # 23:59 EDT on 1 May is 03:59 UTC on 2 May.
        (datetime(2025, 5, 2, 3, 59, tzinfo=UTC), date(2025, 5, 1)),
        (datetime(2025, 5, 2, 4, 0, tzinfo=UTC), date(2025, 5, 2)),
        # Winter: EST is UTC-5.
        (datetime(2025, 1, 2, 4, 59, tzinfo=UTC), date(2025, 1, 1)),
        (datetime(2025, 1, 2, 5, 0, tzinfo=UTC), date(2025, 1, 2)),
        # An instant given in another zone means the same moment.
        (datetime(2025, 5, 2, 9, 0, tzinfo=timezone(timedelta(hours=9))), date(2025, 5, 1)),
    ],
)
def test_today_is_the_date_in_new_york(instant: datetime, today: date) -> None:
    assert eastern_today(instant) == today


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        require_aware(datetime(2025, 5, 1, 12, 0))


# Instants a service can meet: at the ends of datetime's range New York's date (or the
# shifted day) would lie outside it, and eastern_today would raise OverflowError.
service_instants = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@given(service_instants, st.integers(min_value=-3, max_value=3))
def test_only_dates_strictly_after_today_are_in_the_future(now: datetime, shift: int) -> None:
    day = eastern_today(now) + timedelta(days=shift)
    assert is_future_date(day, now) is (shift > 0)


def test_the_default_due_date_is_fifteen_business_days_later_and_a_business_day() -> None:
    from datetime import date

    from ses_core.calendar import OperatingCalendar
    from ses_core.lifecycle import DEFAULT_DUE_BUSINESS_DAYS, default_due_date

    calendar = OperatingCalendar()
    # Sent Wednesday 2026-11-25: Thanksgiving (26th) is skipped, so 15 business days
    # later is Thursday 2026-12-17 rather than Wednesday the 16th.
    due = default_due_date(calendar, date(2026, 11, 25))
    assert DEFAULT_DUE_BUSINESS_DAYS == 15
    assert due == date(2026, 12, 17)
    assert calendar.is_business_day(due)
