"""One plain function per RPC: check the caller, load, change, commit. No gRPC types here.

Each takes the :class:`NotifyApp` (how to open a unit of work, the clock, the
calendar and where webhooks may go), the acting user and a command or query value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ses_core.calendar import OperatingCalendar
from ses_core.identity import Actor
from ses_core.notifications import PLATFORM_TENANT
from ses_core.ports import Clock
from ses_notify.unit_of_work import NotifyUnitOfWork
from ses_notify.webhook_targets import WebhookTargets


@dataclass(frozen=True)
class NotifyApp:
    unit_of_work: Callable[[str], NotifyUnitOfWork]
    clock: Clock
    calendar: OperatingCalendar
    webhook_targets: WebhookTargets

    def uow_for(self, actor: Actor) -> NotifyUnitOfWork:
        """A unit of work in the caller's tenant (platform-wide for everyone but agencies)."""
        return self.unit_of_work(actor.tenant_id or PLATFORM_TENANT)
