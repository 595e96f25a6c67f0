"""Who is told: activation links, cancellations, preferences, extra addresses, deactivated users."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from notify_support import (
    EventFeed,
    Scenario,
    SmtpSink,
    notify_host,
    notify_settings,
    subjects,
    text_of,
    wait_for_messages,
)
from sqlalchemy import select

from ses.notify.v1 import notify_pb2 as pb
from ses_core.accounts import (
    ActivationLinkIssued,
    LinkPurpose,
    NotificationAddressesChanged,
    UserCreated,
    UserDeactivated,
)
from ses_core.identity import Actor, AgencyRole
from ses_core.models import complaint_events as ce
from ses_core.models.enrollment_events import EnrollmentReminderSent
from ses_core.platform.db import create_database_engine
from ses_core.testing import NatsServerProcess
from ses_notify.tables import deliveries as deliveries_table

pytestmark = pytest.mark.integration

DUE = date(2031, 3, 3)
LINK = "https://ses.example.gov/activate#token-abc"


def _settings(tmp_path: Path, nats: NatsServerProcess, smtp: SmtpSink):  # type: ignore[no-untyped-def]
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    return notify_settings(tmp_path / "data", nats.url, url, smtp.port)


async def test_activation_links_are_emailed_to_their_user_only_and_never_kept(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    expires = datetime(2031, 1, 10, 15, 0, tzinfo=UTC)
    invited = UserCreated(
        tenant_id=world.agency,
        user_id="u-new-agency-user",
        agency_id=world.agency,
        email="new.user@example.org",
        given_name="Nia",
        family_name="New",
        agency_roles=[AgencyRole.COMPLAINT_VIEWER],
        activation_link=LINK,
        activation_expires_at=expires,
    )
    first_user = ActivationLinkIssued(
        tenant_id=world.agency,
        user_id="u-first",
        company_id=world.company,
        email="first@acme.example.org",
        given_name="Fay",
        family_name="First",
        purpose=LinkPurpose.ENROLLMENT_INVITATION,
        activation_link=LINK + "-first",
        activation_expires_at=expires,
        company_name="Acme Lending",
        inviting_agency_name="NY Department",
    )
    reminder = first_user.model_copy(
        update={
            "event_id": "reminder-1",
            "purpose": LinkPurpose.ENROLLMENT_REMINDER,
            "activation_link": LINK + "-again",
        }
    )
    async with notify_host(_settings(tmp_path, nats_server, smtp)) as (_, client):
        async with EventFeed.connect(nats_server.url) as feed:
            await feed.publish(*world.setup_events()[:3], invited, first_user, reminder)
            await wait_for_messages(smtp, 3)
            deliveries = await client.settled()
        newcomer = Actor.agency_user("u-new-agency-user", world.agency, AgencyRole.COMPLAINT_VIEWER)
        inbox = await client.inbox(newcomer)
    (welcome,) = smtp.to("new.user@example.org")
    assert welcome["Subject"] == "Activate your SES account for NY Department"
    assert LINK in text_of(welcome)
    assert "Friday, January 10, 2031, 10:00 AM EST" in text_of(welcome)  # shown in Eastern time
    assert subjects(smtp.to("first@acme.example.org")) == [
        "Activate your SES account for Acme Lending",
        "Reminder: finish enrolling Acme Lending in SES",
    ]
    (again,) = [m for m in smtp.to("first@acme.example.org") if "Reminder" in m["Subject"]]
    assert LINK + "-again" in text_of(again)
    # E-mail only: a link is no use in an inbox, and integrators never see one.
    assert {
        d.channel for d in deliveries if d.topic == pb.NOTIFICATION_TOPIC_ACCOUNT_ACTIVATION
    } == {pb.CHANNEL_EMAIL}
    assert list(inbox.notifications) == []
    # The stored copies were scrubbed once the server accepted them: links are bearer secrets.
    engine = create_database_engine(f"sqlite+pysqlite:///{tmp_path / 'notify.db'}")
    with engine.connect() as connection:
        stored = [str(row.content) for row in connection.execute(select(deliveries_table))]
    engine.dispose()
    assert stored
    assert not [content for content in stored if "token-abc" in content]


async def test_a_reminder_without_a_new_link_points_to_the_invitation(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    setup = world.setup_events()
    reminded = EnrollmentReminderSent(
        tenant_id=world.agency,
        company_id=world.company,
        actor_id=world.manager,
        invited_user_id=world.contact,
        expires_at=datetime(2031, 1, 10, 15, 0, tzinfo=UTC),
    )
    reissued = reminded.model_copy(update={"event_id": "reissued", "link_reissued": True})
    async with (
        notify_host(_settings(tmp_path, nats_server, smtp)) as (_, client),
        EventFeed.connect(nats_server.url) as feed,
    ):
        await feed.publish(*setup[:-1], reminded, reissued)
        await wait_for_messages(smtp, 1)
        await client.settled()
    (message,) = smtp.to(world.email(world.contact))
    assert "Use the activation link from your invitation e-mail" in text_of(message)


async def test_cancellation_reaches_the_company_only_after_irs_were_sent_and_without_reason(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    sent, unsent = world.complaint(1), world.complaint(2)
    reason = "The complainant withdrew: private details."

    def canceled(complaint_id: str) -> ce.ComplaintCanceled:
        return ce.ComplaintCanceled(
            tenant_id=world.agency,
            complaint_id=complaint_id,
            company_id=world.company,
            actor_id=world.manager,
            reason=reason,
        )

    created_only = world.new_complaint(unsent, "ir-u", DUE)[:2]
    async with (
        notify_host(_settings(tmp_path, nats_server, smtp)) as (_, client),
        EventFeed.connect(nats_server.url) as feed,
    ):
        await feed.publish(*world.setup_events(), *created_only, canceled(unsent))
        await feed.publish(*world.new_complaint(sent, "ir-s", DUE), world.assign_poc(sent))
        await feed.publish(canceled(sent))
        await wait_for_messages(smtp, 2 + 1 + 1 + 2)
        await client.settled()
    assert smtp.count() == 6
    notices = [m for m in smtp.messages if "canceled" in m["Subject"]]
    assert sorted(str(m["To"]) for m in notices) == sorted(
        [world.email(world.contact), world.email(world.poc)]
    )
    assert all(sent in m["Subject"] for m in notices)
    assert all(reason not in text_of(m) for m in notices)


async def test_preferences_extra_addresses_and_deactivation_shape_the_deliveries(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    c = world.complaint(1)
    poc = world.actor(world.poc)
    async with notify_host(_settings(tmp_path, nats_server, smtp)) as (_, client):
        async with EventFeed.connect(nats_server.url) as feed:
            await feed.publish(
                *world.setup_events(),
                NotificationAddressesChanged(
                    tenant_id=world.agency,
                    company_id=world.company,
                    addresses=["complaints@acme.example.org", "legal@acme.example.org"],
                ),
                UserDeactivated(
                    tenant_id=world.agency, user_id=world.supervisor, agency_id=world.agency
                ),
            )
            await wait_for_messages(smtp, 2)  # enrollment completed (supervisor still active)
            await client.stub.UpdatePreferences(
                pb.UpdatePreferencesRequest(
                    preferences=pb.NotificationPreferences(
                        user_id=world.poc,
                        topics=[
                            pb.TopicPreference(
                                topic=pb.NOTIFICATION_TOPIC_COMPANY_POC_ASSIGNED,
                                email=False,
                                in_app=True,
                            )
                        ],
                        additional_emails=["poc.home@example.net"],
                    )
                ),
                metadata=client.md(poc),
            )
            await feed.publish(*world.new_complaint(c, "ir-1", DUE), world.assign_poc(c))
            await feed.publish(world.submit(c, "ir-1"))
            # IR: contact + 2 company addresses; POC: in-app only; submitted: manager only.
            await wait_for_messages(smtp, 2 + 3 + 1)
            deliveries = await client.settled()
        inbox = await client.inbox(poc)
    intake = sorted(
        str(m["To"]) for m in smtp.messages if "New information request" in m["Subject"]
    )
    assert intake == sorted(
        [world.email(world.contact), "complaints@acme.example.org", "legal@acme.example.org"]
    )
    (submitted,) = [m for m in smtp.messages if "Response submitted" in m["Subject"]]
    assert str(submitted["To"]) == world.email(world.manager)  # the supervisor was deactivated
    assert not [m for m in smtp.messages if "Company POC" in str(m["Subject"])]
    poc_assigned = [d for d in deliveries if d.topic == pb.NOTIFICATION_TOPIC_COMPANY_POC_ASSIGNED]
    assert sorted((d.address, d.status) for d in poc_assigned) == sorted(
        [
            (world.email(world.poc), pb.DELIVERY_STATUS_SUPPRESSED),
            ("poc.home@example.net", pb.DELIVERY_STATUS_SUPPRESSED),
            (world.poc, pb.DELIVERY_STATUS_DELIVERED),
        ]
    )
    assert [n.title for n in inbox.notifications] == [f"You are the Company POC for complaint {c}"]
