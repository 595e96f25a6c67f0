"""Events in, e-mails and inbox entries out: who is told what, over real NATS, SMTP and gRPC."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from notify_support import (
    EventFeed,
    Scenario,
    SmtpSink,
    html_of,
    notify_host,
    notify_settings,
    subjects,
    text_of,
    wait_for_messages,
)

from ses.notify.v1 import notify_pb2 as pb
from ses_core.lifecycle import CloseReason
from ses_core.models import complaint_events as ce
from ses_core.testing import NatsServerProcess, eventually

pytestmark = pytest.mark.integration

DUE = date(2031, 3, 3)  # a Monday
NEW_DUE = date(2031, 3, 17)


async def test_new_information_request_reaches_the_complaints_contact_with_the_assign_poc_task(
    tmp_path: Path, nats_server: NatsServerProcess, database_url: str, smtp: SmtpSink
) -> None:
    world = Scenario()
    settings = notify_settings(tmp_path / "data", nats_server.url, database_url, smtp.port)
    complaint = world.complaint(1)
    async with notify_host(settings) as (_, client), EventFeed.connect(nats_server.url) as feed:
        await feed.publish(*world.setup_events())
        await feed.publish(*world.new_complaint(complaint, "ir-1", DUE))
        await eventually(lambda: smtp.to(world.email(world.contact)), message="the contact's mail")
        (message,) = smtp.to(world.email(world.contact))
        assert message["Subject"] == f"New information request for complaint {complaint}"
        assert message.get_content_type() == "multipart/alternative"
        assert "Task: assign a Company POC" in text_of(message)
        assert "Task: assign a Company POC" in html_of(message)
        assert "Monday, March 3, 2031" in text_of(message)
        inbox = await eventually(
            lambda: _nonempty_inbox(client, world, world.contact), message="the contact's inbox"
        )
        assert [n.title for n in inbox.notifications] == [message["Subject"]]
        assert inbox.notifications[0].complaint_id == complaint
        assert inbox.notifications[0].topic == pb.NOTIFICATION_TOPIC_INFORMATION_REQUESTS_SENT
        assert inbox.unread_count == 1


async def _nonempty_inbox(client, world, user_id):  # type: ignore[no-untyped-def]
    inbox = await client.inbox(world.actor(user_id))
    return inbox if inbox.notifications else None


async def test_a_complaint_lifecycle_tells_each_person_what_concerns_them(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(tmp_path / "data", nats_server.url, url, smtp.port)
    c = world.complaint(1)
    base = {"tenant_id": world.agency, "complaint_id": c, "company_id": world.company}
    ir = {**base, "information_request_id": "ir-1"}
    events = [
        *world.new_complaint(c, "ir-1", DUE),
        world.assign_poc(c),
        ce.ContributorAdded(**base, actor_id=world.poc, contributor_id=world.contributor),
        ce.ReminderSent(**ir, actor_id=world.manager, due_date=DUE, note="Please hurry."),
        ce.DueDateExtended(
            **ir,
            actor_id=world.manager,
            previous_due_date=DUE,
            due_date=NEW_DUE,
            original_due_date=DUE,
        ),
        ce.DraftSentToPoc(**ir, actor_id=world.contributor, company_poc_id=world.poc),
        world.submit(c, "ir-1", restricted=True),
        ce.SendBackRequested(**ir, actor_id=world.poc, reason="We attached the wrong file."),
        ce.ResponseSentBack(
            **ir, actor_id=world.manager, reason="Attach the signed letter.", due_date=NEW_DUE
        ),
        ce.InformationRequestAdded(**base, actor_id=world.manager, information_request_id="ir-2"),
        ce.InformationRequestSent(
            **base, actor_id=world.manager, information_request_id="ir-2", due_date=NEW_DUE
        ),
        ce.InformationRequestCanceled(
            **base, actor_id=world.manager, information_request_id="ir-2", reason="Sent twice."
        ),
        ce.ComplaintClosed(
            **base,
            actor_id=world.manager,
            close_reason=CloseReason.CLOSED_WITH_EXPLANATION,
            shared_with_company=True,
            comments_for_company="Thank you for the quick answer.",
        ),
    ]
    async with notify_host(settings) as (_, client), EventFeed.connect(nats_server.url) as feed:
        await feed.publish(*world.setup_events(), *events)
        # enrollment 2, then 1 per step, 2 for each agency notice and the second IR, 3 closed
        await wait_for_messages(smtp, 19)
        await client.settled()
    assert smtp.count() == 19
    company = f"Acme Lending {world.tag}"
    assert subjects(smtp.to(world.email(world.manager))) == sorted(
        [
            f"{company} completed enrollment in SES",
            f"Response submitted for complaint {c}",
            f"{company} asks to update its response on complaint {c}",
        ]
    )
    assert subjects(smtp.to(world.email(world.supervisor))) == subjects(
        smtp.to(world.email(world.manager))
    )
    assert subjects(smtp.to(world.email(world.contact))) == sorted(
        [f"New information request for complaint {c}"] * 2 + [f"Complaint {c} was closed"]
    )
    assert subjects(smtp.to(world.email(world.poc))) == sorted(
        [
            f"You are the Company POC for complaint {c}",
            f"Reminder: information request on complaint {c} is due Monday, March 3, 2031",
            f"New due date for complaint {c}: Monday, March 17, 2031",
            f"A draft response for complaint {c} is ready for you",
            f"Response on complaint {c} sent back for updates",
            f"New information request for complaint {c}",
            f"Information request on complaint {c} canceled",
            f"Complaint {c} was closed",
        ]
    )
    assert subjects(smtp.to(world.email(world.contributor))) == sorted(
        [f"You were added as a contributor to complaint {c}", f"Complaint {c} was closed"]
    )
    assert smtp.to(world.email(world.viewer)) == []

    (sent_back,) = [m for m in smtp.to(world.email(world.poc)) if "sent back" in m["Subject"]]
    assert "Attach the signed letter." in text_of(sent_back)
    (asked,) = [m for m in smtp.to(world.email(world.manager)) if "asks to update" in m["Subject"]]
    assert "We attached the wrong file." in text_of(asked)
    (submitted,) = [m for m in smtp.to(world.email(world.manager)) if "submitted" in m["Subject"]]
    assert "The response is restricted" in text_of(submitted)
    assert "with 2 file(s)" in text_of(submitted)
    (closed,) = [m for m in smtp.to(world.email(world.contributor)) if "closed" in m["Subject"]]
    assert "Thank you for the quick answer." in text_of(closed)
    assert "Closed with explanation" in text_of(closed)
    (second_ir,) = [
        m for m in smtp.to(world.email(world.poc)) if "New information request" in m["Subject"]
    ]
    assert "assign a Company POC" not in text_of(second_ir)
    (reminder,) = [m for m in smtp.to(world.email(world.poc)) if "Reminder" in m["Subject"]]
    assert "Note from the agency: Please hurry." in text_of(reminder)
