"""The relay's view of the outbox: pending rows in order, marking, trimming (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ses_core.platform.db import OutboxStore
from ses_core.ports import FixedClock

pytestmark = pytest.mark.integration

START = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def test_pending_rows_come_oldest_first_and_leave_once_marked(tally_service):
    for _ in range(3):
        tally_service.create_tally(bumps=2)
    store = tally_service.outbox_store
    written = [row["event_id"] for row in tally_service.outbox()]

    first = store.pending(limit=4)
    assert [record.event_id for record in first] == written[:4]
    assert [record.seq for record in first] == sorted(record.seq for record in first)

    store.mark_published([record.seq for record in first[:2]])
    assert [record.event_id for record in store.pending(limit=10)] == written[2:]
    assert store.count_pending() == 4


def test_purge_trims_only_rows_published_before_the_cutoff(tally_service):
    for _ in range(3):
        tally_service.create_tally(bumps=1)
    clock = FixedClock(START)
    store = OutboxStore(tally_service.engine, clock)
    first, second, third = store.pending(limit=3)
    store.mark_published([first.seq])
    clock.advance(timedelta(days=8))
    store.mark_published([second.seq])

    assert store.purge_published(published_before=START + timedelta(days=7)) == 1

    remaining = tally_service.outbox()
    assert [row["event_id"] for row in remaining] == [second.event_id, third.event_id]
    assert remaining[1]["published_at"] is None  # never purges what is not yet published
