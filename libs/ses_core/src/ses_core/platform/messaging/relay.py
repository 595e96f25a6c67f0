"""The outbox relay: publishes committed events, in order, until the broker has them all.

Guarantees and how they are kept:

* Nothing is lost: a row is marked published only after the broker's PubAck for it.
* Nothing is skipped: rows go out in ``seq`` order and the relay never moves past a row it
  could not publish; it retries that row (tenacity: exponential backoff with jitter, no
  limit) while the broker is down, and the next rows wait behind it. Every publish error
  is retried, even one that looks permanent: a row the broker keeps refusing blocks the
  line and is logged at every retry rather than being skipped, since skipping would lose
  or reorder an event.
* Duplicates are harmless: a crash between the PubAck and the mark republishes a row with
  the same ``Nats-Msg-Id``, which JetStream drops inside its duplicate window (and
  consumers' processed-events table drops after it).
* Latency is low without hammering the database: :meth:`OutboxRelay.notify` (the unit of
  work's on-commit hook; thread-safe) wakes the relay at once; a poll every
  ``poll_interval`` seconds catches commits made by other processes.

Each publish runs in a PRODUCER span whose parent is the trace context stored with the
row (the span that committed the change), and that span's context goes into the message,
so the consumer's span continues the command's trace.

Every process running a service runs its relay (the workers of ``ses up --workers N``,
the replicas of ``ses serve``), so that a commit is published by the relay of the process
that made it, at once. A pass takes the database's relay turn first
(``OutboxStore.relay_turn``: an advisory lock on PostgreSQL, a file lock beside a SQLite
database), so the relays of one database publish one at a time, from where the previous
pass stopped: each row once, in ``seq`` order. A relay that dies gives the turn back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_random_exponential

from ses_core.platform.db.outbox import OutboxStore, PendingRecord
from ses_core.platform.messaging.tracing import extract_trace_context, inject_trace_context
from ses_core.ports import EventPublisher, OutboundMessage

_log = logging.getLogger(__name__)
_tracer = trace.get_tracer("ses_core.platform.messaging")
_published = metrics.get_meter("ses_core.platform.messaging").create_counter(
    "ses.outbox.published",
    unit="{event}",
    description="Events the outbox relay published and saw acknowledged by JetStream.",
)


class OutboxRelay:
    def __init__(
        self,
        store: OutboxStore,
        publisher: EventPublisher,
        *,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        max_backoff: float = 10.0,
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.published_count = 0
        self.passes = 0  # completed passes over the outbox: lets tests and probes see progress

    def notify(self) -> None:
        """Wake the relay now; callable from any thread (e.g. a unit of work's on_commit)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # not running yet: its first pass will find the rows
        if self._wake.is_set():
            # A wake-up is pending: the pass it starts clears it before reading the rows,
            # so it reads this commit's too. (Under load most commits find it set; each
            # wake-up written from a thread is a write to the loop's self-pipe.)
            return
        loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        """Relay forever (until cancelled), surviving broker and database outages."""
        self._loop = asyncio.get_running_loop()
        failures = 0
        while True:
            try:
                await self.relay_pending()
                failures = 0
                self.passes += 1
            except asyncio.CancelledError:
                raise
            except Exception:
                # A database error (a broker error is retried inside relay_pending): back off.
                failures += 1
                _log.exception("The outbox relay failed a pass; retrying.")
                await asyncio.sleep(min(self._max_backoff, 0.2 * 2**failures) * random.random())
                continue
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that races with the wake-up, and the relay would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_interval):
                    await self._wake.wait()
            self._wake.clear()

    async def relay_pending(self) -> int:
        """Publish every row pending now, in order; returns how many were published."""
        self._wake.clear()
        async with self._store.relay_turn.held():
            return await self._relay_pending()

    async def _relay_pending(self) -> int:
        total = 0
        while True:
            self._wake.clear()
            batch = await asyncio.to_thread(self._store.pending, self._batch_size)
            if not batch:
                return total
            await self._relay_batch(batch)
            total += len(batch)
            if len(batch) < self._batch_size:
                return total

    async def _relay_batch(self, batch: list[PendingRecord]) -> None:
        acknowledged: list[int] = []
        try:
            for record in batch:
                try:
                    await self._publish(record)
                except Exception:
                    # Mark what already went out before waiting on the broker.
                    await self._mark(acknowledged)
                    await self._publish_until_acknowledged(record)
                acknowledged.append(record.seq)
        finally:
            await self._mark(acknowledged)

    async def _mark(self, acknowledged: list[int]) -> None:
        if acknowledged:
            await asyncio.to_thread(self._store.mark_published, list(acknowledged))
            self.published_count += len(acknowledged)
            _published.add(len(acknowledged))
            acknowledged.clear()

    async def _publish_until_acknowledged(self, record: PendingRecord) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Exception),
            wait=wait_random_exponential(multiplier=0.1, max=self._max_backoff),
            before_sleep=self._log_retry(record),
            reraise=True,
        )
        await retrying(self._publish, record)

    async def _publish(self, record: PendingRecord) -> None:
        headers = dict(record.headers)
        parent = extract_trace_context(headers)
        with _tracer.start_as_current_span(
            f"{record.subject} publish",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": record.subject,
                "messaging.message.id": record.event_id,
                "ses.tenant_id": record.tenant_id,
            },
        ) as span:
            inject_trace_context(headers)
            message = OutboundMessage(
                message_id=record.event_id,
                subject=record.subject,
                payload=record.payload,
                headers=headers,
            )
            try:
                await self._publisher.publish(message)
            except Exception as error:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                await asyncio.to_thread(self._store.record_failed_attempt, record.seq)
                raise

    def _log_retry(self, record: PendingRecord) -> Callable[[RetryCallState], None]:
        def log(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            _log.warning(
                "Event %s (%s) not acknowledged by the broker (%s); retry %d in %.1fs.",
                record.event_id,
                record.subject,
                type(error).__name__ if error else "unknown error",
                state.attempt_number,
                state.next_action.sleep if state.next_action else 0.0,
            )

        return log
