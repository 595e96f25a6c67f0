"""Complaints are named by reference number, with a portal link, in every channel.

The complaint's id here is a UUID, as the complaints service makes them: no e-mail,
in-app notice or webhook text may show it. Only the webhook payload's and the in-app
entry's ``complaint_id`` carry it, for programs that call the complaints API.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from notify_support import (
    EventFeed,
    HookReceiver,
    Scenario,
    SmtpSink,
    html_of,
    notify_host,
    notify_settings,
    text_of,
)

from ses.notify.v1 import notify_pb2 as pb
from ses_core.models import complaint_events as ce
from ses_core.testing import NatsServerProcess, eventually

pytestmark = pytest.mark.integration

DUE = date(2031, 3, 3)
PORTAL = "https://ses.example.gov"
REFERENCE = "NY-2031-000777"
LINK = f"{PORTAL}/complaints/{REFERENCE}"


async def test_email_in_app_and_webhooks_name_the_reference_and_link_to_it(
    tmp_path: Path, nats_server: NatsServerProcess, database_url: str, smtp: SmtpSink
) -> None:
    world = Scenario()
    complaint_id, legacy_id = str(uuid.uuid4()), str(uuid.uuid4())
    # The receiver listens on this machine: a deployment opens such targets explicitly.
    settings = notify_settings(
        tmp_path / "data",
        nats_server.url,
        database_url,
        smtp.port,
        webhook_allow_private_targets=True,
    )
    settings.notify.portal_url = PORTAL
    created = [
        event.model_copy(update={"complaint_id": complaint_id, "reference_number": REFERENCE})
        for event in world.new_complaint("unused", "ir-1", DUE)
    ]
    # Published before events carried references: named as such complaints always were.
    legacy = [
        event.model_copy(update={"complaint_id": legacy_id, "reference_number": ""})
        for event in world.new_complaint("unused", "ir-2", DUE)
    ]
    # An event without the reference, after others carried it: the projection remembers it.
    reminder = ce.ReminderSent(
        tenant_id=world.agency,
        complaint_id=complaint_id,
        company_id=world.company,
        actor_id=world.manager,
        information_request_id="ir-1",
        due_date=DUE,
    )
    with HookReceiver() as receiver:
        async with notify_host(settings) as (_, client):
            await client.stub.CreateWebhookEndpoint(
                pb.CreateWebhookEndpointRequest(url=receiver.url("/ok/company")),
                metadata=client.md(world.actor(world.contact)),
            )
            async with EventFeed.connect(nats_server.url) as feed:
                await feed.publish(*world.setup_events(), *created, reminder, *legacy)
                await eventually(
                    lambda: len(receiver.at("/ok/company")) >= 3, message="the webhook posts"
                )
                await client.settled()
                inbox = await client.inbox(world.actor(world.contact))

    mails = smtp.to(world.email(world.contact))
    assert sorted(str(m["Subject"]) for m in mails) == sorted(
        [
            f"New information request for complaint {REFERENCE}",
            f"New information request for complaint SES-{legacy_id.replace('-', '')[:10].upper()}",
            f"Reminder: information request on complaint {REFERENCE} is due Monday, March 3, 2031",
        ]
    )
    for mail in mails:
        if REFERENCE in str(mail["Subject"]):
            assert f"Open complaint {REFERENCE} in SES: {LINK}" in text_of(mail)
            assert f'href="{LINK}"' in html_of(mail)
        for shown in (str(mail["Subject"]), text_of(mail), html_of(mail)):
            assert complaint_id not in shown
            assert legacy_id not in shown

    notices = [n for n in inbox.notifications if n.complaint_id == complaint_id]
    assert len(notices) == 2
    for notice in notices:
        assert REFERENCE in notice.title
        assert notice.body.endswith(f"Open complaint {REFERENCE} in SES: {LINK}")
        assert complaint_id not in notice.title + notice.body

    posts = [json.loads(post.body) for post in receiver.at("/ok/company")]
    about_it = [post for post in posts if post["complaint_id"] == complaint_id]
    assert len(about_it) == 2
    for post in about_it:
        assert (post["complaint_reference_number"], post["complaint_url"]) == (REFERENCE, LINK)
        assert post["facts"]["complaint_reference"] == REFERENCE
        assert REFERENCE in post["title"]
        assert complaint_id not in post["title"] + post["body"] + json.dumps(post["facts"])
