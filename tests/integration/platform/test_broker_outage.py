"""The outage test (issue 3): nats-server stops while 500 state changes commit, then returns.

Every change is its own unit of work (load a tally, bump it, commit: one event). The first
100 commit with the broker up, the next 300 with it stopped, the last 100 while it comes
back. The relay and a consumer run throughout. Afterwards the consumer must have applied
all 500 events exactly once: the same set of ids as the outbox, no id twice, and each
tally's values 1..50 each seen once; nothing may be left unpublished or unacknowledged.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest

from ses_core.platform.messaging import EVENTS_STREAM
from ses_core.testing import eventually, running

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TALLIES = 10
CHANGES = 500


def commit_changes(tally_service, tally_ids, phases) -> None:
    """Commit CHANGES bumps, pausing at each (count, before_continuing) phase boundary."""
    committed = 0
    for boundary, reached, proceed in phases:
        while committed < boundary:
            with tally_service.uow() as uow:
                uow.tallies.get(tally_ids[committed % TALLIES]).bump()
                uow.commit()
            committed += 1
        reached.set()
        if proceed is not None and not proceed.wait(timeout=120):
            raise TimeoutError("The broker was not stopped/restarted in time.")


async def settled(js) -> bool:
    info = await js.consumer_info(EVENTS_STREAM, "tally-audit")
    last = (await js.stream_info(EVENTS_STREAM)).state.last_seq
    return info.ack_floor.stream_seq >= last and info.num_ack_pending == 0


async def test_events_committed_during_a_broker_outage_are_consumed_exactly_once(
    tally_service, js, nats_server
):
    tally_ids = [tally_service.create_tally(bumps=0).id for _ in range(TALLIES)]
    relay = tally_service.relay(js, max_backoff=1.0)
    consumer = tally_service.consumer(
        js, max_attempts=5, backoff=(0.5, 1.0, 2.0), batch_size=50, fetch_timeout=1.0
    )
    first_done, broker_down = threading.Event(), threading.Event()
    outage_done, broker_restarting = threading.Event(), threading.Event()
    all_done = threading.Event()
    phases = [
        (100, first_done, broker_down),
        (400, outage_done, broker_restarting),
        (CHANGES, all_done, None),
    ]

    async with running(relay.run()), running(consumer.run()):
        writer = asyncio.create_task(
            asyncio.to_thread(commit_changes, tally_service, tally_ids, phases)
        )
        await asyncio.to_thread(first_done.wait, 120)
        await asyncio.to_thread(nats_server.stop)
        broker_down.set()

        await asyncio.to_thread(outage_done.wait, 120)
        assert tally_service.outbox_store.count_pending() >= 300  # nothing left while down
        # Keep the broker down until the relay has felt it (a publish failed and was retried).
        await eventually(lambda: any(row["attempts"] for row in tally_service.outbox()))
        broker_restarting.set()
        await asyncio.to_thread(nats_server.start)
        await writer

        await eventually(lambda: len(tally_service.received()) >= CHANGES, timeout=180)
        await eventually(lambda: tally_service.outbox_store.count_pending() == 0, timeout=180)
        await eventually(lambda: settled(js), timeout=180)

    outbox = tally_service.outbox()
    received = tally_service.received()
    assert len(outbox) == CHANGES
    assert all(row["published_at"] is not None for row in outbox)
    applied = Counter(row["event_id"] for row in received)
    assert set(applied) == {row["event_id"] for row in outbox}  # none lost
    assert max(applied.values()) == 1  # none applied twice
    assert len(received) == CHANGES
    per_tally: dict[str, list[int]] = {tally_id: [] for tally_id in tally_ids}
    for row in received:
        per_tally[row["tally_id"]].append(row["value"])
    assert all(sorted(values) == list(range(1, 51)) for values in per_tally.values())
    with tally_service.uow() as uow:
        assert {tally.value for tally in uow.tallies.list_all()} == {50}
