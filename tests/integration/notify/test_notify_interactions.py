"""A message on the Interactions tab is news for the other side, once, and says no more than it may.

Real events through JetStream and a real SMTP server: an agency message reaches the
Company POC (the SES Complaints Contact while there is no POC); a company message reaches
the Agency POC and the agency's Complaint Supervisors; the author and their own side are
not told; a complaint the company cannot see yet (no IR sent) tells the company nothing;
company e-mails carry no agency-only details; a replay of the stream sends nothing twice.
"""

from __future__ import annotations

from collections import Counter
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
    text_of,
    wait_for_messages,
)

from ses.notify.v1 import notify_pb2 as pb
from ses_core.lifecycle import ComplaintStatus
from ses_core.models import complaint_events as ce
from ses_core.models.complaint_parts import NoteKind, Party
from ses_core.testing import NatsServerProcess
from ses_notify.consumers import DURABLE_NAME

pytestmark = pytest.mark.integration

DUE = date(2031, 3, 3)
CITATION = "AGENCY-ONLY 12 CFR 1026.19(e) suspected tolerance violation"


def _posted(
    world: Scenario, complaint_id: str, author: str, party: Party, files: int = 0
) -> ce.InteractionPosted:
    return ce.InteractionPosted(
        tenant_id=world.agency,
        complaint_id=complaint_id,
        company_id=world.company,
        actor_id=author,
        interaction_id=f"i-{complaint_id}-{author}-{files}",
        party=party,
        file_count=files,
    )


async def test_each_interaction_reaches_the_other_side_once_without_agency_only_details(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    database = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(tmp_path / "data", nats_server.url, database, smtp.port)
    sent, unseen = world.complaint(1), world.complaint(2)
    agency_only = [
        ce.AllegedViolationAdded(
            tenant_id=world.agency,
            complaint_id=sent,
            company_id=world.company,
            actor_id=world.manager,
            violation_id="v-1",
            citation=CITATION,
        ),
        ce.ResearchNoteAdded(
            tenant_id=world.agency,
            complaint_id=sent,
            company_id=world.company,
            actor_id=world.manager,
            note_id="note-1",
            kind=NoteKind.RESEARCH,
        ),
    ]
    # The company never saw this complaint: no IR was sent on it.
    not_yet_visible = [
        ce.ComplaintCreated(
            tenant_id=world.agency,
            complaint_id=unseen,
            company_id=world.company,
            actor_id=world.manager,
            status=ComplaintStatus.OPEN,
            received_date=date(2026, 11, 2),
            agency_poc_id=world.manager,
        ),
        _posted(world, unseen, world.manager, Party.AGENCY),
    ]
    to_contact = _posted(world, sent, world.manager, Party.AGENCY, files=2)
    to_poc = _posted(world, sent, world.supervisor, Party.AGENCY)
    to_agency = _posted(world, sent, world.poc, Party.COMPANY, files=1)

    async with notify_host(settings) as (_, client), EventFeed.connect(nats_server.url) as feed:
        # Enrollment completed: manager, supervisor; the new IR: contact.
        await feed.publish(*world.setup_events(), *world.new_complaint(sent, "ir-1", DUE))
        await feed.publish(*agency_only, *not_yet_visible, to_contact)  # contact (no POC yet)
        await wait_for_messages(smtp, 2 + 1 + 1)
        await feed.publish(world.assign_poc(sent))  # the POC: "you are the Company POC"
        await feed.publish(to_poc)  # the POC
        await feed.publish(to_agency)  # manager and supervisor
        await wait_for_messages(smtp, 2 + 1 + 1 + 1 + 1 + 2)
        await client.settled()

        await feed.js.delete_consumer("SES_EVENTS", DURABLE_NAME)  # replay everything
        await feed.applied(what="the replay")
        deliveries = await client.settled()
        poc_inbox = await client.inbox(world.actor(world.poc))
        manager_inbox = await client.inbox(world.actor(world.manager))

    assert smtp.count() == 8
    interaction_mail = [m for m in smtp.messages if str(m["Subject"]).startswith("New message")]
    assert Counter(str(m["To"]) for m in interaction_mail) == {
        world.email(world.contact): 1,
        world.email(world.poc): 1,
        world.email(world.manager): 1,
        world.email(world.supervisor): 1,
    }
    assert {str(m["Subject"]) for m in interaction_mail} == {f"New message on complaint {sent}"}

    (contact_mail,) = [m for m in interaction_mail if m["To"] == world.email(world.contact)]
    assert "NY Department posted a new message" in text_of(contact_mail)
    assert "with 2 attached files" in text_of(contact_mail)
    (agency_mail,) = [m for m in interaction_mail if m["To"] == world.email(world.manager)]
    assert f"Acme Lending {world.tag} posted a new message" in text_of(agency_mail)

    company_side = [world.email(u) for u in (world.contact, world.poc)]
    for message in smtp.messages:
        if str(message["To"]) in company_side:
            for part in (text_of(message), html_of(message)):
                assert CITATION not in part
                assert "note-1" not in part
                assert "v-1" not in part

    posted = [d for d in deliveries if d.topic == pb.NOTIFICATION_TOPIC_INTERACTION_POSTED]
    assert {d.event_id for d in posted} == {
        to_contact.event_id,
        to_poc.event_id,
        to_agency.event_id,
    }
    recipients = Counter((d.event_id, d.recipient_user_id, d.channel) for d in posted)
    assert set(recipients.values()) == {1}
    assert {(d.event_id, d.recipient_user_id) for d in posted} == {
        (to_contact.event_id, world.contact),
        (to_poc.event_id, world.poc),
        (to_agency.event_id, world.manager),
        (to_agency.event_id, world.supervisor),
    }
    assert [n.title for n in poc_inbox.notifications if n.topic == posted[0].topic] == [
        f"New message on complaint {sent}"
    ]
    assert [n.complaint_id for n in manager_inbox.notifications if n.topic == posted[0].topic] == [
        sent
    ]
