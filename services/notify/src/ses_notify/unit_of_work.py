"""The notify unit of work: the stores on one session, and a wake-up for the senders.

Deliveries are not outbox events, so the base class's ``on_commit`` hook (which
fires only when events were written) cannot tell the channel workers there is
mail to send; this unit of work calls ``on_deliveries`` after a commit that
enqueued any, which keeps the submit → e-mail latency low without polling fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ses_core.platform.db import SqlUnitOfWork
from ses_notify.deliveries import DeliveryStore, NewDelivery
from ses_notify.inbox import Inbox
from ses_notify.maintenance import MaintenanceStore
from ses_notify.preferences import PreferenceStore
from ses_notify.projection import Projection
from ses_notify.webhooks import WebhookStore


class NotifyUnitOfWork(SqlUnitOfWork):
    projection: Projection
    deliveries: DeliveryStore
    inbox: Inbox
    preferences: PreferenceStore
    maintenance: MaintenanceStore
    webhooks: WebhookStore

    def __init__(
        self, *args: Any, on_deliveries: Callable[[], None] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._on_deliveries = on_deliveries
        self._enqueued = 0

    def _open_repositories(self) -> None:
        session = self.session
        self.projection = Projection(session)
        self.deliveries = DeliveryStore(session)
        self.inbox = Inbox(session)
        self.preferences = PreferenceStore(session)
        self.maintenance = MaintenanceStore(session)
        self.webhooks = WebhookStore(session)
        self._enqueued = 0

    def enqueue(self, delivery: NewDelivery) -> bool:
        added = self.deliveries.enqueue(delivery, self.clock.now())
        self._enqueued += int(added)
        return added

    def commit(self) -> None:
        super().commit()
        enqueued, self._enqueued = self._enqueued, 0
        if enqueued and self._on_deliveries is not None:
            self._on_deliveries()
