"""Consume the SES domain events (JetStream stream ``SES_EVENTS``) as typed values.

Needs the ``events`` extra (``pip install 'ses-sdk[events]'``, which adds nats-py); the rest
of the SDK never imports this module. For internal services that react to complaints::

    import asyncio
    from ses_sdk.events import EventSubscription, SesEvent
    from ses_sdk.complaints import ResponseSubmitted

    async def on_event(event: SesEvent) -> None:
        if isinstance(event.payload, ResponseSubmitted):
            print(event.tenant, event.payload.complaint_id)

    async def main() -> None:
        async with EventSubscription.connect(
            "nats://nats.internal:4222", durable="my-reactor", handler=on_event,
            subjects=["ses.complaints.v1.>"],
        ) as subscription:
            await subscription.run()  # until cancelled

    asyncio.run(main())

What the services publish (``protos/asyncapi.json``): one subject per event,
``ses.<context>.v1.<snake_name>`` (``ses.complaints.v1.response_submitted``), whose payload
is the protobuf message ``ses.<context>.v1.<EventName>`` of ``events.proto``; headers
``Nats-Msg-Id`` (the event id), ``ses-tenant`` (the agency or company it concerns) and
``traceparent`` (W3C trace context; empty when the publisher traces nothing). Each event
reaches the handler as a :class:`SesEvent` whose ``payload`` is the SDK's frozen dataclass
of that message (``ses_sdk.<context>``) and ``message`` the protobuf message itself.

Choices, for a careful integrator:

* The consumer is durable (named ``durable``): it remembers what it acknowledged, so a
  restarted process carries on where it stopped; a new one starts at the first event the
  stream still holds (``deliver_new_only=True``: at the events published from now on).
* An event is acknowledged after the handler returns. A handler that raises has the event
  redelivered (after ``retry_delay`` seconds), at most ``max_deliver`` times in all, after
  which the server gives it up. Delivery is at least once: a handler must tolerate seeing an
  event twice (``event_id`` is stable across redeliveries and republishing).
* An event this SDK version does not know (a newer service) is acknowledged and skipped, as
  the contract asks of readers; a payload that does not decode is terminated (never
  redelivered) and reported to ``on_undecodable`` when given.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from google.protobuf.message import DecodeError, Message

try:
    import nats
    from nats.aio.client import Client as NatsClient
    from nats.aio.msg import Msg
    from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
except ModuleNotFoundError as missing:  # the plain SDK: say which extra brings it
    raise ModuleNotFoundError(
        "ses_sdk.events needs nats-py, which the plain SDK does not install: "
        "pip install 'ses-sdk[events]'.",
        name=missing.name,
    ) from missing

from ses_sdk._generated.services import CONTEXTS

EVENTS_STREAM = "SES_EVENTS"
EVENT_ID_HEADER = "Nats-Msg-Id"
TENANT_HEADER = "ses-tenant"
TRACEPARENT_HEADER = "traceparent"
ALL_EVENTS = "ses.>"


@dataclass(frozen=True)
class SesEvent:
    """One event as published: ``payload`` the SDK dataclass, ``message`` the protobuf."""

    subject: str
    event_id: str
    tenant: str
    traceparent: str
    payload: Any
    message: Message
    delivery: int  # 1 on the first delivery, 2 on the first redelivery, ...

    @property
    def name(self) -> str:
        """The event's name, e.g. ``ResponseSubmitted``."""
        return self.message.DESCRIPTOR.name


EventHandler = Callable[[SesEvent], Awaitable[None]]


@dataclass(frozen=True)
class EventType:
    """What a subject carries: the protobuf class and the SDK dataclass of its payload."""

    subject: str
    message_class: type[Message]
    payload_class: Any


def event_subject(context: str, message_name: str) -> str:
    """``ses.<context>.v1.<snake_name>``: the subject of the event message so named."""
    return f"ses.{context}.v1.{re.sub(r'(?<!^)(?=[A-Z])', '_', message_name).lower()}"


def event_types() -> dict[str, EventType]:
    """Every event of the contract this SDK was built from, by subject."""
    types: dict[str, EventType] = {}
    for context in CONTEXTS:
        try:
            stubs = importlib.import_module(f"ses.{context}.v1.events_pb2")
        except ModuleNotFoundError:
            continue
        sdk = importlib.import_module(f"ses_sdk.{context}")
        for name in stubs.DESCRIPTOR.message_types_by_name:
            subject = event_subject(context, name)
            types[subject] = EventType(subject, getattr(stubs, name), getattr(sdk, name))
    return types


def decode_event(
    subject: str, data: bytes, headers: dict[str, str], delivery: int = 1
) -> SesEvent | None:
    """The event of a message, or None when this SDK does not know its subject; a payload
    that is not the subject's message raises ``google.protobuf.message.DecodeError``."""
    kind = _EVENT_TYPES.get(subject)
    if kind is None:
        return None
    message = kind.message_class.FromString(data)
    return SesEvent(
        subject=subject,
        event_id=headers.get(EVENT_ID_HEADER, ""),
        tenant=headers.get(TENANT_HEADER, ""),
        traceparent=headers.get(TRACEPARENT_HEADER, ""),
        payload=kind.payload_class.from_proto(message),
        message=message,
        delivery=delivery,
    )


_EVENT_TYPES = event_types()


class EventSubscription:
    """A durable pull consumer on ``SES_EVENTS`` feeding ``handler`` one event at a time
    (in stream order); see the module docstring for acknowledgement and redelivery."""

    def __init__(
        self,
        connection: NatsClient,
        *,
        durable: str,
        handler: EventHandler,
        subjects: Sequence[str] = (ALL_EVENTS,),
        deliver_new_only: bool = False,
        max_deliver: int = 5,
        retry_delay: float = 5.0,
        ack_wait: float = 60.0,
        batch_size: int = 16,
        on_undecodable: Callable[[Msg, Exception], Awaitable[None]] | None = None,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", durable):
            raise ValueError(f"durable must be letters, digits, '-' or '_', not {durable!r}.")
        if max_deliver < 1:
            raise ValueError(f"max_deliver must be at least 1, not {max_deliver}.")
        self.durable = durable
        self.subjects = list(subjects)
        self._nc = connection
        self._owns_connection = False
        self._handler = handler
        self._deliver = DeliverPolicy.NEW if deliver_new_only else DeliverPolicy.ALL
        self._max_deliver = max_deliver
        self._retry_delay = retry_delay
        self._ack_wait = ack_wait
        self._batch_size = batch_size
        self._on_undecodable = on_undecodable

    @classmethod
    def connect(
        cls, servers: str | Sequence[str], *, durable: str, handler: EventHandler, **options: Any
    ) -> _Connecting:
        """``async with EventSubscription.connect(url, durable=..., handler=...) as s``:
        a subscription on a NATS connection of its own, closed on leaving the block.
        ``options`` are the constructor's."""
        return _Connecting(servers, durable, handler, options)

    async def run(self) -> None:
        """Create (or update) the durable consumer, then handle events until cancelled."""
        js = self._nc.jetstream()
        await js.add_consumer(
            EVENTS_STREAM,
            config=ConsumerConfig(
                name=self.durable,
                durable_name=self.durable,
                deliver_policy=self._deliver,
                ack_policy=AckPolicy.EXPLICIT,
                filter_subjects=self.subjects,
                max_deliver=self._max_deliver,
                ack_wait=self._ack_wait,
            ),
        )
        subscription = await js.pull_subscribe_bind(durable=self.durable, stream=EVENTS_STREAM)
        try:
            while True:
                try:
                    messages = await subscription.fetch(self._batch_size, timeout=5.0)
                except TimeoutError:
                    continue  # nothing new (or the server is away; the client reconnects)
                for message in messages:
                    await self._handle(message)
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def _handle(self, message: Msg) -> None:
        delivery = message.metadata.num_delivered or 1
        headers = dict(message.headers or {})
        try:
            event = decode_event(message.subject, message.data, headers, delivery)
        except DecodeError as error:
            await message.term()
            if self._on_undecodable is not None:
                await self._on_undecodable(message, error)
            return
        if event is None:
            await message.ack()
            return
        try:
            await self._handler(event)
        except asyncio.CancelledError:
            await message.nak()
            raise
        except Exception:
            await message.nak(delay=self._retry_delay)
            return
        await message.ack()

    async def close(self) -> None:
        if self._owns_connection:
            await self._nc.drain()


class _Connecting:
    def __init__(
        self,
        servers: str | Sequence[str],
        durable: str,
        handler: EventHandler,
        options: dict[str, Any],
    ) -> None:
        self._servers = [servers] if isinstance(servers, str) else list(servers)
        self._durable, self._handler, self._options = durable, handler, options
        self._subscription: EventSubscription | None = None

    async def __aenter__(self) -> EventSubscription:
        connection = await nats.connect(servers=self._servers)
        subscription = EventSubscription(
            connection, durable=self._durable, handler=self._handler, **self._options
        )
        subscription._owns_connection = True
        self._subscription = subscription
        return subscription

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._subscription is not None:
            await self._subscription.close()


__all__ = [
    "ALL_EVENTS",
    "EVENTS_STREAM",
    "EVENT_ID_HEADER",
    "TENANT_HEADER",
    "TRACEPARENT_HEADER",
    "EventHandler",
    "EventSubscription",
    "EventType",
    "SesEvent",
    "decode_event",
    "event_subject",
    "event_types",
]
