"""``ses_sdk.events``: the events a real host publishes reach a handler as typed values,
through a durable consumer that acknowledges each event after the handler returns."""

from __future__ import annotations

import asyncio
import contextlib

import nats
import pytest
from sdk_flow import record_complaint

from ses_core.testing import eventually
from ses_sdk.complaints import ComplaintCreated
from ses_sdk.events import EVENTS_STREAM, EventSubscription, SesEvent
from ses_sdk.testing import JobAidClients, ThreadedHost

pytestmark = pytest.mark.integration

CREATED = "ses.complaints.v1.complaint_created"


async def test_a_complaint_created_reaches_the_handler_typed_and_is_redelivered_until_handled(
    ses_system: ThreadedHost,
    ses_clients: JobAidClients,
) -> None:
    url = ses_system.settings.nats.url
    complaint = await asyncio.to_thread(
        record_complaint, ses_clients.agency_manager, ses_clients.company_id
    )
    seen: list[SesEvent] = []

    async def handler(event: SesEvent) -> None:
        if event.payload.complaint_id != complaint.complaint_id:
            return
        seen.append(event)
        if len(seen) == 1:
            raise RuntimeError("the handler fails once: the event must come again")

    async with EventSubscription.connect(
        url, durable="sdk-events-test", handler=handler, subjects=[CREATED], retry_delay=0.2
    ) as subscription:
        running = asyncio.create_task(subscription.run())
        try:
            await eventually(lambda: len(seen) >= 2, timeout=30, message="the redelivery")
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running

    first, again = seen[:2]
    assert isinstance(first.payload, ComplaintCreated)
    assert first.subject == CREATED
    assert first.name == "ComplaintCreated"
    assert first.payload.company_id == ses_clients.company_id
    assert first.tenant == ses_clients.agency_id == first.payload.tenant_id
    assert first.event_id == first.payload.event_id
    assert (first.delivery, again.delivery) == (1, 2)
    assert again.event_id == first.event_id

    connection = await nats.connect(url)
    try:
        js = connection.jetstream()

        async def settled() -> bool:
            info = await js.consumer_info(EVENTS_STREAM, "sdk-events-test")
            return info.num_ack_pending == 0 and info.num_pending == 0

        await eventually(settled, timeout=10, message="every event to be acknowledged")
    finally:
        await connection.close()
