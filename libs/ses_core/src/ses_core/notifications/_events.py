"""Events of the notify context (``protos/ses/notify/v1/events.proto``).

``MaintenanceWindowScheduled`` is how every service host learns of a window: the
notify service records it in its outbox when an operator schedules one, and each
host's maintenance guard replays these events from the stream (see
``ses_core.platform.runtime.StreamMaintenanceSchedule``).

Maintenance is a platform-wide fact, but every outbox record needs a tenant:
the notify service writes these events under :data:`PLATFORM_TENANT`, so their
``tenant_id`` is that value rather than empty.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from ses_core.events import DomainEvent

PLATFORM_TENANT = "platform"


class NotifyEvent(DomainEvent):
    context: ClassVar[str] = "notify"


class MaintenanceWindowScheduled(NotifyEvent):
    maintenance_window_id: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    emergency: bool = False
    actor_id: str = ""
