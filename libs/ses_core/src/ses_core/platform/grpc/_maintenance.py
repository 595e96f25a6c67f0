"""The maintenance guard (DESIGN §3): during a window, mutating calls get UNAVAILABLE.

Reads keep working: ``Get*``, ``List*``, ``Search*``, ``Download*``, health,
reflection and any method listed as read-only. Signing in, refreshing and
signing out stay open too (``DEFAULT_MAINTENANCE_EXEMPT_METHODS``): without
them nobody could read. The guard asks its ``MaintenanceSchedule`` on every
mutating call; a schedule backed by a database should cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from ses_core.calendar import MaintenanceWindow, active_window
from ses_core.errors import Unavailable
from ses_core.platform.grpc._methods import (
    DEFAULT_MAINTENANCE_EXEMPT_METHODS,
    MethodSet,
    ReadOnlyMethods,
)

EASTERN = ZoneInfo("America/New_York")


class ActiveWindow(Protocol):
    @property
    def end(self) -> datetime: ...


class MaintenanceSchedule(Protocol):
    """Knows which maintenance window, if any, is in force."""

    async def active_window(self, now: datetime) -> ActiveWindow | None: ...


class FixedMaintenanceSchedule:
    """Windows known up front (tests; a deployment that configures them statically)."""

    def __init__(self, windows: Iterable[MaintenanceWindow] = ()) -> None:
        self.windows: Sequence[MaintenanceWindow] = tuple(windows)

    async def active_window(self, now: datetime) -> MaintenanceWindow | None:
        return active_window(self.windows, now)


def eastern_time(at: datetime) -> str:
    """``Tuesday, March 3, 2026, 6:00 AM EST``: how people in the agencies read times."""
    local = at.astimezone(EASTERN)
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    return (
        f"{local:%A, %B} {local.day}, {local.year}, {hour}:{local.minute:02d} {meridiem} "
        f"{local.tzname()}"
    )


def maintenance_error(window: ActiveWindow, now: datetime) -> Unavailable:
    """UNAVAILABLE naming the window's end; clients are told to retry when it ends."""
    return Unavailable(
        f"SES is in maintenance until {eastern_time(window.end)}; reads keep working, "
        "try this change again after that.",
        reason="maintenance",
        metadata={"maintenance_ends_at": window.end.astimezone(UTC).isoformat()},
        retry_after=window.end - now,
        until=window.end.isoformat(),
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MaintenanceGuard:
    """Refuses mutating calls while the schedule reports an active window (a step of
    ``CallInterceptor``, which asks ``guards`` once per method)."""

    def __init__(
        self,
        schedule: MaintenanceSchedule,
        *,
        read_only_methods: Iterable[str] = (),
        exempt_methods: Iterable[str] = DEFAULT_MAINTENANCE_EXEMPT_METHODS,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.schedule = schedule
        self.read_only = ReadOnlyMethods(read_only_methods)
        self.exempt = MethodSet(exempt_methods)
        self._clock = clock

    def guards(self, method: str) -> bool:
        return method not in self.read_only and method not in self.exempt

    async def check(self) -> None:
        """UNAVAILABLE (``maintenance_error``) while a window is active."""
        now = self._clock()
        window = await self.schedule.active_window(now)
        if window is not None:
            raise maintenance_error(window, now)
