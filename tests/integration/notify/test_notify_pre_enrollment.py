"""IRs sent before the company finished enrollment are announced once it has, exactly once.

DESIGN §5: "IRs may be sent before the company finishes enrollment; the company sees them
once enrolled". Real events through JetStream, a real SMTP server: nothing reaches the
company while it cannot see its complaints; at EnrollmentCompleted the Complaints Contact
and the company's additional addresses get one notice per IR still open; IRs (and
complaints) that ended before are never announced; a replay of the whole stream and a
later contact reassignment send nothing twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
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
from sqlalchemy import create_engine, insert, select

from ses.notify.v1 import notify_pb2 as pb
from ses_core.accounts import (
    CompanyContactAssigned,
    CompanyContactType,
    NotificationAddressesChanged,
)
from ses_core.events import DomainEvent
from ses_core.lifecycle import CloseReason
from ses_core.models import complaint_events as ce
from ses_core.models.enrollment_events import EnrollmentCompleted
from ses_core.platform.authority import authority_metadata
from ses_core.platform.db import platform_metadata
from ses_core.testing import NatsServerProcess
from ses_notify import tables
from ses_notify.bootstrap import NotifyPlugin
from ses_notify.consumers import DURABLE_NAME

pytestmark = pytest.mark.integration

DUE = date(2031, 3, 3)
EXTENDED = date(2031, 3, 17)
INTAKE = "complaints@acme.example.org"
AGENCY_ONLY = "AGENCY-ONLY: the complainant is a suspected fraud ring"


def _split_setup(world: Scenario) -> tuple[list[DomainEvent], EnrollmentCompleted]:
    """Everything up to the contact's assignment (as during enrollment), and the completion."""
    *before, contact, completed = world.setup_events()
    assert isinstance(contact, CompanyContactAssigned)
    assert isinstance(completed, EnrollmentCompleted)
    return [*before, contact], completed


def _base(world: Scenario, complaint_id: str) -> dict[str, str]:
    return {
        "tenant_id": world.agency,
        "complaint_id": complaint_id,
        "company_id": world.company,
        "actor_id": world.manager,
    }


async def test_irs_sent_before_enrollment_reach_the_company_once_it_is_enrolled(
    tmp_path: Path, nats_server: NatsServerProcess, database_url: str, smtp: SmtpSink
) -> None:
    world = Scenario()
    settings = notify_settings(tmp_path / "data", nats_server.url, database_url, smtp.port)
    before_contact, completed = _split_setup(world)
    contact_assigned = before_contact.pop()
    open_one, open_two, canceled_ir, canceled_c, closed_c, later = (
        world.complaint(n) for n in range(1, 7)
    )

    # Sent while nobody at the company could be told: before any contact existed ...
    first = world.new_complaint(open_one, "ir-1a", DUE)
    first_sent = first[-1]
    # ... and once the contact was assigned, but enrollment was not finished yet.
    second = world.new_complaint(open_two, "ir-2", DUE)
    second_sent = second[-1]
    extended = ce.DueDateExtended(
        **_base(world, open_two),
        information_request_id="ir-2",
        previous_due_date=DUE,
        due_date=EXTENDED,
        original_due_date=DUE,
    )
    extra_ir = [
        ce.InformationRequestAdded(**_base(world, open_one), information_request_id="ir-1b"),
        ce.InformationRequestSent(
            **_base(world, open_one), information_request_id="ir-1b", due_date=DUE
        ),
    ]
    ended = [
        *world.new_complaint(canceled_ir, "ir-3", DUE),
        ce.InformationRequestCanceled(
            **_base(world, canceled_ir), information_request_id="ir-3", reason="Sent in error."
        ),
        *world.new_complaint(canceled_c, "ir-4", DUE),
        ce.ComplaintCanceled(**_base(world, canceled_c), reason=AGENCY_ONLY),
        *world.new_complaint(closed_c, "ir-5", DUE),
        ce.ComplaintClosed(
            **_base(world, closed_c), close_reason=CloseReason.DUPLICATE, comments_for_company=""
        ),
    ]
    addresses = NotificationAddressesChanged(
        tenant_id=world.agency, company_id=world.company, addresses=[INTAKE]
    )

    async with notify_host(settings) as (_, client), EventFeed.connect(nats_server.url) as feed:
        await feed.publish(*before_contact, *first, contact_assigned, addresses)
        await feed.publish(*second, extended, *extra_ir, *ended)
        await feed.applied(what="pre-enrollment events")
        assert await client.deliveries() == [], "the company was told before it could see"
        assert smtp.count() == 0

        await feed.publish(completed)
        # Enrollment completed: manager, supervisor. Open IRs 1a, 1b, 2: contact and intake.
        await wait_for_messages(smtp, 2 + 3 * 2)
        await feed.publish(*world.new_complaint(later, "ir-6", DUE))  # business as usual
        await wait_for_messages(smtp, 2 + 4 * 2)
        await client.settled()

        # Everything again from the start of the stream, and a new contact: nothing twice.
        await feed.js.delete_consumer("SES_EVENTS", DURABLE_NAME)
        await feed.applied(what="the replay")
        await feed.publish(
            CompanyContactAssigned(
                tenant_id=world.agency,
                company_id=world.company,
                contact_type=CompanyContactType.SES_COMPLAINTS_CONTACT,
                user_id=world.poc,
                previous_user_id=world.contact,
            )
        )
        await feed.applied(what="the new contact")
        deliveries = await client.settled()
        inbox = await client.inbox(world.actor(world.contact))

    assert smtp.count() == 2 + 4 * 2
    assert Counter(str(m["To"]) for m in smtp.messages) == {
        world.email(world.manager): 1,
        world.email(world.supervisor): 1,
        world.email(world.contact): 4,
        INTAKE: 4,
    }
    company_mail = smtp.to(world.email(world.contact)) + smtp.to(INTAKE)
    announced = Counter(str(m["Subject"]) for m in company_mail)
    assert announced == {
        f"New information request for complaint {open_one}": 4,  # two IRs, two addresses
        f"New information request for complaint {open_two}": 2,
        f"New information request for complaint {later}": 2,
    }
    for message in company_mail:
        assert AGENCY_ONLY not in text_of(message)
        assert AGENCY_ONLY not in html_of(message)
        assert "Task: assign a Company POC" in text_of(message)
    # The announcement tells the due date as it stands now, not as it was sent.
    (contact_two,) = [m for m in smtp.to(world.email(world.contact)) if open_two in m["Subject"]]
    assert "Monday, March 17, 2031" in text_of(contact_two)

    # Keyed by the InformationRequestSent event it defers: listed under that event.
    for sent in (first_sent, second_sent):
        keyed = [d for d in deliveries if d.event_id == sent.event_id]
        assert sorted((d.channel, d.address) for d in keyed) == sorted(
            [
                (pb.CHANNEL_EMAIL, world.email(world.contact)),
                (pb.CHANNEL_EMAIL, INTAKE),
                (pb.CHANNEL_IN_APP, world.contact),
            ]
        )
        assert {d.event_subject for d in keyed} == {ce.InformationRequestSent.subject()}
    assert sorted(n.information_request_id for n in inbox.notifications) == [
        "ir-1a",
        "ir-1b",
        "ir-2",
        "ir-6",
    ]


def test_the_migration_marks_companies_with_a_contact_enrolled_and_matches_the_tables(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+pysqlite:///{tmp_path / 'notify.db'}")
    config = Config()
    config.set_main_option("script_location", str(NotifyPlugin().migrations))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            connection.execute(
                insert(tables.companies),
                [
                    {"company_id": "with-contact", "complaints_contact_id": "u-1"},
                    {"company_id": "invited-only", "complaints_contact_id": None},
                ],
            )
            command.upgrade(config, "head")
        with engine.connect() as connection:
            enrolled = dict(
                connection.execute(
                    select(tables.companies.c.company_id, tables.companies.c.enrolled)
                ).all()
            )
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(
                context, [tables.metadata, platform_metadata, authority_metadata]
            )
    finally:
        engine.dispose()
    assert enrolled == {"with-contact": True, "invited-only": False}
    assert differences == []
