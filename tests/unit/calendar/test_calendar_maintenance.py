"""Maintenance windows: only inside limited-access time unless an emergency (DESIGN §3)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ses_core.calendar import MaintenanceWindow, OperatingCalendar, active_window
from ses_core.errors import ValidationFailed

CALENDAR = OperatingCalendar()
EASTERN = ZoneInfo("America/New_York")


def eastern(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (eastern(2026, 3, 4, 18, 0), eastern(2026, 3, 4, 23, 0)),  # weekday evening
        (eastern(2026, 3, 4, 18, 0), eastern(2026, 3, 5, 9, 0)),  # ends exactly at opening
        (eastern(2026, 3, 6, 18, 0), eastern(2026, 3, 9, 9, 0)),  # the whole weekend
        (eastern(2026, 7, 2, 20, 0), eastern(2026, 7, 6, 8, 0)),  # observed holiday + weekend
        (eastern(2026, 3, 4, 6, 0), eastern(2026, 3, 4, 9, 0)),  # early morning
    ],
)
def test_a_window_inside_limited_access_time_may_be_scheduled(
    start: datetime, end: datetime
) -> None:
    CALENDAR.check_maintenance_window(MaintenanceWindow(start, end))


def test_a_window_starting_in_full_access_hours_is_refused_from_its_start() -> None:
    window = MaintenanceWindow(eastern(2026, 3, 4, 17, 0), eastern(2026, 3, 4, 20, 0))
    with pytest.raises(ValidationFailed) as caught:
        CALENDAR.check_maintenance_window(window)
    assert caught.value.reason == "maintenance_in_full_access"
    assert caught.value.details["overlap_from"] == eastern(2026, 3, 4, 17, 0)
    assert "Wed 04 Mar 2026 17:00 EST" in caught.value.message
    assert "emergency" in caught.value.message


def test_a_window_running_into_the_next_opening_is_refused_from_that_opening() -> None:
    window = MaintenanceWindow(eastern(2026, 3, 6, 20, 0), eastern(2026, 3, 9, 9, 0, 1))
    with pytest.raises(ValidationFailed) as caught:
        CALENDAR.check_maintenance_window(window)
    assert caught.value.details["overlap_from"] == eastern(2026, 3, 9, 9, 0)
    assert "from Mon 09 Mar 2026 09:00 EDT" in caught.value.message


def test_an_emergency_window_may_override_full_access_hours() -> None:
    window = MaintenanceWindow(
        eastern(2026, 3, 4, 10, 0), eastern(2026, 3, 4, 11, 0), True, "database failover"
    )
    CALENDAR.check_maintenance_window(window)


def test_an_emergency_window_must_say_why() -> None:
    with pytest.raises(ValidationFailed) as caught:
        MaintenanceWindow(eastern(2026, 3, 4, 10, 0), eastern(2026, 3, 4, 11, 0), True, "  ")
    assert caught.value.reason == "maintenance_reason_missing"


@pytest.mark.parametrize(
    "end", [eastern(2026, 3, 4, 18, 0), eastern(2026, 3, 4, 17, 0)], ids=["empty", "reversed"]
)
def test_a_window_must_end_after_it_starts(end: datetime) -> None:
    with pytest.raises(ValidationFailed) as caught:
        MaintenanceWindow(eastern(2026, 3, 4, 18, 0), end)
    assert caught.value.reason == "maintenance_window_empty"


def test_a_window_with_naive_times_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        MaintenanceWindow(datetime(2026, 3, 4, 18, 0), eastern(2026, 3, 4, 20, 0))
    with pytest.raises(ValueError, match="naive datetime"):
        MaintenanceWindow(eastern(2026, 3, 4, 18, 0), datetime(2026, 3, 4, 20, 0))


def test_a_window_is_half_open() -> None:
    window = MaintenanceWindow(eastern(2026, 3, 4, 18, 0), eastern(2026, 3, 4, 20, 0))
    assert window.contains(eastern(2026, 3, 4, 18, 0))
    assert window.contains(datetime(2026, 3, 5, 0, 59, tzinfo=UTC))  # 19:59 EST
    assert not window.contains(eastern(2026, 3, 4, 20, 0))
    assert not window.contains(eastern(2026, 3, 4, 17, 59))


def test_active_window_is_none_when_no_window_covers_the_instant() -> None:
    windows = [MaintenanceWindow(eastern(2026, 3, 4, 18, 0), eastern(2026, 3, 4, 20, 0))]
    assert active_window(windows, eastern(2026, 3, 4, 21, 0)) is None
    assert active_window([], eastern(2026, 3, 4, 21, 0)) is None


def test_active_window_among_overlapping_ones_is_the_one_ending_last() -> None:
    short = MaintenanceWindow(eastern(2026, 3, 4, 18, 0), eastern(2026, 3, 4, 20, 0))
    long = MaintenanceWindow(eastern(2026, 3, 4, 19, 0), eastern(2026, 3, 4, 23, 0))
    later = MaintenanceWindow(eastern(2026, 3, 5, 19, 0), eastern(2026, 3, 5, 23, 0))
    assert active_window([short, long, later], eastern(2026, 3, 4, 19, 30)) is long
    assert active_window([short, long, later], eastern(2026, 3, 4, 18, 30)) is short


def test_active_window_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        active_window([], datetime(2026, 3, 4, 19, 0))
