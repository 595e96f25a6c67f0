"""Operating-hours calendar (DESIGN §3): full/limited access, holidays, business days.

All times are evaluated in the policy's zone (``America/New_York`` by default);
full access is Monday–Friday 09:00 ≤ t < 18:00 except on the nine listed
holidays and, by default, their federal observed weekdays. Holiday dates come
from the ``holidays`` package, never hand-rolled.
"""

from ses_core.calendar._calendar import AccessLevel, OperatingCalendar
from ses_core.calendar._maintenance import MaintenanceWindow, active_window
from ses_core.calendar._policy import LISTED_HOLIDAYS, CalendarPolicy

__all__ = [
    "LISTED_HOLIDAYS",
    "AccessLevel",
    "CalendarPolicy",
    "MaintenanceWindow",
    "OperatingCalendar",
    "active_window",
]
