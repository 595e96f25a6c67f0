"""Full and limited access at exact boundaries, across zones and DST switches (DESIGN §3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ses_core.calendar import AccessLevel, CalendarPolicy, OperatingCalendar

CALENDAR = OperatingCalendar()
EASTERN = ZoneInfo("America/New_York")
FULL, LIMITED = AccessLevel.FULL, AccessLevel.LIMITED


def eastern(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (eastern(2026, 3, 4, 8, 59, 59, 999_000), LIMITED),
        (eastern(2026, 3, 4, 8, 59, 59, 999_999), LIMITED),
        (eastern(2026, 3, 4, 9, 0), FULL),
        (eastern(2026, 3, 4, 12, 0), FULL),
        (eastern(2026, 3, 4, 17, 59, 59), FULL),
        (eastern(2026, 3, 4, 17, 59, 59, 999_999), FULL),
        (eastern(2026, 3, 4, 18, 0), LIMITED),
        (eastern(2026, 3, 4, 0, 0), LIMITED),
        (eastern(2026, 3, 4, 23, 59, 59), LIMITED),
        (eastern(2026, 3, 7, 12, 0), LIMITED),  # Saturday
        (eastern(2026, 3, 8, 12, 0), LIMITED),  # Sunday
    ],
)
def test_full_access_is_weekdays_from_nine_until_before_six_eastern(
    at: datetime, expected: AccessLevel
) -> None:
    assert CALENDAR.access_level(at) is expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 09:00 EST is 14:00 UTC in winter, 13:00 UTC in summer.
        (datetime(2026, 1, 14, 13, 59, 59, tzinfo=UTC), LIMITED),
        (datetime(2026, 1, 14, 14, 0, tzinfo=UTC), FULL),
        (datetime(2026, 7, 15, 12, 59, 59, tzinfo=UTC), LIMITED),
        (datetime(2026, 7, 15, 13, 0, tzinfo=UTC), FULL),
        (datetime(2026, 7, 15, 22, 0, tzinfo=UTC), LIMITED),  # 18:00 EDT
        # Tokyo's Thursday 08:00 is Wednesday 19:00 EDT.
        (datetime(2026, 7, 16, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo")), LIMITED),
        (datetime(2026, 7, 16, 1, 30, tzinfo=ZoneInfo("Asia/Tokyo")), FULL),  # Wed 12:30 EDT
        (datetime(2026, 7, 15, 9, 0, tzinfo=timezone(timedelta(hours=-4))), FULL),
    ],
)
def test_instants_in_any_zone_are_judged_on_the_eastern_clock(
    at: datetime, expected: AccessLevel
) -> None:
    assert CALENDAR.access_level(at) is expected


def test_a_naive_datetime_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        CALENDAR.access_level(datetime(2026, 3, 4, 12, 0))
    with pytest.raises(ValueError, match="naive datetime"):
        CALENDAR.next_change(datetime(2026, 3, 4, 12, 0))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (eastern(2026, 3, 4, 7, 0), eastern(2026, 3, 4, 9, 0)),  # before opening
        (eastern(2026, 3, 4, 9, 0), eastern(2026, 3, 4, 18, 0)),  # at opening
        (eastern(2026, 3, 4, 17, 59, 59), eastern(2026, 3, 4, 18, 0)),
        (eastern(2026, 3, 4, 18, 0), eastern(2026, 3, 5, 9, 0)),  # at closing
        (eastern(2026, 3, 6, 18, 0), eastern(2026, 3, 9, 9, 0)),  # Friday → Monday
        (eastern(2026, 3, 7, 12, 0), eastern(2026, 3, 9, 9, 0)),  # Saturday
        (eastern(2026, 7, 2, 18, 0), eastern(2026, 7, 6, 9, 0)),  # observed Fri + weekend
        (eastern(2027, 12, 23, 18, 0), eastern(2027, 12, 27, 9, 0)),  # Christmas observed
        (eastern(2027, 12, 30, 18, 0), eastern(2028, 1, 3, 9, 0)),  # New Year observed
        (eastern(2026, 11, 25, 20, 0), eastern(2026, 11, 27, 9, 0)),  # Thanksgiving
    ],
)
def test_next_change_is_the_next_opening_or_closing(at: datetime, expected: datetime) -> None:
    change = CALENDAR.next_change(at)
    assert change == expected
    assert change.tzinfo is EASTERN


def test_next_change_of_an_instant_in_another_zone_is_given_in_eastern() -> None:
    change = CALENDAR.next_change(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))  # 07:00 EST
    assert change.tzinfo is EASTERN
    assert change.astimezone(UTC) == datetime(2026, 3, 4, 14, 0, tzinfo=UTC)


# -- DST switch days: 2026-03-08 (spring forward) and 2026-11-01 (fall back) --


def test_the_weekend_across_spring_forward_is_one_hour_shorter() -> None:
    friday_close = eastern(2026, 3, 6, 18, 0)  # 23:00 UTC
    monday_open = CALENDAR.next_change(friday_close)
    assert monday_open.astimezone(UTC) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert monday_open.astimezone(UTC) - friday_close.astimezone(UTC) == timedelta(hours=62)


def test_the_weekend_across_fall_back_is_one_hour_longer() -> None:
    friday_close = eastern(2026, 10, 30, 18, 0)  # 22:00 UTC
    monday_open = CALENDAR.next_change(friday_close)
    assert monday_open.astimezone(UTC) == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    assert monday_open.astimezone(UTC) - friday_close.astimezone(UTC) == timedelta(hours=64)


SEVEN_DAYS = OperatingCalendar(CalendarPolicy(working_weekdays=frozenset(range(7))))


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


@pytest.mark.parametrize(
    ("switch_day", "opens_utc", "closes_utc"),
    [
        (date(2026, 3, 8), utc(2026, 3, 8, 13, 0), utc(2026, 3, 8, 22, 0)),  # EDT from 02:00
        (date(2026, 11, 1), utc(2026, 11, 1, 14, 0), utc(2026, 11, 1, 23, 0)),  # EST from 02:00
    ],
)
def test_full_access_on_a_dst_switch_day_follows_the_wall_clock(
    switch_day: date, opens_utc: datetime, closes_utc: datetime
) -> None:
    assert SEVEN_DAYS.full_access_period(switch_day) == (opens_utc, closes_utc)
    second = timedelta(seconds=1)
    assert SEVEN_DAYS.access_level(opens_utc - second) is LIMITED
    assert SEVEN_DAYS.access_level(opens_utc) is FULL
    assert SEVEN_DAYS.access_level(closes_utc - second) is FULL
    assert SEVEN_DAYS.access_level(closes_utc) is LIMITED
    midnight = datetime.combine(switch_day, time(0), tzinfo=EASTERN)
    assert SEVEN_DAYS.next_change(midnight) == opens_utc
    assert SEVEN_DAYS.next_change(opens_utc) == closes_utc


def test_the_repeated_hour_of_fall_back_is_limited_both_times() -> None:
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST
    assert SEVEN_DAYS.access_level(first) is LIMITED
    assert SEVEN_DAYS.access_level(second) is LIMITED
    assert SEVEN_DAYS.next_change(first) == SEVEN_DAYS.next_change(second)


def test_opening_inside_the_spring_forward_gap_reads_the_time_with_the_old_offset() -> None:
    # 02:30 does not exist on 2026-03-08; zoneinfo (fold=0) reads it as EST: 07:30 UTC.
    calendar = OperatingCalendar(
        CalendarPolicy(working_weekdays=frozenset(range(7)), full_access_opens=time(2, 30))
    )
    opens = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert calendar.next_change(eastern(2026, 3, 8, 0, 0)) == opens
    assert calendar.access_level(opens - timedelta(microseconds=1)) is LIMITED
    assert calendar.access_level(opens) is FULL


def test_hours_that_collapse_across_the_gap_give_that_day_no_full_access() -> None:
    # 02:30 (read as EST) is 07:30 UTC but 03:10 EDT is 07:10 UTC: an empty period.
    calendar = OperatingCalendar(
        CalendarPolicy(
            working_weekdays=frozenset(range(7)),
            full_access_opens=time(2, 30),
            full_access_closes=time(3, 10),
        )
    )
    assert calendar.full_access_period(date(2026, 3, 8)) is None
    assert calendar.access_level(datetime(2026, 3, 8, 7, 20, tzinfo=UTC)) is LIMITED
    next_day_opens = datetime(2026, 3, 9, 6, 30, tzinfo=UTC)  # 02:30 EDT
    assert calendar.next_change(eastern(2026, 3, 8, 0, 0)) == next_day_opens


def test_full_access_period_is_none_on_days_without_full_access() -> None:
    assert CALENDAR.full_access_period(date(2026, 3, 7)) is None  # Saturday
    assert CALENDAR.full_access_period(date(2026, 12, 25)) is None
    assert CALENDAR.full_access_period(date(2026, 3, 4)) == (
        eastern(2026, 3, 4, 9, 0),
        eastern(2026, 3, 4, 18, 0),
    )


def test_a_policy_in_another_zone_uses_that_zones_clock() -> None:
    chicago = OperatingCalendar(CalendarPolicy(timezone="America/Chicago"))
    at = eastern(2026, 3, 4, 9, 30)  # 08:30 in Chicago
    assert chicago.access_level(at) is LIMITED
    assert CALENDAR.access_level(at) is FULL
