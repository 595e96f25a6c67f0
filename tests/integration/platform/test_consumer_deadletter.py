"""Events a consumer cannot handle end in SES_DEADLETTER after the last attempt, not in a loop."""

from __future__ import annotations

import pytest

from ses_core.platform.db import processed_events_table
from ses_core.platform.messaging import DEADLETTER_STREAM, EVENTS_STREAM
from ses_core.platform.messaging.consumer import UnprocessableEvent
from ses_core.testing import eventually, running

pytestmark = pytest.mark.integration


async def dead_letters(js):
    state = (await js.stream_info(DEADLETTER_STREAM)).state
    if not state.messages:
        return []
    return [
        await js.get_msg(DEADLETTER_STREAM, seq)
        for seq in range(state.first_seq, state.last_seq + 1)
    ]


async def settled(js, durable_name="tally-audit") -> bool:
    try:
        info = await js.consumer_info(EVENTS_STREAM, durable_name)
    except Exception:
        return False
    last = (await js.stream_info(EVENTS_STREAM)).state.last_seq
    return info.ack_floor.stream_seq >= last and info.num_ack_pending == 0


async def test_a_handler_failing_every_time_is_dead_lettered_after_the_last_attempt(
    tally_service, js
):
    tally_service.create_tally(bumps=1)
    [entry] = tally_service.outbox()
    await tally_service.relay(js).relay_pending()
    attempts: list[int] = []

    def always_fails(event, uow):
        attempts.append(event.attempt)
        tally_service.record_received(event, uow)  # rolled back with the failure
        raise RuntimeError("the notification template is broken")

    consumer = tally_service.consumer(js, always_fails, max_attempts=3, backoff=(0.1, 0.2))
    async with running(consumer.run()):
        await eventually(lambda: dead_letters(js))
        await eventually(lambda: settled(js))

    assert attempts == [1, 2, 3]
    [letter] = await dead_letters(js)
    assert letter.subject == "deadletter.tally-audit.ses.testing.v1.bumped"
    assert letter.data == entry["payload"]
    assert letter.headers["ses-original-subject"] == "ses.testing.v1.bumped"
    assert letter.headers["ses-deadletter-consumer"] == "tally-audit"
    assert letter.headers["ses-delivery-count"] == "3"
    assert "the notification template is broken" in letter.headers["ses-deadletter-reason"]
    assert letter.headers["ses-tenant"] == "tenant-a"
    assert letter.headers["Nats-Msg-Id"] == f"tally-audit:{entry['event_id']}"
    # No effect and no claim survived the failures.
    assert tally_service.received() == []
    assert tally_service.count(processed_events_table) == 0


async def test_an_unprocessable_event_is_dead_lettered_without_retrying(tally_service, js):
    await js.publish(
        "ses.testing.v1.bumped",
        b"{not json",
        headers={"Nats-Msg-Id": "garbage-1", "ses-tenant": "tenant-a"},
    )
    attempts: list[int] = []

    def decodes(event, uow):
        attempts.append(event.attempt)
        tally_service.record_received(event, uow)

    async with running(tally_service.consumer(js, decodes, max_attempts=5).run()):
        await eventually(lambda: dead_letters(js))
        await eventually(lambda: settled(js))

    assert attempts == [1]
    [letter] = await dead_letters(js)
    assert "unprocessable" in letter.headers["ses-deadletter-reason"]


async def test_a_handler_can_declare_an_event_unprocessable(tally_service, js):
    tally_service.create_tally(bumps=1)
    await tally_service.relay(js).relay_pending()

    def refuses(event, uow):
        raise UnprocessableEvent("tally belongs to a deleted tenant")

    async with running(tally_service.consumer(js, refuses).run()):
        await eventually(lambda: dead_letters(js))

    [letter] = await dead_letters(js)
    assert "deleted tenant" in letter.headers["ses-deadletter-reason"]
    assert letter.headers["ses-delivery-count"] == "1"


async def test_a_message_without_an_event_id_or_tenant_is_dead_lettered(tally_service, js):
    await js.publish("ses.testing.v1.bumped", b"{}", headers={"ses-tenant": "tenant-a"})
    called: list[object] = []

    async with running(tally_service.consumer(js, lambda e, u: called.append(e)).run()):
        await eventually(lambda: dead_letters(js))

    assert called == []
    [letter] = await dead_letters(js)
    assert "no Nats-Msg-Id" in letter.headers["ses-deadletter-reason"]


async def test_dead_letters_never_reach_a_consumer_of_the_event_stream(tally_service, js):
    await js.publish(
        "ses.testing.v1.bumped", b"{}", headers={"Nats-Msg-Id": "x", "ses-tenant": "tenant-a"}
    )

    def refuses(event, uow):
        raise UnprocessableEvent("no")

    async with running(tally_service.consumer(js, refuses).run()):
        await eventually(lambda: dead_letters(js))
    seen: list[str] = []
    broad = tally_service.consumer(
        js, lambda e, u: seen.append(e.subject), durable_name="everything"
    )
    broad.filter_subjects = ["ses.>"]
    async with running(broad.run()):
        await eventually(lambda: settled(js, "everything"))

    assert seen == ["ses.testing.v1.bumped"]  # the original, never the dead letter


async def test_a_last_attempt_that_never_reported_back_is_dead_lettered_not_dropped(
    tally_service, js
):
    tally_service.create_tally(bumps=1)
    await tally_service.relay(js).relay_pending()
    consumer = tally_service.consumer(js, max_attempts=2, backoff=(0.2,))
    await consumer.ensure_consumer()
    # Two deliveries taken by a process that dies before acking or naking.
    crashed = await js.pull_subscribe_bind(durable="tally-audit", stream=EVENTS_STREAM)
    for delivery in (1, 2):
        [message] = await crashed.fetch(1, timeout=10)
        assert message.metadata.num_delivered == delivery
    await crashed.unsubscribe()

    async with running(consumer.run()):
        await eventually(lambda: dead_letters(js))
        await eventually(lambda: settled(js))

    [letter] = await dead_letters(js)
    assert "never finished" in letter.headers["ses-deadletter-reason"]
    assert letter.headers["ses-delivery-count"] == "3"
    assert tally_service.received() == []
