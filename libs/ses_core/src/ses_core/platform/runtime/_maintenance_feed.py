"""The maintenance windows every host guards with, replayed from the event stream.

The notify service is where operators schedule maintenance; it publishes
``MaintenanceWindowScheduled`` (``ses.notify.v1.maintenance_window_scheduled``)
through its outbox. :class:`StreamMaintenanceSchedule` is a
:class:`~ses_core.platform.grpc.MaintenanceSchedule` that any host can use without a
database of its own: ``run()`` follows an ordered, ephemeral JetStream consumer
that replays those events from the start of ``SES_EVENTS`` and keeps following,
and ``active_window(now)`` answers from the windows seen so far.

Design choices:

* An ordered consumer (no acks, in-memory, removed by the server when idle) because
  the schedule is rebuilt from the stream at every start: nothing to remember.
* Should the subscription fail (broker restart, consumer gone), it resumes from the
  stream sequence after the last event seen, so no window is missed or applied twice.
* The replay has caught up once it has seen the newest maintenance event that was in the
  stream when it subscribed. Until then, ``active_window`` waits up to
  ``catch_up_timeout`` seconds for it, so that a host starting during a window does
  not let changes through while still reading history. After that it answers from
  what it has rather than blocking calls on a slow broker.
* Windows are kept for as long as the stream retains their events (``max_age``); a
  window far in the past no longer matters to the guard anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ses_core.calendar import MaintenanceWindow, active_window
from ses_core.errors import SesError
from ses_core.notifications import MaintenanceWindowScheduled
from ses_core.platform.messaging import (
    EVENTS_STREAM,
    EventCodec,
    EventDecodeError,
    ProtobufEventCodec,
)

if TYPE_CHECKING:
    from nats.aio.msg import Msg
    from nats.js import JetStreamContext

_log = logging.getLogger(__name__)

SCHEDULED_SUBJECT = MaintenanceWindowScheduled.subject()


class StreamMaintenanceSchedule:
    """Maintenance windows from ``SES_EVENTS``: ``await run()`` in the background."""

    def __init__(
        self,
        js: JetStreamContext,
        *,
        codec: EventCodec | None = None,
        catch_up_timeout: float = 5.0,
        resubscribe_delay: float = 1.0,
        heartbeat: float = 2.0,
    ) -> None:
        self._js = js
        self._codec: EventCodec = codec or ProtobufEventCodec()
        self._catch_up_timeout = catch_up_timeout
        self._resubscribe_delay = resubscribe_delay
        self._heartbeat = heartbeat
        self._windows: dict[str, MaintenanceWindow] = {}
        self._last_sequence = 0
        self._replay_until = 0
        self._caught_up = asyncio.Event()
        self._running = False

    @property
    def windows(self) -> Sequence[MaintenanceWindow]:
        """Every window known so far, soonest first."""
        return sorted(self._windows.values(), key=lambda window: window.start)

    @property
    def caught_up(self) -> bool:
        return self._caught_up.is_set()

    async def wait_caught_up(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Return once the replay reached the end of the stream (TimeoutError otherwise)."""
        async with asyncio.timeout(timeout):
            await self._caught_up.wait()

    async def active_window(self, now: datetime) -> MaintenanceWindow | None:
        if self._running and not self._caught_up.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._catch_up_timeout):
                    await self._caught_up.wait()
        return active_window(self._windows.values(), now)

    def apply(self, event: MaintenanceWindowScheduled) -> None:
        """Record a scheduled window (a re-sent event replaces the same window)."""
        self._windows[event.maintenance_window_id] = MaintenanceWindow(
            start=event.starts_at,
            end=event.ends_at,
            emergency=event.emergency,
            reason=event.description or ("emergency maintenance" if event.emergency else ""),
        )

    async def run(self) -> None:
        """Follow the stream until cancelled, resubscribing after any failure."""
        self._running = True
        try:
            while True:
                try:
                    await self._follow()
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    _log.warning(
                        "Maintenance schedule feed interrupted (%s); resuming after sequence %d.",
                        error,
                        self._last_sequence,
                    )
                await asyncio.sleep(self._resubscribe_delay)
        finally:
            self._running = False

    async def _follow(self) -> None:
        from nats.js.api import ConsumerConfig, DeliverPolicy

        if self._last_sequence:
            config = ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=self._last_sequence + 1,
                inactive_threshold=60.0,
            )
        else:
            config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=60.0)
        subscription = await self._js.subscribe(
            SCHEDULED_SUBJECT,
            stream=EVENTS_STREAM,
            ordered_consumer=True,
            config=config,
            # Missed heartbeats are how an ordered consumer notices a broker restart.
            idle_heartbeat=self._heartbeat,
        )
        try:
            if not self._caught_up.is_set():
                self._replay_until = await self._last_sequence_in_stream()
                if self._replay_until <= self._last_sequence:
                    self._caught_up.set()
            async for message in subscription.messages:
                self._receive(message)
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def _last_sequence_in_stream(self) -> int:
        """The stream sequence of the newest maintenance event (0 when there is none)."""
        from nats.js.errors import NotFoundError

        try:
            last = await self._js.get_last_msg(EVENTS_STREAM, SCHEDULED_SUBJECT)
        except NotFoundError:
            return 0
        return int(last.seq or 0)

    def _receive(self, message: Msg) -> None:
        metadata = message.metadata
        self._last_sequence = max(self._last_sequence, metadata.sequence.stream)
        try:
            self.apply(self._codec.decode(MaintenanceWindowScheduled, message.data))
        except (EventDecodeError, SesError, ValueError) as error:
            # A malformed window must not stop the guard from learning the next ones.
            _log.error(
                "Ignoring maintenance event at stream sequence %d: %s",
                metadata.sequence.stream,
                error,
            )
        if self._last_sequence >= self._replay_until:
            self._caught_up.set()
