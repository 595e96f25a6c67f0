"""ScheduleMaintenance, ListMaintenanceWindows and GetOperatingStatus (DESIGN §3).

Choices where the spec is silent:

* A window must not have ended, and must not start more than a minute ago (the minute
  absorbs clock skew for an emergency window that starts "now").
* Outside limited-access time only emergency windows are accepted, and an emergency
  window needs a description (it is the reason the calendar asks for).
* Scheduling commits the window and its ``MaintenanceWindowScheduled`` event together;
  every host's guard learns of it from the event, and the notify consumer announces it
  to every active user.
* The operating status's ``next_change`` is the calendar's (full ↔ limited access);
  maintenance windows are reported separately.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ses_core.calendar import AccessLevel, MaintenanceWindow
from ses_core.errors import PreconditionFailed, ValidationFailed
from ses_core.identity import Actor
from ses_core.limits import TextField, checked_text
from ses_core.notifications import PLATFORM_TENANT, MaintenanceWindowScheduled
from ses_core.permissions import Action, Resource, ResourceKind, require
from ses_notify.handlers import NotifyApp
from ses_notify.maintenance import StoredWindow
from ses_notify.paging import decode_token, encode_token, page_size_of

START_GRACE = timedelta(minutes=1)
_MAINTENANCE = Resource(kind=ResourceKind.MAINTENANCE)


@dataclass(frozen=True)
class ScheduleMaintenance:
    starts_at: datetime | None
    ends_at: datetime | None
    description: str = ""
    emergency: bool = False


@dataclass(frozen=True)
class ListMaintenanceWindows:
    include_past: bool = False
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class OperatingStatus:
    access_level: AccessLevel
    next_change_at: datetime
    active: StoredWindow | None
    as_of: datetime


def schedule_maintenance(
    app: NotifyApp, actor: Actor, command: ScheduleMaintenance
) -> StoredWindow:
    require(actor, Action.SCHEDULE_MAINTENANCE, _MAINTENANCE)
    description = checked_text(TextField.MAINTENANCE_DESCRIPTION, command.description)
    starts_at = _required_instant(command.starts_at, "starts_at", "begins")
    ends_at = _required_instant(command.ends_at, "ends_at", "ends")
    window = MaintenanceWindow(
        start=starts_at,
        end=ends_at,
        emergency=command.emergency,
        reason=description,
    )
    now = app.clock.now()
    if window.end <= now or window.start < now - START_GRACE:
        raise ValidationFailed(
            "The maintenance window starts in the past; give a start from now on.",
            reason="maintenance_window_in_past",
        )
    try:
        app.calendar.check_maintenance_window(window)
    except ValidationFailed as error:
        raise PreconditionFailed(error.message, reason=error.reason) from error
    stored = StoredWindow(
        maintenance_window_id=str(uuid.uuid4()),
        starts_at=window.start,
        ends_at=window.end,
        description=description,
        emergency=command.emergency,
        scheduled_by_user_id=actor.user_id,
        created_at=now,
    )
    with app.unit_of_work(PLATFORM_TENANT) as uow:
        uow.maintenance.add(stored)
        uow.record(
            MaintenanceWindowScheduled(
                maintenance_window_id=stored.maintenance_window_id,
                starts_at=stored.starts_at,
                ends_at=stored.ends_at,
                description=description,
                emergency=command.emergency,
                actor_id=actor.user_id,
                tenant_id=PLATFORM_TENANT,
            )
        )
        uow.commit()
    return stored


def _required_instant(value: datetime | None, field: str, what: str) -> datetime:
    if value is None:
        raise ValidationFailed(
            f"Give {field}, when the maintenance window {what}.",
            reason="maintenance_window_incomplete",
            field=field,
        )
    return value


def list_maintenance_windows(
    app: NotifyApp, actor: Actor, query: ListMaintenanceWindows
) -> tuple[list[StoredWindow], str]:
    require(actor, Action.VIEW_OPERATING_STATUS, _MAINTENANCE)
    filters = {"list": "maintenance", "past": query.include_past}
    size = page_size_of(query.page_size)
    after = decode_token(query.page_token, filters)
    ending_after = None if query.include_past else app.clock.now()
    with app.unit_of_work(PLATFORM_TENANT) as uow:
        page = uow.maintenance.page(ending_after=ending_after, page_size=size, after=after)
    return list(page.items), encode_token(page.last_key, filters)


def operating_status(app: NotifyApp) -> OperatingStatus:
    """Public: anyone may ask whether SES is open (no token needed)."""
    now = app.clock.now()
    with app.unit_of_work(PLATFORM_TENANT) as uow:
        covering = uow.maintenance.covering(now)
    active = max(covering, key=lambda window: window.ends_at, default=None)
    return OperatingStatus(
        access_level=app.calendar.access_level(now),
        next_change_at=app.calendar.next_change(now),
        active=active,
        as_of=now,
    )
