"""Durable pull consumers whose handlers take effect once per event.

``EventConsumer(js, durable_name=..., filter_subjects=[...], handler=..., unit_of_work=...,
codec=...)`` binds a durable pull consumer on ``SES_EVENTS`` and, for every message:

1. opens the service's unit of work for the event's tenant (``ses-tenant`` header),
2. claims ``(durable_name, event_id)`` in ``processed_events``; a claim already taken means
   a redelivery of an event whose effect is committed: it is acked and nothing else runs,
3. calls ``handler(event, uow)`` (a plain function, run in a worker thread) and commits:
   the effect, the claim and any events the handler raised go in one transaction,
4. acks explicitly. On failure it naks with a delay from ``backoff``; after the last of
   ``max_attempts`` it publishes the message to ``deadletter.<durable>.<subject>`` (stream
   ``SES_DEADLETTER``, see :mod:`~ses_core.platform.messaging.jetstream`) and terminates it.
   A handler raising :class:`UnprocessableEvent` (and an undecodable payload) skips the
   remaining attempts: retrying cannot help.

Consumer-side settings live on the server too: explicit ack, ``backoff`` (the wait before
a delivery that was neither acked nor naked is retried, e.g. after a crash) and
``max_deliver = max_attempts + 1``. The extra delivery exists only for a last attempt that
never reported back (the process died): it goes straight to the dead letters instead of
the server dropping it silently. While a handler runs, the consumer tells the server it
is still working (``+WPI``) so a slow handler is not redelivered under its feet.

Filters must lie under ``ses.``: dead letters live in another stream, so no consumer of
``SES_EVENTS`` can ever receive one, whatever its filter. A new durable starts at the
beginning of the retained stream (``DeliverPolicy.ALL``): a service deployed later catches
up on the history it missed.

The handler's span is a child of the trace context the message carries.
External side effects (an e-mail sent from a handler) are at-least-once: the claim
commits after them. A database that cannot be reached (restarting, failing over) is waited
for in place, up to ``database_patience`` seconds (60), with the message kept in progress:
retrying it later while the next messages go ahead would apply the events of one
complaint out of order. A longer outage counts as a failed attempt, so one longer than
the whole ``backoff`` schedule dead-letters what arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_delay,
    stop_never,
    wait_exponential,
)

from ses_core.events import DomainEvent
from ses_core.platform.db.outages import until_database_returns
from ses_core.platform.db.processed import claim_event
from ses_core.platform.db.unit_of_work import CONTENT_TYPE_HEADER, TENANT_HEADER, SqlUnitOfWork
from ses_core.platform.messaging.codec import EventCodec, EventDecodeError
from ses_core.platform.messaging.jetstream import (
    DEADLETTER_STREAM,
    EVENTS_STREAM,
    MSG_ID_HEADER,
    TRANSIENT_NATS_ERRORS,
    deadletter_subject,
)
from ses_core.platform.messaging.tracing import extract_trace_context

_log = logging.getLogger(__name__)
_tracer = trace.get_tracer("ses_core.platform.messaging")
_meter = metrics.get_meter("ses_core.platform.messaging")
# outcome: applied | duplicate | retried | dead_lettered — one count per delivery handled.
_handled = _meter.create_counter(
    "ses.events.handled",
    unit="{delivery}",
    description="Event deliveries a consumer handled, by consumer and outcome.",
)
_handling_time = _meter.create_histogram(
    "ses.events.handling_time",
    unit="s",
    description="Time a consumer spent applying one event (decode, handler, commit).",
)

EventT = TypeVar("EventT", bound=DomainEvent)
UnitOfWorkT = TypeVar("UnitOfWorkT", bound=SqlUnitOfWork)

_DURABLE_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
DEADLETTER_REASON_HEADER = "ses-deadletter-reason"
DEADLETTER_CONSUMER_HEADER = "ses-deadletter-consumer"
ORIGINAL_SUBJECT_HEADER = "ses-original-subject"
ORIGINAL_SEQUENCE_HEADER = "ses-original-stream-sequence"
DELIVERY_COUNT_HEADER = "ses-delivery-count"


class UnprocessableEvent(Exception):
    """Raise from a handler when retrying cannot help: the event goes to the dead letters now."""


@dataclass(frozen=True)
class InboundEvent:
    """A delivered event, before decoding (the handler knows which class it expects)."""

    subject: str
    event_id: str
    tenant_id: str
    attempt: int
    data: bytes
    headers: Mapping[str, str]
    codec: EventCodec = field(repr=False)

    def decode(self, event_type: type[EventT]) -> EventT:
        """The event as ``event_type``; :class:`UnprocessableEvent` if the bytes don't fit."""
        produced_as = self.headers.get(CONTENT_TYPE_HEADER)
        if produced_as and produced_as != self.codec.content_type:
            raise UnprocessableEvent(
                f"Event {self.event_id} was encoded as {produced_as} but this consumer "
                f"decodes {self.codec.content_type}; configure the same codec on both sides."
            )
        try:
            return self.codec.decode(event_type, self.data)
        except EventDecodeError as error:
            raise UnprocessableEvent(str(error)) from error


EventHandler = Callable[[InboundEvent, UnitOfWorkT], None]


class EventConsumer(Generic[UnitOfWorkT]):
    def __init__(
        self,
        js: JetStreamContext,
        *,
        durable_name: str,
        filter_subjects: Sequence[str],
        handler: EventHandler[UnitOfWorkT],
        unit_of_work: Callable[[str], UnitOfWorkT],
        codec: EventCodec,
        max_attempts: int = 5,
        backoff: Sequence[float] = (2.0, 10.0, 60.0, 300.0),
        batch_size: int = 10,
        fetch_timeout: float = 5.0,
        database_patience: float = 60.0,
    ) -> None:
        _validate(durable_name, filter_subjects, max_attempts, backoff)
        self.durable_name = durable_name
        self.filter_subjects = list(filter_subjects)
        self.max_attempts = max_attempts
        self.backoff = [float(delay) for delay in backoff]
        self._js = js
        self._handler = handler
        self._unit_of_work = unit_of_work
        self._codec = codec
        self._batch_size = batch_size
        self._fetch_timeout = fetch_timeout
        self.database_patience = database_patience
        self._heartbeat_interval = max(0.05, min(self.backoff) / 3)

    def consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            name=self.durable_name,
            durable_name=self.durable_name,
            description=f"SES event consumer {self.durable_name}",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            filter_subjects=self.filter_subjects,
            max_deliver=self.max_attempts + 1,
            backoff=list(self.backoff),
        )

    async def ensure_consumer(self) -> None:
        """Create the durable consumer, or update it to this configuration."""
        try:
            await self._js.add_consumer(EVENTS_STREAM, config=self.consumer_config())
        except NotFoundError as error:
            raise RuntimeError(
                f"Consumer {self.durable_name} cannot start: stream {EVENTS_STREAM} does not "
                "exist. Call ensure_streams(js) at start-up, before any consumer runs."
            ) from error

    async def run(self) -> None:
        """Consume until cancelled, riding out broker outages (the client reconnects)."""
        await _retry_while_broker_away(self.ensure_consumer)
        subscription = await self._js.pull_subscribe_bind(
            durable=self.durable_name, stream=EVENTS_STREAM
        )
        try:
            while True:
                _raise_if_cancel_was_swallowed()
                try:
                    messages = await subscription.fetch(
                        self._batch_size, timeout=self._fetch_timeout
                    )
                except TimeoutError:
                    continue  # nothing to do (or the broker is away; the client reconnects)
                except nats.errors.Error as error:
                    # E.g. the consumer was deleted under us: recreate it and carry on.
                    _log.warning("Consumer %s cannot fetch: %s", self.durable_name, error)
                    await asyncio.sleep(1.0)
                    with contextlib.suppress(nats.errors.Error):
                        await self.ensure_consumer()
                    continue
                await self._handle_batch(messages)
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    # -- one batch -------------------------------------------------------------------------

    async def _handle_batch(self, messages: list[Msg]) -> None:
        unsettled = list(messages)
        heartbeat = asyncio.create_task(self._report_progress(unsettled))
        try:
            for message in messages:
                try:
                    await self._handle(message)
                except nats.errors.Error as error:
                    # The ack/nak could not be sent (broker away): the server redelivers it.
                    _log.warning(
                        "Consumer %s could not settle a message: %s", self.durable_name, error
                    )
                unsettled.remove(message)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _report_progress(self, unsettled: list[Msg]) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_interval)
            for message in list(unsettled):
                with contextlib.suppress(nats.errors.Error):
                    await message.in_progress()

    async def _handle(self, message: Msg) -> None:
        headers = dict(message.headers or {})
        attempt = message.metadata.num_delivered
        with _tracer.start_as_current_span(
            f"{message.subject} process",
            context=extract_trace_context(headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": message.subject,
                "messaging.consumer.group.name": self.durable_name,
                "messaging.message.id": headers.get(MSG_ID_HEADER, ""),
                "messaging.message.delivery_attempt": attempt,
            },
        ) as span:
            event_id, tenant_id = headers.get(MSG_ID_HEADER), headers.get(TENANT_HEADER)
            if not event_id or not tenant_id:
                await self._give_up(message, "it has no Nats-Msg-Id or ses-tenant header")
                return
            if attempt > self.max_attempts:
                await self._give_up(message, "its last attempt never finished (crash or timeout)")
                return
            event = InboundEvent(
                subject=message.subject,
                event_id=event_id,
                tenant_id=tenant_id,
                attempt=attempt,
                data=message.data,
                headers=headers,
                codec=self._codec,
            )
            started = time.perf_counter()
            try:
                # Waited for in place, not naked: a nak lets the next events of the batch
                # be applied first, out of order (a closure before the submission).
                applied = await asyncio.to_thread(
                    until_database_returns,
                    lambda: self._apply(event),
                    patience=self.database_patience,
                )
            except UnprocessableEvent as error:
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, "unprocessable"))
                await self._give_up(message, f"it is unprocessable: {error}")
                return
            except Exception as error:
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                if attempt >= self.max_attempts:
                    reason = f"attempt {attempt} of {self.max_attempts} failed: {error!r}"
                    await self._give_up(message, reason)
                    return
                delay = self.backoff[min(attempt, len(self.backoff)) - 1]
                _log.warning(
                    "Consumer %s failed event %s (attempt %d of %d); retrying in %.1fs.",
                    self.durable_name,
                    event_id,
                    attempt,
                    self.max_attempts,
                    delay,
                    exc_info=True,
                )
                await message.nak(delay=delay)
                self._count("retried")
                return
            finally:
                _handling_time.record(
                    time.perf_counter() - started, {"consumer": self.durable_name}
                )
        await message.ack()
        self._count("applied" if applied else "duplicate")

    def _count(self, outcome: str) -> None:
        _handled.add(1, {"consumer": self.durable_name, "outcome": outcome})

    def _apply(self, event: InboundEvent) -> bool:
        """Apply ``event`` once; False when an earlier delivery already did."""
        with self._unit_of_work(event.tenant_id) as uow:
            if not claim_event(uow.session, self.durable_name, event.event_id, uow.clock.now()):
                _log.debug("Consumer %s already applied %s.", self.durable_name, event.event_id)
                return False
            self._handler(event, uow)
            uow.commit()
            return True

    async def _give_up(self, message: Msg, reason: str) -> None:
        """Move ``message`` to the dead letters, then stop its redelivery."""
        headers = dict(message.headers or {})
        metadata = message.metadata
        event_id = headers.get(MSG_ID_HEADER) or f"seq-{metadata.sequence.stream}"
        headers.update(
            {
                MSG_ID_HEADER: f"{self.durable_name}:{event_id}",
                DEADLETTER_CONSUMER_HEADER: self.durable_name,
                DEADLETTER_REASON_HEADER: _header_safe(reason),
                ORIGINAL_SUBJECT_HEADER: message.subject,
                ORIGINAL_SEQUENCE_HEADER: str(metadata.sequence.stream),
                DELIVERY_COUNT_HEADER: str(metadata.num_delivered),
            }
        )
        subject = deadletter_subject(self.durable_name, message.subject)

        async def publish() -> None:
            await self._js.publish(
                subject, message.data, stream=DEADLETTER_STREAM, headers=headers, timeout=5.0
            )

        try:
            await _retry_while_broker_away(publish, deadline=30.0)
        except Exception:
            _log.exception(
                "Consumer %s could not dead-letter event %s; it stays in %s at sequence %d.",
                self.durable_name,
                event_id,
                EVENTS_STREAM,
                metadata.sequence.stream,
            )
            with contextlib.suppress(nats.errors.Error):
                await message.nak(delay=self.backoff[-1])
            return
        _log.error(
            "Consumer %s dead-lettered event %s to %s because %s.",
            self.durable_name,
            event_id,
            subject,
            reason,
        )
        await message.term()
        self._count("dead_lettered")


def _raise_if_cancel_was_swallowed() -> None:
    # nats-py's fetch waits with asyncio.wait_for, which on Python 3.11 can swallow a
    # cancellation; the task still counts the request, so honour it here.
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def _retry_while_broker_away(
    action: Callable[[], Awaitable[None]], *, deadline: float | None = None
) -> None:
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(TRANSIENT_NATS_ERRORS),
        wait=wait_exponential(multiplier=0.1, max=5.0),
        stop=stop_after_delay(deadline) if deadline is not None else stop_never,
        reraise=True,
    )
    await retrying(action)


def _header_safe(text: str, limit: int = 500) -> str:
    """Header values are one line of text: fold line breaks, cap the length."""
    single_line = " ".join(text.split())
    return single_line if len(single_line) <= limit else single_line[: limit - 1] + "…"


def _validate(
    durable_name: str, filter_subjects: Sequence[str], max_attempts: int, backoff: Sequence[float]
) -> None:
    if not _DURABLE_NAME.match(durable_name):
        raise ValueError(
            f"Durable name {durable_name!r} must be letters, digits, '-' or '_' (no dots)."
        )
    if not filter_subjects:
        raise ValueError(f"Consumer {durable_name} needs at least one filter subject.")
    for subject in filter_subjects:
        if not subject.startswith("ses."):
            raise ValueError(
                f"Filter subject {subject!r} of consumer {durable_name} lies outside "
                "SES_EVENTS; event subjects start with 'ses.'."
            )
    if max_attempts < 1:
        raise ValueError(f"Consumer {durable_name} needs max_attempts of at least 1.")
    if not backoff or any(delay <= 0 for delay in backoff) or len(backoff) > max_attempts:
        raise ValueError(
            f"Consumer {durable_name} needs between 1 and max_attempts ({max_attempts}) "
            "positive backoff delays in seconds."
        )
