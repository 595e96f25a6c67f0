"""Exactly once per (event, recipient, channel): redelivered events and a restart mid-batch
still put each e-mail into the SMTP server once."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from notify_support import (
    EventFeed,
    Scenario,
    SmtpSink,
    notify_host,
    notify_settings,
    wait_for_messages,
)

from ses_core.events import DomainEvent
from ses_core.testing import NatsServerProcess
from ses_notify.consumers import DURABLE_NAME

pytestmark = [pytest.mark.integration, pytest.mark.slow]

COMPLAINTS = 40
DUE = date(2031, 3, 3)


def _events(world: Scenario) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    for number in range(COMPLAINTS):
        complaint = world.complaint(number)
        events += world.new_complaint(complaint, f"ir-{number}", DUE)  # the contact: 1 e-mail
        events.append(world.assign_poc(complaint))  # the POC: 1
        events.append(world.submit(complaint, f"ir-{number}"))  # manager and supervisor: 2
    return events


async def test_each_email_arrives_once_despite_redeliveries_and_a_restart_mid_batch(
    tmp_path: Path, nats_server: NatsServerProcess, database_url: str, smtp: SmtpSink
) -> None:
    world = Scenario()
    settings = notify_settings(tmp_path / "data", nats_server.url, database_url, smtp.port)
    expected = 2 + 4 * COMPLAINTS  # enrollment completed (manager, supervisor) + per complaint
    async with EventFeed.connect(nats_server.url) as feed:
        await feed.publish(*world.setup_events(), *_events(world))

        async with notify_host(settings):
            await wait_for_messages(smtp, expected // 4)
        # Stopped mid-batch. Delete the durable consumer so that the next host is handed every
        # event again from the start of the stream: a redelivery of all of them.
        assert smtp.count() < expected, "the first host finished before it could be stopped"
        await feed.js.delete_consumer("SES_EVENTS", DURABLE_NAME)

        async with notify_host(settings) as (_, client):
            await wait_for_messages(smtp, expected)
            await feed.applied(what="the first replay")
            # And a second redelivery of everything, under the running host's feet.
            await feed.js.delete_consumer("SES_EVENTS", DURABLE_NAME)
            await feed.applied(what="the second replay")
            deliveries = await client.settled()

    assert smtp.count() == expected
    duplicates = {mid: n for mid, n in smtp.message_id_counts().items() if n > 1}
    assert duplicates == {}
    per_recipient = Counter(str(message["To"]) for message in smtp.messages)
    assert per_recipient == {
        world.email(world.contact): COMPLAINTS,
        world.email(world.poc): COMPLAINTS,
        world.email(world.manager): COMPLAINTS + 1,
        world.email(world.supervisor): COMPLAINTS + 1,
    }
    emails = [d for d in deliveries if d.channel == 1]
    assert len(emails) == expected
    assert {d.attempts for d in emails} == {1}
