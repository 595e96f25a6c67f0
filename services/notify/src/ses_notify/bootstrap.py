"""The notify service's composition root: the ``plugin`` the host loads (``ses.services``).

What runs:

* the gRPC ``NotifyService`` (``GetOperatingStatus`` needs no token);
* one durable event consumer (``notify``) that keeps the projection and records deliveries;
* one worker per notification channel (entry points ``ses.notification_channels``), sending
  what the delivery log says is due;
* the due-date scheduler (``settings.notify.due_soon_business_days``).

Notices about a complaint link to ``<settings.notify.portal_url>/complaints/<reference>``.

``NotifyPlugin``'s fields tune what settings do not cover (retry policy, scheduler
interval, channel factories, how webhook hosts resolve); the entry point uses the
defaults, tests shorten them. One resolver serves both the registration of webhook
endpoints and their deliveries, so both judge a host by the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc.aio

from ses.notify.v1 import notify_pb2_grpc as rpc
from ses_core.platform.grpc import ServiceRegistration
from ses_core.platform.messaging import EventConsumer
from ses_core.platform.runtime import ServiceContext, ServiceParts
from ses_notify.channels import ChannelContext, ChannelFactory, load_channels
from ses_notify.consumers import DURABLE_NAME, FILTER_SUBJECTS, NotificationHandler
from ses_notify.fanout import FanOut
from ses_notify.handlers import NotifyApp
from ses_notify.rendering import Renderer
from ses_notify.scheduler import DueReminderScheduler
from ses_notify.servicer import NotifyServicer
from ses_notify.unit_of_work import NotifyUnitOfWork
from ses_notify.webhook_targets import Resolver, SystemResolver, WebhookTargets
from ses_notify.worker import ChannelWorker, DeliveryPolicy

SERVICE_NAME = "ses.notify.v1.NotifyService"
PUBLIC_METHODS = (f"/{SERVICE_NAME}/GetOperatingStatus",)


@dataclass
class NotifyPlugin:
    name: str = "notify"
    migrations: Path = Path(__file__).parent / "migrations"
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    scheduler_interval: float = 60.0
    network_timeout: float = 30.0
    # None: the installed entry points (``ses.notification_channels``).
    channel_factories: Mapping[str, ChannelFactory] | None = None
    # None: the operating system's resolver.
    webhook_resolver: Resolver | None = None

    def build(self, context: ServiceContext) -> ServiceParts:
        workers: list[ChannelWorker] = []

        def wake_workers() -> None:
            for worker in workers:
                worker.wake()

        def unit_of_work(tenant_id: str) -> NotifyUnitOfWork:
            return NotifyUnitOfWork(
                context.sessions,
                tenant_id=tenant_id,
                codec=context.codec,
                clock=context.clock,
                on_commit=context.outbox_committed,
                on_deliveries=wake_workers,
            )

        resolver = self.webhook_resolver or SystemResolver()
        channel_context = ChannelContext(
            context.settings,
            context.sessions,
            self.network_timeout,
            clock=context.clock,
            resolver=resolver,
        )
        channels = load_channels(channel_context, self.channel_factories)
        workers.extend(
            ChannelWorker(channel, context.sessions, context.clock, self.policy)
            for channel in channels.values()
        )
        fan_out = FanOut(Renderer(context.settings.notify.portal_url), frozenset(channels))
        consumer = EventConsumer(
            context.js,
            durable_name=DURABLE_NAME,
            filter_subjects=FILTER_SUBJECTS,
            handler=NotificationHandler(fan_out),
            unit_of_work=unit_of_work,
            codec=context.codec,
        )
        scheduler = DueReminderScheduler(
            unit_of_work,
            fan_out,
            context.calendar,
            context.clock,
            due_soon_business_days=context.settings.notify.due_soon_business_days,
            interval=self.scheduler_interval,
        )
        webhook_targets = WebhookTargets.from_settings(context.settings.notify, resolver)
        servicer = NotifyServicer(
            NotifyApp(unit_of_work, context.clock, context.calendar, webhook_targets)
        )

        def register(server: grpc.aio.Server) -> None:
            rpc.add_NotifyServiceServicer_to_server(servicer, server)

        return ServiceParts(
            services=[ServiceRegistration(SERVICE_NAME, register)],
            background=[consumer.run, scheduler.run, *(worker.run for worker in workers)],
            public_methods=PUBLIC_METHODS,
            # An operator must be able to extend or add a window while one is active.
            maintenance_exempt_methods=(f"/{SERVICE_NAME}/ScheduleMaintenance",),
            ready_messages=[channel.describe() for channel in channels.values()],
        )


plugin = NotifyPlugin()
