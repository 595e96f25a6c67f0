"""Two notify hosts on one database (two workers of ``ses up``, or two replicas): every
due-date reminder is sent once, whichever host's scheduler gets there first."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from notify_support import (
    EventFeed,
    Scenario,
    SmtpSink,
    fast_plugin,
    notify_host,
    notify_settings,
)

from ses_core.ports import FixedClock
from ses_core.testing import NatsServerProcess, eventually

pytestmark = pytest.mark.integration

EASTERN = ZoneInfo("America/New_York")
DUE = date(2031, 3, 6)  # a Thursday
COMPLAINTS = 6


async def test_two_hosts_on_one_database_send_each_reminder_once(
    tmp_path: Path, nats_server: NatsServerProcess, database_url: str, smtp: SmtpSink
) -> None:
    world = Scenario()
    complaints = [world.complaint(number) for number in range(1, COMPLAINTS + 1)]
    clock = FixedClock(datetime(2031, 2, 24, 12, 0, tzinfo=EASTERN))  # too early for reminders
    settings = notify_settings(tmp_path / "data", nats_server.url, database_url, smtp.port)
    poc_mail = world.email(world.poc)
    due_soon = {
        f"Information request on complaint {c} is due Thursday, March 6, 2031" for c in complaints
    }
    overdue = {f"Information request on complaint {c} is overdue" for c in complaints}

    def reminders_to_poc() -> list[str]:
        subjects = (str(message["Subject"]) for message in smtp.to(poc_mail))
        return sorted(subject for subject in subjects if subject in due_soon | overdue)

    async with (
        notify_host(settings, fast_plugin(scheduler_interval=0.05), clock=clock) as (_, client),
        EventFeed.connect(nats_server.url) as feed,
    ):
        # One host applies the events (one consumer applies them in order) ...
        await feed.publish(*world.setup_events())
        for number, complaint in enumerate(complaints, start=1):
            await feed.publish(*world.new_complaint(complaint, f"ir-{number}", DUE))
            await feed.publish(world.assign_poc(complaint))
        assigned = {f"You are the Company POC for complaint {c}" for c in complaints}
        await eventually(
            lambda: assigned <= {str(m["Subject"]) for m in smtp.to(poc_mail)},
            message="the POC assignments",
        )
        # ... then a second host on the same database schedules reminders beside it.
        async with notify_host(settings, fast_plugin(scheduler_interval=0.05), clock=clock):
            clock.set(datetime(2031, 3, 3, 12, 0, tzinfo=EASTERN))  # 3 business days before
            await eventually(
                lambda: set(reminders_to_poc()) == due_soon, message="the due-soon reminders"
            )
            # Both schedulers keep passing over the same due IRs while the clock stays
            # here, and again once it is past the due date. (The clock moves only once
            # every delivery is recorded: a jump of a week would end the lease of one
            # being sent, and another host would send it again.)
            await client.settled()
            clock.set(datetime(2031, 3, 10, 9, 30, tzinfo=EASTERN))
            await eventually(
                lambda: set(reminders_to_poc()) == due_soon | overdue,
                message="the overdue reminders",
            )
            await client.settled()

    assert reminders_to_poc() == sorted(due_soon | overdue)  # each exactly once
