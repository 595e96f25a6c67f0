"""Maintenance windows: when mutating calls answer UNAVAILABLE (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ses_core.calendar._instants import require_aware
from ses_core.errors import ValidationFailed


@dataclass(frozen=True)
class MaintenanceWindow:
    """The half-open interval ``[start, end)`` during which the system is in maintenance.

    Construction checks the window is well formed (aware, non-empty; an
    emergency window must say why). Whether it may be *scheduled* depends on
    the calendar: see ``OperatingCalendar.check_maintenance_window``.
    """

    start: datetime
    end: datetime
    emergency: bool = False
    reason: str = ""

    def __post_init__(self) -> None:
        start = require_aware(self.start, "start")
        end = require_aware(self.end, "end")
        if end <= start:
            raise ValidationFailed(
                f"The maintenance window ends ({self.end.isoformat()}) before it starts "
                f"({self.start.isoformat()}); give an end after the start.",
                reason="maintenance_window_empty",
            )
        if self.emergency and not self.reason.strip():
            raise ValidationFailed(
                "An emergency maintenance window overrides full-access hours, so it needs a "
                "reason; say why the maintenance cannot wait.",
                reason="maintenance_reason_missing",
            )

    def contains(self, at: datetime) -> bool:
        return require_aware(self.start) <= require_aware(at) < require_aware(self.end)


def active_window(windows: Iterable[MaintenanceWindow], at: datetime) -> MaintenanceWindow | None:
    """The window in force at ``at``, or None.

    When windows overlap, the one ending last is returned: its end is the
    earliest instant at which the caller can be sure maintenance is over.
    """
    require_aware(at)
    active = [window for window in windows if window.contains(at)]
    return max(active, key=lambda window: require_aware(window.end), default=None)
