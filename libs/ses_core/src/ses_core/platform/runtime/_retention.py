"""The periodic purge of a service database's platform tables (``SES_RETENTION__*``).

Every host runs one :class:`RetentionPurger` per hosted service: at start, then every
``purge_interval``, it deletes published outbox rows, processed-event claims and
idempotency keys older than their retention (see
:class:`~ses_core.platform.settings.RetentionSettings` for the lengths and why). Cutoffs
come from the host's clock, so a test moves time instead of waiting for it. Every
replica of a service purges its database: the deletes are bounded and idempotent, so
replicas running at once only share the work. A failed pass (database away) is logged
and tried again at the next interval; the service itself is not affected.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from ses_core.platform.db import OutboxStore, purge_processed_events
from ses_core.platform.grpc import IdempotencyStore
from ses_core.platform.settings import RetentionSettings
from ses_core.ports import Clock

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeCounts:
    """Rows one pass deleted, per table."""

    outbox: int = 0
    processed_events: int = 0
    idempotency_keys: int = 0

    @property
    def total(self) -> int:
        return self.outbox + self.processed_events + self.idempotency_keys


class RetentionPurger:
    """Trims one service database; :meth:`purge_once` now, :meth:`run` forever."""

    def __init__(
        self,
        name: str,
        engine: Engine,
        *,
        outbox: OutboxStore,
        idempotency: IdempotencyStore,
        retention: RetentionSettings,
        clock: Clock,
    ) -> None:
        self.name = name
        self._engine = engine
        self._outbox = outbox
        self._idempotency = idempotency
        self._retention = retention
        self._clock = clock
        self.passes = 0  # completed passes: lets tests and probes see progress

    def purge_once(self) -> PurgeCounts:
        """One pass over the three tables (blocking: call it from a worker thread)."""
        now = self._clock.now()
        batch = self._retention.purge_batch_size
        counts = PurgeCounts(
            outbox=self._outbox.purge_published(
                now - self._retention.outbox_published, batch_size=batch
            ),
            processed_events=purge_processed_events(
                self._engine, now - self._retention.processed_events, batch_size=batch
            ),
            # The store's own retention is SES_RETENTION__IDEMPOTENCY_KEYS (the host sets it),
            # so the keys it still replays and the keys purged never disagree.
            idempotency_keys=self._idempotency.purge_expired(batch_size=batch),
        )
        self.passes += 1
        return counts

    async def run(self) -> None:
        """Purge now and then every ``purge_interval`` until cancelled."""
        interval = self._retention.purge_interval.total_seconds()
        while True:
            try:
                counts = await asyncio.to_thread(self.purge_once)
            except Exception:
                _log.warning(
                    "Purging old rows of %s failed; trying again in %.0f s.",
                    self.name,
                    interval,
                    exc_info=True,
                )
            else:
                if counts.total:
                    _log.info("Purged old rows of %s: %s.", self.name, counts)
            await asyncio.sleep(interval)
