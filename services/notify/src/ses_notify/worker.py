"""Channel workers: send what the delivery log says is due, record every attempt.

One worker per channel, so an SMTP outage never holds up the inbox or webhooks. A
worker claims a batch of due deliveries (leasing them), opens the channel, delivers
them one by one and records each outcome at once:

* delivered → ``delivered`` (a secret-carrying e-mail's stored copy is scrubbed);
* transient failure → ``retrying`` with the next attempt after an exponential backoff
  with jitter (tenacity's ``wait_exponential_jitter``), until ``max_attempts``, then
  ``dead_lettered`` with the last error, visible in ``ListDeliveries``;
* permanent failure → ``dead_lettered`` at once;
* channel unavailable → the batch is handed back unsent (``retrying``, no attempt
  counted, the error noted) and the worker probes the channel with tenacity's
  exponential backoff until it answers, then carries on. Nothing is lost.

Stopping: a batch runs in a worker thread and is shielded from cancellation — the
host's stop waits for the message being sent to be recorded, so a restart never sends
it twice. Only a crash between a channel accepting a message and the record of it can
repeat one (after the lease ends).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_never,
    wait_exponential_jitter,
)

from ses_core.platform.db.outages import until_database_returns
from ses_core.ports import Clock
from ses_notify.channels import (
    ChannelUnavailable,
    NotificationChannel,
    PermanentFailure,
    TransientFailure,
)
from ses_notify.deliveries import Delivery, DeliveryStore

_log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard and how often workers try. Defaults suit production; tests shorten them."""

    max_attempts: int = 8
    retry_initial: float = 10.0
    retry_max: float = 3600.0
    outage_initial: float = 0.5
    outage_max: float = 30.0
    batch_size: int = 50
    lease: float = 300.0
    idle_poll: float = 2.0

    def retry_delay(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1`` after ``attempts`` failed ones."""
        wait = wait_exponential_jitter(
            multiplier=self.retry_initial, max=self.retry_max, jitter=self.retry_initial
        )
        state = RetryCallState(retry_object=AsyncRetrying(), fn=None, args=(), kwargs={})
        state.attempt_number = max(1, attempts)
        return float(wait(state))


@dataclass
class _Outcome:
    claimed: int = 0
    unavailable: ChannelUnavailable | None = None


class ChannelWorker:
    def __init__(
        self,
        channel: NotificationChannel,
        sessions: sessionmaker[Session],
        clock: Clock,
        policy: DeliveryPolicy,
    ) -> None:
        self.channel = channel
        self._sessions = sessions
        self._clock = clock
        self._policy = policy
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None

    def wake(self) -> None:
        """Something became due (callable from any thread)."""
        loop, wakeup = self._loop, self._wakeup
        if loop is not None and wakeup is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wakeup.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        try:
            while True:
                self._wakeup.clear()
                outcome = await _finish_even_if_cancelled(self._send_batch)
                if outcome.unavailable is not None:
                    await self._wait_for_channel(outcome.unavailable)
                elif outcome.claimed == 0:
                    await self._idle()
        finally:
            self._loop = self._wakeup = None

    # -- one batch (in a worker thread) --------------------------------------------------------

    def _send_batch(self) -> _Outcome:
        policy = self._policy
        with self._sessions.begin() as session:
            claimed = DeliveryStore(session).claim_due(
                self.channel.kind,
                self._clock.now(),
                policy.batch_size,
                timedelta(seconds=policy.lease),
            )
        if not claimed:
            return _Outcome()
        try:
            channel_session = self.channel.open()
        except ChannelUnavailable as error:
            self._release(claimed, error)
            return _Outcome(len(claimed), error)
        try:
            for index, delivery in enumerate(claimed):
                try:
                    self._deliver(channel_session, delivery)
                except ChannelUnavailable as error:
                    self._release(claimed[index:], error)
                    return _Outcome(len(claimed), error)
        finally:
            channel_session.close()
        return _Outcome(len(claimed))

    def _deliver(self, channel_session: Any, delivery: Delivery) -> None:
        try:
            if self.channel.transactional:
                with self._sessions.begin() as session:
                    channel_session.deliver(delivery, session)
                    self._record_delivered(session, delivery)
                return
            channel_session.deliver(delivery, None)
        except ChannelUnavailable:
            raise
        except PermanentFailure as error:
            self._record_failure(delivery, str(error), give_up=True)
            return
        except TransientFailure as error:
            self._record_failure(delivery, str(error), give_up=False)
            return
        except Exception as error:  # a bug or an unforeseen error: retry, and say so
            _log.exception("Delivery %s failed unexpectedly.", delivery.delivery_id)
            self._record_failure(delivery, f"{type(error).__name__}: {error}", give_up=False)
            return
        # The message left: record it even if the database is restarting right now, or a
        # worker would send it again once the claim's lease ran out.
        until_database_returns(lambda: self._record_delivered_now(delivery))

    def _record_delivered_now(self, delivery: Delivery) -> None:
        with self._sessions.begin() as session:
            self._record_delivered(session, delivery)

    def _record_delivered(self, session: Session, delivery: Delivery) -> None:
        store = DeliveryStore(session)
        store.mark_delivered(delivery.delivery_id, self._clock.now())
        if delivery.content.get("secret"):
            store.scrub(delivery.delivery_id)

    def _record_failure(self, delivery: Delivery, error: str, *, give_up: bool) -> None:
        now = self._clock.now()
        attempts = delivery.attempts + 1
        retry_at: datetime | None = None
        if not give_up and attempts < self._policy.max_attempts:
            retry_at = now + timedelta(seconds=self._policy.retry_delay(attempts))

        def record() -> None:
            with self._sessions.begin() as session:
                DeliveryStore(session).mark_failed(delivery.delivery_id, now, error, retry_at)

        until_database_returns(record)
        if retry_at is None:
            _log.error(
                "Delivery %s (%s to %s) dead-lettered after %d attempt(s): %s",
                delivery.delivery_id,
                delivery.channel,
                delivery.address,
                attempts,
                error,
            )

    def _release(self, deliveries: list[Delivery], error: ChannelUnavailable) -> None:
        with self._sessions.begin() as session:
            DeliveryStore(session).release(
                [d.delivery_id for d in deliveries], self._clock.now(), str(error)
            )

    # -- waiting -------------------------------------------------------------------------------

    async def _wait_for_channel(self, error: ChannelUnavailable) -> None:
        _log.warning("%s channel unavailable (%s); waiting for it.", self.channel.kind.value, error)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(ChannelUnavailable),
            wait=wait_exponential_jitter(
                multiplier=self._policy.outage_initial,
                max=self._policy.outage_max,
                jitter=self._policy.outage_initial,
            ),
            stop=stop_never,
            reraise=True,
        )
        await retrying(asyncio.to_thread, self.channel.probe)
        _log.info("%s channel is back; sending what waited.", self.channel.kind.value)

    async def _idle(self) -> None:
        assert self._wakeup is not None
        timeout = self._policy.idle_poll
        next_due = await asyncio.to_thread(self._next_due)
        if next_due is not None:
            timeout = min(timeout, max(0.0, (next_due - self._clock.now()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):  # not wait_for: it can swallow a cancel
                await self._wakeup.wait()

    def _next_due(self) -> datetime | None:
        with self._sessions.begin() as session:
            return DeliveryStore(session).next_due_at(self.channel.kind)


async def _finish_even_if_cancelled(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread; if cancelled meanwhile, let it finish before re-raising."""
    task = asyncio.ensure_future(asyncio.to_thread(work))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise
