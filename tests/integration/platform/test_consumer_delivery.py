"""Durable pull consumers on a real nats-server: explicit acks, effects applied once."""

from __future__ import annotations

import pytest

from ses_core.platform.messaging import EVENTS_STREAM
from ses_core.testing import eventually, running

pytestmark = pytest.mark.integration


async def _settled(js, durable_name="tally-audit") -> bool:
    """Every message in the stream is acknowledged (or terminated) by the consumer."""
    try:
        info = await js.consumer_info(EVENTS_STREAM, durable_name)
    except Exception:
        return False  # not created yet
    last = (await js.stream_info(EVENTS_STREAM)).state.last_seq
    return info.ack_floor.stream_seq >= last and info.num_ack_pending == 0


async def test_each_event_is_applied_and_acknowledged(tally_service, js):
    for tenant in ("tenant-a", "tenant-b", "tenant-a"):
        tally_service.create_tally(tenant_id=tenant, bumps=2)
    await tally_service.relay(js).relay_pending()
    consumer = tally_service.consumer(js)

    async with running(consumer.run()):
        await eventually(lambda: len(tally_service.received()) == 6)
        await eventually(lambda: _settled(js))

    received = tally_service.received()
    outbox = tally_service.outbox()
    assert [r["event_id"] for r in received] == [e["event_id"] for e in outbox]
    assert [r["tenant_id"] for r in received] == [e["tenant_id"] for e in outbox]
    config = (await js.consumer_info(EVENTS_STREAM, "tally-audit")).config
    assert config.ack_policy == "explicit"
    assert config.max_deliver == 4  # 3 attempts + 1 for an attempt that never reported back
    assert config.backoff == [0.2]


async def test_a_redelivered_event_has_its_effect_once(tally_service, js):
    tally_service.create_tally(bumps=1)
    await tally_service.relay(js).relay_pending()
    calls: list[int] = []

    def applies_then_loses_the_ack(event, uow):
        calls.append(event.attempt)
        tally_service.record_received(event, uow)
        if event.attempt == 1:
            uow.commit()  # the effect and the claim are durable ...
            raise ConnectionError("... but the process dies before acking")

    consumer = tally_service.consumer(js, applies_then_loses_the_ack)
    async with running(consumer.run()):
        await eventually(lambda: _settled(js))

    assert calls == [1]  # the redelivery found the claim and did not call the handler
    assert len(tally_service.received()) == 1


async def test_replaying_the_whole_stream_applies_nothing_twice(tally_service, js):
    for _ in range(4):
        tally_service.create_tally(bumps=1)
    await tally_service.relay(js).relay_pending()
    async with running(tally_service.consumer(js).run()):
        await eventually(lambda: len(tally_service.received()) == 4)
        await eventually(lambda: _settled(js))

    # An operator resets the consumer: every event is delivered again from the start.
    await js.delete_consumer(EVENTS_STREAM, "tally-audit")
    async with running(tally_service.consumer(js).run()):
        await eventually(lambda: _settled(js))

    assert len(tally_service.received()) == 4


async def test_a_handler_failing_once_succeeds_on_redelivery(tally_service, js):
    tally_service.create_tally(bumps=1)
    await tally_service.relay(js).relay_pending()
    attempts: list[int] = []

    def flaky(event, uow):
        attempts.append(event.attempt)
        if event.attempt == 1:
            raise RuntimeError("database briefly unavailable")
        tally_service.record_received(event, uow)

    async with running(tally_service.consumer(js, flaky).run()):
        await eventually(lambda: len(tally_service.received()) == 1)
        await eventually(lambda: _settled(js))

    assert attempts == [1, 2]
