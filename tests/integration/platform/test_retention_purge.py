"""The retention purge of the platform tables, on SQLite and PostgreSQL, with a fixed clock.

Issue 10: ``OutboxStore.purge_published`` ran only in a test and the outbox, the processed
events and the idempotency keys grew forever. Each row older than its retention goes, in
bounded batches; younger rows, and outbox rows not yet published, stay; two purgers at
once share the work without an error.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert

from ses_core.platform.db import OutboxStore, processed_events_table
from ses_core.platform.grpc import IdempotencyScope, IdempotencyStore
from ses_core.platform.runtime._retention import PurgeCounts, RetentionPurger
from ses_core.platform.settings import RetentionSettings
from ses_core.ports import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def purger(engine: Engine, clock: FixedClock, **retention: object) -> RetentionPurger:
    settings = RetentionSettings.model_validate(retention)
    return RetentionPurger(
        "tally",
        engine,
        outbox=OutboxStore(engine, clock),
        idempotency=IdempotencyStore(engine, retention=settings.idempotency_keys, clock=clock.now),
        retention=settings,
        clock=clock,
    )


def claim(engine: Engine, event_id: str, at: datetime, consumer: str = "tally-audit") -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(processed_events_table).values(
                consumer=consumer, event_id=event_id, processed_at=at
            )
        )


def claimed(tally_service) -> list[str]:
    return [row["event_id"] for row in tally_service.rows(processed_events_table)]


def test_each_table_keeps_what_is_younger_than_its_retention(tally_service):
    engine = tally_service.engine
    for _ in range(3):
        tally_service.create_tally(bumps=1)
    clock = FixedClock(NOW - 8 * DAY)
    outbox = OutboxStore(engine, clock)
    old, recent, unpublished = outbox.pending(limit=3)
    outbox.mark_published([old.seq])
    clock.set(NOW - 6 * DAY)
    outbox.mark_published([recent.seq])
    claim(engine, "claimed-36-days-ago", NOW - 36 * DAY)
    claim(engine, "claimed-34-days-ago", NOW - 34 * DAY)
    keys = IdempotencyStore(engine, clock=clock.now)
    for key, age in (("25-hours-old", timedelta(hours=25)), ("23-hours-old", timedelta(hours=23))):
        clock.set(NOW - age)
        keys.claim(IdempotencyScope("tenant-a", "u-1", "/s.S/CreateThing", key), "hash")
    clock.set(NOW)

    counts = purger(engine, clock).purge_once()

    assert counts == PurgeCounts(outbox=1, processed_events=1, idempotency_keys=1)
    assert [row["event_id"] for row in tally_service.outbox()] == [
        recent.event_id,
        unpublished.event_id,  # never purged while unpublished, however old
    ]
    assert claimed(tally_service) == ["claimed-34-days-ago"]
    assert [row["idempotency_key"] for row in tally_service.rows(keys.table)] == ["23-hours-old"]
    assert purger(engine, clock).purge_once() == PurgeCounts()


def test_the_retention_settings_move_the_cutoffs(tally_service):
    engine = tally_service.engine
    claim(engine, "claimed-40-days-ago", NOW - 40 * DAY)
    claim(engine, "claimed-50-days-ago", NOW - 50 * DAY)

    counts = purger(engine, FixedClock(NOW), processed_events="P45D").purge_once()

    assert counts.processed_events == 1
    assert claimed(tally_service) == ["claimed-40-days-ago"]


def test_old_rows_go_in_batches_until_none_is_left(tally_service):
    engine = tally_service.engine
    for number in range(7):
        claim(engine, f"old-{number}", NOW - 40 * DAY)
    claim(engine, "recent", NOW - DAY)

    counts = purger(engine, FixedClock(NOW), purge_batch_size=3).purge_once()

    assert counts.processed_events == 7
    assert claimed(tally_service) == ["recent"]


def test_two_purgers_at_once_share_the_work(tally_service):
    engine = tally_service.engine
    with engine.begin() as connection:
        connection.execute(
            insert(processed_events_table),
            [
                {
                    "consumer": "tally-audit",
                    "event_id": f"old-{n:04}",
                    "processed_at": NOW - 40 * DAY,
                }
                for n in range(400)
            ],
        )
    replicas = [purger(engine, FixedClock(NOW), purge_batch_size=25) for _ in range(2)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda replica: replica.purge_once(), replicas))
    # A replica may stop early when the other took its batch; the next pass finishes.
    leftover = replicas[0].purge_once()

    assert sum(r.processed_events for r in [*results, leftover]) == 400
    assert claimed(tally_service) == []
