"""Publish domain events to JetStream exactly as a service's outbox relay would.

For tests and benchmarks that stand in for another service: the subject is the
event's, ``Nats-Msg-Id`` its id, ``ses-tenant`` its tenant (``platform`` when it has
none, as consumers need one) and the payload its protobuf message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ses_core.events import DomainEvent
from ses_core.platform.db.unit_of_work import CONTENT_TYPE_HEADER, TENANT_HEADER
from ses_core.platform.messaging import EventCodec, JetStreamPublisher, ProtobufEventCodec
from ses_core.ports import OutboundMessage

if TYPE_CHECKING:
    from nats.js import JetStreamContext

NO_TENANT = "platform"


async def publish_events(
    js: JetStreamContext, events: Iterable[DomainEvent], *, codec: EventCodec | None = None
) -> None:
    """Publish ``events`` in order; returns once JetStream acknowledged each one."""
    codec = codec or ProtobufEventCodec()
    publisher = JetStreamPublisher(js)
    for event in events:
        await publisher.publish(
            OutboundMessage(
                message_id=event.event_id,
                subject=event.subject(),
                payload=codec.encode(event),
                headers={
                    TENANT_HEADER: event.tenant_id or NO_TENANT,
                    CONTENT_TYPE_HEADER: codec.content_type,
                },
            )
        )
