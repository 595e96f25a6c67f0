"""Notify's own events: an announced maintenance window reaches every active user."""

from __future__ import annotations

from ses_core.notifications import AudienceFacts, MaintenanceWindowScheduled, Topic
from ses_notify.notices import Notice, facts
from ses_notify.registry import handles
from ses_notify.unit_of_work import NotifyUnitOfWork


@handles(MaintenanceWindowScheduled)
def _maintenance_scheduled(event: MaintenanceWindowScheduled, uow: NotifyUnitOfWork) -> Notice:
    return Notice(
        topic=Topic.MAINTENANCE_SCHEDULED,
        facts=facts(
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            description=event.description,
            emergency=event.emergency,
        ),
        audience=AudienceFacts(actor_id=event.actor_id),
    )
