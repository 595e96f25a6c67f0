"""The service's events reach JetStream and a real durable consumer, with their routing tenant."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
import pytest_asyncio
from enrollment_support import CODEC, OPERATOR, World

from ses_core.accounts import (
    ActivationLinkIssued,
    AgencyCreated,
    CompanyRegistered,
    LinkPurpose,
    UserCreated,
)
from ses_core.events import DomainEvent
from ses_core.models.enrollment_events import EnrollmentInitiated
from ses_core.platform.db import (
    SqlUnitOfWork,
    create_database_engine,
    platform_metadata,
    session_factory,
    sqlite_url,
)
from ses_core.platform.messaging import EventConsumer, InboundEvent, connect
from ses_core.testing import eventually, running

E = TypeVar("E", bound=DomainEvent)

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

EVENT_TYPES: dict[str, type[DomainEvent]] = {
    event_type.subject(): event_type
    for event_type in (
        AgencyCreated,
        UserCreated,
        CompanyRegistered,
        EnrollmentInitiated,
        ActivationLinkIssued,
    )
}


@dataclass
class Received:
    events: list[tuple[str, DomainEvent]] = field(default_factory=list)

    def handle(self, inbound: InboundEvent, uow: SqlUnitOfWork) -> None:
        event_type = EVENT_TYPES.get(inbound.subject)
        if event_type is not None:
            self.events.append((inbound.tenant_id, inbound.decode(event_type)))

    def of(self, event_type: type[E]) -> list[tuple[str, E]]:
        """(routing tenant, event) of each ``event_type`` received so far."""
        return [(tenant, event) for tenant, event in self.events if isinstance(event, event_type)]


@pytest_asyncio.fixture(loop_scope="module")
async def received(world: World, tmp_path: Path) -> AsyncIterator[Received]:
    engine = create_database_engine(sqlite_url(tmp_path, "consumer"))
    platform_metadata.create_all(engine)
    sessions = session_factory(engine)
    client = await connect(world.settings.nats.url, name="enrollment-events-test")
    sink = Received()
    consumer = EventConsumer(
        client.jetstream(),
        durable_name=f"enrollment-test-{uuid.uuid4().hex[:8]}",
        filter_subjects=["ses.enrollment.v1.>"],
        handler=sink.handle,
        unit_of_work=lambda tenant: SqlUnitOfWork(sessions, tenant_id=tenant, codec=CODEC),
        codec=CODEC,
        fetch_timeout=0.5,
    )
    try:
        async with running(consumer.run()):
            yield sink
    finally:
        await client.drain()
        engine.dispose()


async def test_agency_and_user_events_arrive_with_the_agency_as_tenant(
    world: World, received: Received
) -> None:
    agency = await world.create_agency()

    def arrived() -> bool:
        return any(e.agency_id == agency.agency_id for _, e in received.of(AgencyCreated))

    await eventually(arrived, message="AgencyCreated on the consumer")
    await eventually(
        lambda: any(e.user_id == agency.admin_id for _, e in received.of(UserCreated)),
        message="UserCreated on the consumer",
    )
    ((tenant, created),) = [
        (t, e) for t, e in received.of(UserCreated) if e.user_id == agency.admin_id
    ]
    assert tenant == created.tenant_id == agency.agency_id
    assert created.activation_link == world.link_of(agency.admin_id)
    assert created.email == agency.admin_email


async def test_directory_facts_have_no_agency_but_a_routing_tenant(
    world: World, received: Received
) -> None:
    company = await world.register_company(OPERATOR)

    def registered() -> list[tuple[str, CompanyRegistered]]:
        return [
            (t, e) for t, e in received.of(CompanyRegistered) if e.company_id == company.company_id
        ]

    ((tenant, event),) = await eventually(registered, message="CompanyRegistered")
    assert event.tenant_id == ""
    assert tenant == f"company:{company.company_id}"


async def test_an_invitation_reaches_consumers_with_its_link(
    world: World, received: Received
) -> None:
    agency = await world.create_agency()
    company, user = await world.invited_company(agency)

    def issued() -> list[tuple[str, ActivationLinkIssued]]:
        return [
            (t, e)
            for t, e in received.of(ActivationLinkIssued)
            if e.company_id == company.company_id
        ]

    ((tenant, link_event),) = await eventually(issued, message="ActivationLinkIssued")
    assert tenant == link_event.tenant_id == agency.agency_id
    assert link_event.purpose is LinkPurpose.ENROLLMENT_INVITATION
    assert link_event.user_id == user.user_id
    assert link_event.email == user.email
    assert link_event.activation_link == world.link_of(user.user_id)
    assert link_event.company_name == company.legal_name
    initiated = await eventually(
        lambda: [
            e for _, e in received.of(EnrollmentInitiated) if e.company_id == company.company_id
        ],
        message="EnrollmentInitiated",
    )
    assert initiated[0].tenant_id == agency.agency_id
