"""The deployment's operating-hours policy (DESIGN §3), as a frozen value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ses_core.calendar._holidays import known_holiday_names

# The nine holidays of DESIGN §3, spelled as the ``holidays`` package names them
# (language pinned to en_US). Columbus Day and Veterans Day are deliberately absent.
LISTED_HOLIDAYS: frozenset[str] = frozenset(
    {
        "New Year's Day",
        "Martin Luther King Jr. Day",
        "Washington's Birthday",  # Presidents' Day
        "Memorial Day",
        "Juneteenth National Independence Day",
        "Independence Day",
        "Labor Day",
        "Thanksgiving Day",
        "Christmas Day",
    }
)

WEEKDAYS: frozenset[int] = frozenset(range(5))  # Monday=0 .. Friday=4


@dataclass(frozen=True, kw_only=True)
class CalendarPolicy:
    """When the platform is in full access; everything else is limited access.

    ``full_access_opens``/``full_access_closes`` are local wall-clock times in
    ``timezone``: full access is ``opens <= t < closes`` on every business day.
    ``holidays`` holds names as the ``holidays`` package spells them for the US;
    unknown names are refused so a typo cannot silently drop a holiday.
    ``observed_weekend_holidays`` adds the federal observed weekday (Friday
    before a Saturday holiday, Monday after a Sunday one) to the holidays.
    """

    timezone: str = "America/New_York"
    full_access_opens: time = time(9)
    full_access_closes: time = time(18)
    working_weekdays: frozenset[int] = WEEKDAYS
    holidays: frozenset[str] = LISTED_HOLIDAYS
    observed_weekend_holidays: bool = True

    def __post_init__(self) -> None:
        self.zone  # noqa: B018 - fail at configuration time, not at first use
        if self.full_access_opens.tzinfo or self.full_access_closes.tzinfo:
            raise ValueError(
                "Full-access hours are local wall-clock times in the policy's time zone; "
                "give them without a tzinfo."
            )
        if not self.full_access_opens < self.full_access_closes:
            raise ValueError(
                f"Full access must open before it closes; got opens={self.full_access_opens} "
                f"and closes={self.full_access_closes}."
            )
        if not self.working_weekdays or not self.working_weekdays <= frozenset(range(7)):
            raise ValueError(
                "working_weekdays must name at least one weekday as 0 (Monday) to 6 (Sunday); "
                f"got {sorted(self.working_weekdays)}."
            )
        # The spec's own list is checked by the tests; checking it at every start would
        # import the holidays package before the first call (a third of the start time).
        extra = self.holidays - LISTED_HOLIDAYS
        unknown = extra - known_holiday_names() if extra else frozenset()
        if unknown:
            raise ValueError(
                f"Unknown holiday names {sorted(unknown)}; use names as the 'holidays' "
                f"package spells them, e.g. {sorted(LISTED_HOLIDAYS)[:3]}."
            )

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"Unknown time zone {self.timezone!r}; use an IANA name such as 'America/New_York'."
            ) from exc
