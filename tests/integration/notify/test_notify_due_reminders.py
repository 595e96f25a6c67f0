"""The scheduler: "due soon" and "overdue" reminders on business days, once per IR per due date."""

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
    subjects,
    text_of,
)

from ses.notify.v1 import notify_pb2 as pb
from ses_core.models import complaint_events as ce
from ses_core.ports import FixedClock
from ses_core.testing import NatsServerProcess, eventually

pytestmark = pytest.mark.integration

EASTERN = ZoneInfo("America/New_York")
DUE = date(2031, 3, 6)  # a Thursday
MONDAY = datetime(2031, 3, 3, 12, 0, tzinfo=EASTERN)  # 3 business days before DUE


async def test_due_soon_then_overdue_each_once_and_again_for_a_new_due_date(
    tmp_path: Path, nats_server: NatsServerProcess, database_url: str, smtp: SmtpSink
) -> None:
    world = Scenario()
    c = world.complaint(1)
    clock = FixedClock(datetime(2031, 2, 24, 12, 0, tzinfo=EASTERN))  # 8 business days before
    settings = notify_settings(tmp_path / "data", nats_server.url, database_url, smtp.port)
    plugin = fast_plugin(scheduler_interval=0.1)
    poc_mail = world.email(world.poc)

    async def reminders() -> list[pb.Delivery]:
        topics = (
            pb.NOTIFICATION_TOPIC_INFORMATION_REQUEST_DUE_SOON,
            pb.NOTIFICATION_TOPIC_INFORMATION_REQUEST_OVERDUE,
        )
        return [d for d in await client.settled() if d.topic in topics]

    async with (
        notify_host(settings, plugin, clock=clock) as (_, client),
        EventFeed.connect(nats_server.url) as feed,
    ):
        await feed.publish(*world.setup_events(), *world.new_complaint(c, "ir-1", DUE))
        await feed.publish(world.assign_poc(c))
        await eventually(lambda: smtp.to(poc_mail), message="the POC assignment")
        assert await reminders() == []  # too early for a reminder

        clock.set(MONDAY)
        await eventually(lambda: len(smtp.to(poc_mail)) == 2, message="the due-soon reminder")
        due_soon = smtp.to(poc_mail)[-1]
        assert due_soon["Subject"] == (
            f"Information request on complaint {c} is due Thursday, March 6, 2031"
        )
        assert "(3 business day(s) left)" in text_of(due_soon)

        clock.set(datetime(2031, 3, 10, 9, 30, tzinfo=EASTERN))  # the Monday after: overdue
        await eventually(lambda: len(smtp.to(poc_mail)) == 3, message="the overdue reminder")
        await eventually(
            lambda: len(smtp.to(world.email(world.manager))) == 2,
            message="the overdue notice to the agency",
        )

        await feed.publish(
            ce.DueDateExtended(
                tenant_id=world.agency,
                complaint_id=c,
                company_id=world.company,
                actor_id=world.manager,
                information_request_id="ir-1",
                previous_due_date=DUE,
                due_date=date(2031, 3, 20),
                original_due_date=DUE,
            )
        )
        await eventually(lambda: len(smtp.to(poc_mail)) == 4, message="the new due date")
        clock.set(datetime(2031, 3, 17, 8, 0, tzinfo=EASTERN))  # 3 business days before
        await eventually(lambda: len(smtp.to(poc_mail)) == 5, message="due soon, new date")
        sent = await reminders()

    assert subjects(smtp.to(poc_mail)) == sorted(
        [
            f"You are the Company POC for complaint {c}",
            f"Information request on complaint {c} is due Thursday, March 6, 2031",
            f"Information request on complaint {c} is overdue",
            f"New due date for complaint {c}: Thursday, March 20, 2031",
            f"Information request on complaint {c} is due Thursday, March 20, 2031",
        ]
    )
    overdue = [m for m in smtp.to(world.email(world.manager)) if "overdue" in str(m["Subject"])]
    assert len(overdue) == 1
    # Scheduler passes ran many times per clock setting: still one of each per due date.
    by_topic: dict[int, int] = {}
    for delivery in sent:
        if delivery.channel == pb.CHANNEL_EMAIL:
            by_topic[delivery.topic] = by_topic.get(delivery.topic, 0) + 1
    assert by_topic == {
        pb.NOTIFICATION_TOPIC_INFORMATION_REQUEST_DUE_SOON: 2,
        pb.NOTIFICATION_TOPIC_INFORMATION_REQUEST_OVERDUE: 3,  # POC, Agency POC, supervisor
    }
