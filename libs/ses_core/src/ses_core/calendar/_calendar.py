"""Full and limited access, holidays and business days (DESIGN §3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ses_core.calendar._holidays import holiday_dates
from ses_core.calendar._instants import require_aware, require_plain_date
from ses_core.calendar._maintenance import MaintenanceWindow
from ses_core.calendar._policy import CalendarPolicy
from ses_core.errors import ValidationFailed

_ONE_DAY = timedelta(days=1)
# A policy has at least one working weekday and a year holds a dozen holidays at
# most, so a business day always turns up well within this many days.
_SEARCH_LIMIT_DAYS = 400
_DISPLAY_FORMAT = "%a %d %b %Y %H:%M %Z"
_UNREACHABLE = "unreachable: every policy has a working weekday"


class AccessLevel(StrEnum):
    FULL = "full"
    LIMITED = "limited"


class OperatingCalendar:
    """Answers "full or limited access now?" and business-day arithmetic for a policy.

    Design choices where DESIGN §3 is silent:

    * Every instant comparison happens in UTC. A day's full-access period is
      the half-open interval from ``opens`` to ``closes`` on that day's local
      clock, each read as ``zoneinfo`` reads a wall time (fold=0: an ambiguous
      time is its first occurrence; a time inside a DST gap is read with the
      offset in force before the gap). DST switches happen at 02:00 Eastern,
      so the default hours are unaffected; a policy whose hours collapse to an
      empty period across a gap has no full access that day.
    * ``add_business_days(d, n)`` for ``n > 0`` is the n-th business day
      strictly after ``d`` (so Saturday + 1 is Monday), for ``n < 0`` the
      |n|-th strictly before, and for ``n == 0`` ``d`` itself if it is a
      business day, else the next one. The result is always a business day.
    * ``business_days_between(a, b)`` counts business days in ``(a, b]``
      (negated count over ``[b, a)`` when ``b < a``), so that
      ``add_business_days(a, business_days_between(a, b)) == b`` for every
      business day ``b``.
    * Date methods refuse ``datetime`` arguments (``TypeError``): the date of
      an instant depends on the zone, and comparing a datetime to a date is
      silently always false.
    """

    def __init__(self, policy: CalendarPolicy | None = None) -> None:
        self.policy = policy if policy is not None else CalendarPolicy()
        self.zone: ZoneInfo = self.policy.zone

    # -- dates -----------------------------------------------------------

    def is_holiday(self, d: date) -> bool:
        d = require_plain_date(d)
        policy = self.policy
        return d in holiday_dates(d.year, policy.holidays, policy.observed_weekend_holidays)

    def is_business_day(self, d: date) -> bool:
        d = require_plain_date(d)
        return d.weekday() in self.policy.working_weekdays and not self.is_holiday(d)

    def next_business_day_on_or_after(self, d: date) -> date:
        day = require_plain_date(d)
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_business_day(day):
                return day
            day += _ONE_DAY
        raise AssertionError(_UNREACHABLE)  # pragma: no cover

    def add_business_days(self, d: date, n: int) -> date:
        day = require_plain_date(d)
        if n == 0:
            return self.next_business_day_on_or_after(day)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        start, end = require_plain_date(start), require_plain_date(end)
        if end < start:
            return -self._count_business_days(end, start)
        return self._count_business_days(start + _ONE_DAY, end + _ONE_DAY)

    def _count_business_days(self, first: date, stop: date) -> int:
        """Business days in ``[first, stop)``."""
        days = (first + timedelta(days=offset) for offset in range((stop - first).days))
        return sum(1 for day in days if self.is_business_day(day))

    # -- instants --------------------------------------------------------

    def access_level(self, at: datetime) -> AccessLevel:
        at_utc = require_aware(at)
        period = self._full_access_period(at_utc.astimezone(self.zone).date())
        if period is not None and period[0] <= at_utc < period[1]:
            return AccessLevel.FULL
        return AccessLevel.LIMITED

    def next_change(self, at: datetime) -> datetime:
        """The first instant after ``at`` whose access level differs from ``at``'s (in the zone)."""
        at_utc = require_aware(at)
        day = at_utc.astimezone(self.zone).date()
        period = self._full_access_period(day)
        if period is not None:
            opens, closes = period
            if at_utc < opens:
                return opens
            if at_utc < closes:
                return closes
        for _ in range(_SEARCH_LIMIT_DAYS):
            day += _ONE_DAY
            period = self._full_access_period(day)
            if period is not None:
                return period[0]
        raise AssertionError(_UNREACHABLE)  # pragma: no cover

    def full_access_period(self, d: date) -> tuple[datetime, datetime] | None:
        """``(opens, closes)`` of full access on local date ``d``, or None if ``d`` has none."""
        return self._full_access_period(require_plain_date(d))

    def _full_access_period(self, d: date) -> tuple[datetime, datetime] | None:
        if not self.is_business_day(d):
            return None
        opens = self._instant(d, self.policy.full_access_opens)
        closes = self._instant(d, self.policy.full_access_closes)
        # Only a policy with both times inside one DST gap could collapse the period.
        return (opens, closes) if opens < closes else None

    def _instant(self, d: date, wall: time) -> datetime:
        # The UTC round trip turns a wall time that does not exist (DST gap)
        # into a real instant, and sets fold correctly for ambiguous ones.
        return datetime.combine(d, wall, tzinfo=self.zone).astimezone(UTC).astimezone(self.zone)

    # -- maintenance -----------------------------------------------------

    def check_maintenance_window(self, window: MaintenanceWindow) -> None:
        """Refuse a window that reaches into full-access time, unless it is an emergency."""
        if window.emergency:
            return
        start = require_aware(window.start)
        if self.access_level(start) is AccessLevel.FULL:
            overlap_from = start
        else:
            overlap_from = self.next_change(start)
            if overlap_from >= window.end:
                return
        raise ValidationFailed(
            f"The maintenance window {self._display(window.start)} – {self._display(window.end)} "
            f"overlaps full-access hours from {self._display(overlap_from)}; schedule it inside "
            "limited-access time (weekday evenings and early mornings, weekends, listed holidays) "
            "or mark it an emergency with a reason.",
            reason="maintenance_in_full_access",
            overlap_from=overlap_from,
        )

    def _display(self, at: datetime) -> str:
        return at.astimezone(self.zone).strftime(_DISPLAY_FORMAT)
