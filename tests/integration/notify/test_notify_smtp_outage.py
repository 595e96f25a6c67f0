"""An SMTP outage during a burst delays mail but loses none, and sends none twice."""

from __future__ import annotations

import asyncio
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

from ses.notify.v1 import notify_pb2 as pb
from ses_core.models import complaint_events as ce
from ses_core.testing import NatsServerProcess, eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BURST = 200
DUE = date(2031, 3, 3)


async def test_every_mail_of_a_burst_arrives_once_after_the_smtp_server_returns(
    tmp_path: Path, nats_server: NatsServerProcess, database_url: str, smtp: SmtpSink
) -> None:
    world = Scenario()
    complaint = world.complaint(1)
    settings = notify_settings(tmp_path / "data", nats_server.url, database_url, smtp.port)
    reminders = [
        ce.ReminderSent(
            tenant_id=world.agency,
            complaint_id=complaint,
            company_id=world.company,
            actor_id=world.manager,
            information_request_id="ir-1",
            due_date=DUE,
            note=f"Reminder number {number}",
        )
        for number in range(BURST)
    ]
    before = 2 + 1 + 1  # enrollment completed ×2, the IR to the contact, the POC assignment
    async with notify_host(settings) as (_, client), EventFeed.connect(nats_server.url) as feed:
        await feed.publish(*world.setup_events(), *world.new_complaint(complaint, "ir-1", DUE))
        await feed.publish(world.assign_poc(complaint))
        await wait_for_messages(smtp, before)

        # Let a quarter of the burst through, then take the server down while the next
        # message waits for its answer (so no accepted message is lost in the shutdown).
        waiting = smtp.hold_after(before + BURST // 4)
        await feed.publish(*reminders)
        await asyncio.to_thread(waiting.wait, 120)
        assert waiting.is_set(), "no message reached the held SMTP server"
        await asyncio.to_thread(smtp.stop)

        async def outage_seen() -> bool:
            retrying = await client.deliveries(statuses=[pb.DELIVERY_STATUS_RETRYING])
            return any("SMTP" in d.last_error for d in retrying)

        await eventually(outage_seen, message="deliveries waiting for the SMTP server")
        assert smtp.count() < before + BURST
        await asyncio.to_thread(smtp.start)

        await wait_for_messages(smtp, before + BURST, timeout=180)
        deliveries = await client.settled(timeout=120)

    assert smtp.count() == before + BURST
    assert {mid: n for mid, n in smtp.message_id_counts().items() if n > 1} == {}
    notes = sorted(
        int(m.get_body(("plain",)).get_content().split("Reminder number ")[1].split()[0])  # type: ignore[union-attr]
        for m in smtp.to(world.email(world.poc))
        if "Reminder" in str(m["Subject"])
    )
    assert notes == list(range(BURST))
    emails = [d for d in deliveries if d.channel == pb.CHANNEL_EMAIL]
    assert {d.status for d in emails} == {pb.DELIVERY_STATUS_DELIVERED}
    assert {d.attempts for d in emails} == {1}  # waiting out an outage costs no attempt
