"""Holidays and business days against the real calendars of 2025–2028 (DESIGN §3)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from ses_core.calendar import LISTED_HOLIDAYS, AccessLevel, CalendarPolicy, OperatingCalendar
from ses_core.calendar._holidays import known_holiday_names

CALENDAR = OperatingCalendar()

# Every date on which a listed holiday or its federal observed weekday falls,
# checked by hand against a printed calendar. "obs" marks observed weekdays.
HOLIDAYS_BY_YEAR: dict[int, set[date]] = {
    2025: {
        date(2025, 1, 1),  # New Year's Day, Wed
        date(2025, 1, 20),  # Martin Luther King Jr. Day
        date(2025, 2, 17),  # Presidents' Day
        date(2025, 5, 26),  # Memorial Day
        date(2025, 6, 19),  # Juneteenth, Thu
        date(2025, 7, 4),  # Independence Day, Fri
        date(2025, 9, 1),  # Labor Day
        date(2025, 11, 27),  # Thanksgiving Day
        date(2025, 12, 25),  # Christmas Day, Thu
    },
    2026: {
        date(2026, 1, 1),  # New Year's Day, Thu
        date(2026, 1, 19),  # Martin Luther King Jr. Day
        date(2026, 2, 16),  # Presidents' Day
        date(2026, 5, 25),  # Memorial Day
        date(2026, 6, 19),  # Juneteenth, Fri
        date(2026, 7, 3),  # Independence Day obs (Fri)
        date(2026, 7, 4),  # Independence Day, Sat
        date(2026, 9, 7),  # Labor Day
        date(2026, 11, 26),  # Thanksgiving Day
        date(2026, 12, 25),  # Christmas Day, Fri
    },
    2027: {
        date(2027, 1, 1),  # New Year's Day, Fri
        date(2027, 1, 18),  # Martin Luther King Jr. Day
        date(2027, 2, 15),  # Presidents' Day
        date(2027, 5, 31),  # Memorial Day
        date(2027, 6, 18),  # Juneteenth obs (Fri)
        date(2027, 6, 19),  # Juneteenth, Sat
        date(2027, 7, 4),  # Independence Day, Sun
        date(2027, 7, 5),  # Independence Day obs (Mon)
        date(2027, 9, 6),  # Labor Day
        date(2027, 11, 25),  # Thanksgiving Day
        date(2027, 12, 24),  # Christmas Day obs (Fri)
        date(2027, 12, 25),  # Christmas Day, Sat
        date(2027, 12, 31),  # New Year's Day 2028 obs (Fri)
    },
    2028: {
        date(2028, 1, 1),  # New Year's Day, Sat (observed on 2027-12-31)
        date(2028, 1, 17),  # Martin Luther King Jr. Day
        date(2028, 2, 21),  # Presidents' Day
        date(2028, 5, 29),  # Memorial Day
        date(2028, 6, 19),  # Juneteenth, Mon
        date(2028, 7, 4),  # Independence Day, Tue
        date(2028, 9, 4),  # Labor Day
        date(2028, 11, 23),  # Thanksgiving Day
        date(2028, 12, 25),  # Christmas Day, Mon
    },
}

OBSERVED_WEEKDAYS = [
    date(2026, 7, 3),
    date(2027, 6, 18),
    date(2027, 7, 5),
    date(2027, 12, 24),
    date(2027, 12, 31),
]

# Federal holidays that are deliberately NOT on the list, and Veterans Day's own
# observed Friday in 2028: ordinary business days with full access.
NOT_LISTED = [
    date(2025, 10, 13),  # Columbus Day
    date(2025, 11, 11),  # Veterans Day, Tue
    date(2026, 10, 12),  # Columbus Day
    date(2026, 11, 11),  # Veterans Day, Wed
    date(2027, 10, 11),  # Columbus Day
    date(2027, 11, 11),  # Veterans Day, Thu
    date(2028, 10, 9),  # Columbus Day
    date(2028, 11, 10),  # Veterans Day 2028 falls on Saturday; its observed Friday
]


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", sorted(HOLIDAYS_BY_YEAR))
def test_holidays_of_the_year_are_exactly_the_listed_ones_with_observed_days(year: int) -> None:
    found = {day for day in _days_of(year) if CALENDAR.is_holiday(day)}
    assert found == HOLIDAYS_BY_YEAR[year]


@pytest.mark.parametrize("year", sorted(HOLIDAYS_BY_YEAR))
def test_business_days_are_weekdays_that_are_not_holidays(year: int) -> None:
    for day in _days_of(year):
        expected = day.weekday() < 5 and day not in HOLIDAYS_BY_YEAR[year]
        assert CALENDAR.is_business_day(day) is expected, day


@pytest.mark.parametrize(
    "holiday", sorted(day for days in HOLIDAYS_BY_YEAR.values() for day in days)
)
def test_a_holiday_is_limited_access_all_day(holiday: date) -> None:
    for hour in (0, 9, 12, 17, 23):
        at = datetime.combine(holiday, time(hour), tzinfo=CALENDAR.zone)
        assert CALENDAR.access_level(at) is AccessLevel.LIMITED


@pytest.mark.parametrize("day", NOT_LISTED)
def test_columbus_and_veterans_day_are_business_days_with_full_access(day: date) -> None:
    assert not CALENDAR.is_holiday(day)
    assert CALENDAR.is_business_day(day)
    noon = datetime.combine(day, time(12), tzinfo=CALENDAR.zone)
    assert CALENDAR.access_level(noon) is AccessLevel.FULL


@pytest.mark.parametrize("day", OBSERVED_WEEKDAYS)
def test_observed_weekdays_become_business_days_when_the_policy_switch_is_off(day: date) -> None:
    calendar = OperatingCalendar(CalendarPolicy(observed_weekend_holidays=False))
    assert CALENDAR.is_holiday(day)
    assert not calendar.is_holiday(day)
    assert calendar.is_business_day(day)
    noon = datetime.combine(day, time(12), tzinfo=calendar.zone)
    assert calendar.access_level(noon) is AccessLevel.FULL


def test_the_actual_weekend_date_stays_a_holiday_without_observed_days() -> None:
    calendar = OperatingCalendar(CalendarPolicy(observed_weekend_holidays=False))
    assert calendar.is_holiday(date(2027, 12, 25))
    assert calendar.is_holiday(date(2026, 7, 4))


def test_the_list_holds_exactly_the_nine_holidays_of_the_spec() -> None:
    assert len(LISTED_HOLIDAYS) == 9
    assert known_holiday_names() >= LISTED_HOLIDAYS  # spelled as the package spells them
    assert "Columbus Day" not in LISTED_HOLIDAYS
    assert "Veterans Day" not in LISTED_HOLIDAYS


def test_a_deployment_may_add_a_holiday_known_to_the_holidays_package() -> None:
    calendar = OperatingCalendar(CalendarPolicy(holidays=LISTED_HOLIDAYS | {"Columbus Day"}))
    assert calendar.is_holiday(date(2026, 10, 12))
    assert not calendar.is_business_day(date(2026, 10, 12))


def test_juneteenth_is_a_holiday_only_since_it_became_federal_in_2021() -> None:
    assert not CALENDAR.is_holiday(date(2020, 6, 19))
    assert CALENDAR.is_holiday(date(2021, 6, 18))  # first observance: Sat → Fri


# -- business-day arithmetic ------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 3, 2), 1, date(2026, 3, 3)),  # Mon + 1
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Fri + 1 skips the weekend
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Sat + 1: first business day after
        (date(2026, 3, 2), 5, date(2026, 3, 9)),
        (date(2026, 7, 2), 1, date(2026, 7, 6)),  # Thu + 1 skips observed Fri and weekend
        (date(2027, 12, 23), 1, date(2027, 12, 27)),  # skips Christmas observed
        (date(2027, 12, 30), 1, date(2028, 1, 3)),  # skips New Year observed on Dec 31
        (date(2026, 11, 25), 1, date(2026, 11, 27)),  # Thanksgiving skipped
        (date(2026, 3, 9), -1, date(2026, 3, 6)),  # Mon - 1 is the Friday before
        (date(2026, 7, 6), -1, date(2026, 7, 2)),  # skips observed Fri backwards
        (date(2026, 3, 8), -1, date(2026, 3, 6)),  # Sun - 1
        (date(2028, 1, 3), -2, date(2027, 12, 29)),
        (date(2026, 3, 4), 0, date(2026, 3, 4)),  # business day + 0 is itself
        (date(2026, 3, 7), 0, date(2026, 3, 9)),  # Sat + 0 rolls forward
        (date(2027, 12, 24), 0, date(2027, 12, 27)),  # observed holiday + 0 rolls forward
    ],
)
def test_add_business_days(start: date, n: int, expected: date) -> None:
    assert CALENDAR.add_business_days(start, n) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 4), date(2026, 3, 4)),
        (date(2026, 7, 3), date(2026, 7, 6)),
        (date(2027, 12, 24), date(2027, 12, 27)),
        (date(2027, 12, 31), date(2028, 1, 3)),
    ],
)
def test_next_business_day_on_or_after(day: date, expected: date) -> None:
    assert CALENDAR.next_business_day_on_or_after(day) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 2), date(2026, 3, 2), 0),
        (date(2026, 3, 2), date(2026, 3, 9), 5),
        (date(2026, 3, 9), date(2026, 3, 2), -5),
        (date(2027, 12, 23), date(2028, 1, 3), 5),  # two observed Fridays inside
        (date(2026, 3, 7), date(2026, 3, 8), 0),  # a weekend has none
    ],
)
def test_business_days_between(start: date, end: date, expected: int) -> None:
    assert CALENDAR.business_days_between(start, end) == expected


def test_date_methods_refuse_datetimes_whose_date_depends_on_the_zone() -> None:
    instant = datetime(2026, 3, 2, 12, tzinfo=CALENDAR.zone)
    for call in (
        lambda: CALENDAR.is_holiday(instant),
        lambda: CALENDAR.is_business_day(instant),
        lambda: CALENDAR.add_business_days(instant, 1),
        lambda: CALENDAR.business_days_between(instant, date(2026, 3, 3)),
        lambda: CALENDAR.full_access_period(instant),
    ):
        with pytest.raises(TypeError, match="Expected a date"):
            call()


# -- policy validation -------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "Unknown time zone"),
        ({"timezone": "../etc/passwd"}, "Unknown time zone"),
        ({"full_access_opens": time(18), "full_access_closes": time(9)}, "open before it closes"),
        ({"full_access_opens": time(9), "full_access_closes": time(9)}, "open before it closes"),
        (
            {"full_access_opens": time(9, tzinfo=CALENDAR.zone)},
            "local wall-clock times",
        ),
        ({"working_weekdays": frozenset()}, "at least one weekday"),
        ({"working_weekdays": frozenset({7})}, "at least one weekday"),
        ({"holidays": frozenset({"Presidents Day"})}, "Unknown holiday names"),
    ],
)
def test_a_misconfigured_policy_is_refused_at_construction(
    settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        CalendarPolicy(**settings)  # type: ignore[arg-type]


def test_a_policy_without_holidays_has_none() -> None:
    calendar = OperatingCalendar(CalendarPolicy(holidays=frozenset()))
    assert not calendar.is_holiday(date(2026, 12, 25))
    assert calendar.is_business_day(date(2026, 12, 25))
