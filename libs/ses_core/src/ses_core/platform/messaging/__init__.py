"""Eventing adapters: codecs, JetStream topology, outbox relay, consumers, embedded broker.

Public surface (import from here):

* codecs: :class:`EventCodec`, :class:`JsonEventCodec`, :class:`ProtobufEventCodec`,
  :class:`EventDecodeError`
* JetStream: :func:`connect`, :func:`ensure_streams`, :class:`JetStreamPublisher`,
  :data:`EVENTS_STREAM`, :data:`DEADLETTER_STREAM`, :func:`deadletter_subject`
* :class:`OutboxRelay`; :class:`EventConsumer`, :class:`InboundEvent`,
  :class:`UnprocessableEvent`
* trace context over headers: :func:`inject_trace_context`, :func:`extract_trace_context`
* the embedded broker: :class:`NatsServerProcess`, :class:`NatsServerError`,
  :class:`StoreInUse`
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ses_core.platform.messaging.codec import (
        EventCodec,
        EventDecodeError,
        JsonEventCodec,
        ProtobufEventCodec,
    )
    from ses_core.platform.messaging.consumer import EventConsumer, InboundEvent, UnprocessableEvent
    from ses_core.platform.messaging.jetstream import (
        DEADLETTER_STREAM,
        EVENTS_STREAM,
        JetStreamPublisher,
        connect,
        deadletter_subject,
        ensure_streams,
    )
    from ses_core.platform.messaging.natsserver import (
        NatsServerError,
        NatsServerProcess,
        StoreInUse,
    )
    from ses_core.platform.messaging.relay import OutboxRelay
    from ses_core.platform.messaging.tracing import extract_trace_context, inject_trace_context

_LAZY = {
    "EventCodec": "codec",
    "EventDecodeError": "codec",
    "JsonEventCodec": "codec",
    "ProtobufEventCodec": "codec",
    "EventConsumer": "consumer",
    "InboundEvent": "consumer",
    "UnprocessableEvent": "consumer",
    "DEADLETTER_STREAM": "jetstream",
    "EVENTS_STREAM": "jetstream",
    "JetStreamPublisher": "jetstream",
    "connect": "jetstream",
    "deadletter_subject": "jetstream",
    "ensure_streams": "jetstream",
    "NatsServerError": "natsserver",
    "NatsServerProcess": "natsserver",
    "StoreInUse": "natsserver",
    "OutboxRelay": "relay",
    "extract_trace_context": "tracing",
    "inject_trace_context": "tracing",
}


def __getattr__(name: str) -> Any:
    """Each name is imported on first use: the embedded broker's supervisor (``ses up
    --workers N``) needs ``NatsServerProcess`` alone, not nats-py and the database."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "DEADLETTER_STREAM",
    "EVENTS_STREAM",
    "EventCodec",
    "EventConsumer",
    "EventDecodeError",
    "InboundEvent",
    "JetStreamPublisher",
    "JsonEventCodec",
    "NatsServerError",
    "NatsServerProcess",
    "OutboxRelay",
    "ProtobufEventCodec",
    "StoreInUse",
    "UnprocessableEvent",
    "connect",
    "deadletter_subject",
    "ensure_streams",
    "extract_trace_context",
    "inject_trace_context",
]
