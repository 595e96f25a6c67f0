"""The outbox relay against a real nats-server: ids, headers, ack-then-mark, outages, dedupe."""

from __future__ import annotations

import asyncio
import json

import pytest
from opentelemetry import trace
from sqlalchemy import update

from ses_core.platform.db import OutboxStore, create_database_engine, outbox_table
from ses_core.platform.messaging import EVENTS_STREAM, JetStreamPublisher, OutboxRelay
from ses_core.ports import OutboundMessage
from ses_core.testing import eventually, running

pytestmark = pytest.mark.integration


async def stream_messages(js):
    state = (await js.stream_info(EVENTS_STREAM)).state
    if not state.messages:
        return []
    return [
        await js.get_msg(EVENTS_STREAM, seq) for seq in range(state.first_seq, state.last_seq + 1)
    ]


async def test_relay_publishes_each_event_with_its_id_tenant_and_trace(
    tally_service, js, span_exporter
):
    with trace.get_tracer("test").start_as_current_span("command") as command:
        tally_service.create_tally(tenant_id="tenant-a", bumps=2)
        tally_service.create_tally(tenant_id="tenant-b", bumps=1)
    outbox = tally_service.outbox()

    published = await tally_service.relay(js).relay_pending()

    assert published == 3
    messages = await stream_messages(js)
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [e["event_id"] for e in outbox]
    assert [m.headers["ses-tenant"] for m in messages] == ["tenant-a", "tenant-a", "tenant-b"]
    assert [m.subject for m in messages] == ["ses.testing.v1.bumped"] * 3
    assert [json.loads(m.data)["value"] for m in messages] == [1, 2, 1]
    trace_id = f"{command.get_span_context().trace_id:032x}"
    assert all(m.headers["traceparent"].split("-")[1] == trace_id for m in messages)
    assert all(row["published_at"] is not None for row in tally_service.outbox())


async def test_rows_are_marked_only_after_the_broker_acknowledged_them(tally_service, js):
    tally_service.create_tally(bumps=2)
    seen_unpublished: list[bool] = []
    real = JetStreamPublisher(js)

    class Observing:
        async def publish(self, message: OutboundMessage) -> None:
            await real.publish(message)
            row = next(r for r in tally_service.outbox() if r["event_id"] == message.message_id)
            seen_unpublished.append(row["published_at"] is None)

    await OutboxRelay(tally_service.outbox_store, Observing()).relay_pending()

    assert seen_unpublished == [True, True]
    assert tally_service.outbox_store.count_pending() == 0


async def test_a_failing_publish_is_retried_and_never_skipped(tally_service):
    for _ in range(3):
        tally_service.create_tally(bumps=1)
    expected = [row["event_id"] for row in tally_service.outbox()]
    delivered: list[str] = []

    class BrokerDownTwice:
        failures = 0

        async def publish(self, message: OutboundMessage) -> None:
            if message.message_id == expected[1] and self.failures < 2:
                self.failures += 1
                raise ConnectionError("broker unavailable")
            delivered.append(message.message_id)

    relay = OutboxRelay(tally_service.outbox_store, BrokerDownTwice(), max_backoff=0.05)
    async with running(relay.run()):
        await eventually(lambda: tally_service.outbox_store.count_pending() == 0)

    assert delivered == expected  # in order, each once, the failed one not skipped
    attempts = {row["event_id"]: row["attempts"] for row in tally_service.outbox()}
    assert attempts == {expected[0]: 0, expected[1]: 2, expected[2]: 0}


async def test_relay_waits_out_a_broker_outage_then_publishes_everything(
    tally_service, js, nats_server
):
    nats_server.stop()
    relay = tally_service.relay(js, max_backoff=0.5)
    async with running(relay.run()):
        for _ in range(5):
            tally_service.create_tally(bumps=1)
        # It tried (and failed) while the broker was down...
        await eventually(lambda: any(row["attempts"] for row in tally_service.outbox()))
        assert tally_service.outbox_store.count_pending() == 5

        nats_server.start()
        await eventually(lambda: tally_service.outbox_store.count_pending() == 0)

    messages = await stream_messages(js)
    assert sorted(m.headers["Nats-Msg-Id"] for m in messages) == sorted(
        row["event_id"] for row in tally_service.outbox()
    )


async def test_republishing_an_event_is_deduplicated_by_the_stream(tally_service, js):
    tally_service.create_tally(bumps=3)
    relay = tally_service.relay(js)
    await relay.relay_pending()
    # A relay that crashed after the acks but before marking publishes everything again.
    with tally_service.engine.begin() as connection:
        connection.execute(update(outbox_table).values(published_at=None))

    assert await relay.relay_pending() == 3

    info = await js.stream_info(EVENTS_STREAM)
    assert info.state.messages == 3


async def test_a_commit_wakes_the_relay_without_waiting_for_the_poll(tally_service, js):
    relay = tally_service.relay(js, poll_interval=3600)
    async with running(relay.run()):
        await eventually(lambda: relay.passes >= 1)  # idle, waiting for a wake-up
        tally_service.create_tally(bumps=1)  # on_commit -> relay.notify()
        await eventually(lambda: tally_service.outbox_store.count_pending() == 0, timeout=30)


async def test_relays_of_several_processes_on_one_database_publish_each_event_once_in_order(
    tally_service, js, database_url
):
    """The relays of ``ses up --workers N`` or of several replicas share one outbox: each
    event is published by one of them, once, and in the order it was committed."""
    published: list[tuple[str, str]] = []  # (relay, event id), in publishing order
    real = JetStreamPublisher(js)

    class Recording:
        def __init__(self, name: str) -> None:
            self.name = name

        async def publish(self, message: OutboundMessage) -> None:
            await real.publish(message)
            published.append((self.name, message.message_id))

    engines = [tally_service.engine, create_database_engine(database_url)]
    relays = [
        OutboxRelay(OutboxStore(engine), Recording(f"relay-{index}"), poll_interval=0.01)
        for index, engine in enumerate(engines)
    ]
    try:
        async with running(relays[0].run()), running(relays[1].run()):
            for _ in range(60):
                tally_service.create_tally(bumps=2)
                for relay in relays:
                    relay.notify()  # both wake on every commit, as workers would
                await asyncio.sleep(0)
            await eventually(lambda: tally_service.outbox_store.count_pending() == 0)
    finally:
        engines[1].dispose()

    committed = [row["event_id"] for row in tally_service.outbox()]
    assert [event_id for _, event_id in published] == committed
    assert {relay for relay, _ in published} <= {"relay-0", "relay-1"}
