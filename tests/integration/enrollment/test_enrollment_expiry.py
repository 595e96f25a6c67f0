"""Invitations that run out: the background sweep, expired links and re-invitation.

This module moves its host's clock weeks ahead, so it has a host of its own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

import grpc
import pytest
from enrollment_support import CODEC, PASSWORD, World, refused
from sqlalchemy import select

from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.accounts import ActivationLinkIssued, LinkPurpose
from ses_core.events import DomainEvent
from ses_core.models.enrollment_events import EnrollmentExpired, EnrollmentInitiated
from ses_core.platform.db import outbox_table
from ses_core.testing import eventually

EventT = TypeVar("EventT", bound=DomainEvent)

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

Code = grpc.StatusCode


def _events(
    world: World, event_type: type[EventT], company_id: str
) -> list[tuple[EventT, dict[str, str]]]:
    """The events of ``event_type`` about ``company_id`` in the outbox, with their headers."""
    with world.engine.connect() as connection:
        rows = connection.execute(
            select(outbox_table.c.payload, outbox_table.c.headers)
            .where(outbox_table.c.subject == event_type.subject())
            .order_by(outbox_table.c.seq)
        ).all()
    events = [(CODEC.decode(event_type, bytes(payload)), headers) for payload, headers in rows]
    return [
        (event, headers)
        for event, headers in events
        if getattr(event, "company_id", "") == company_id
    ]


async def test_an_unused_invitation_expires_and_a_reinvitation_sends_a_fresh_link(
    world: World,
) -> None:
    agency = await world.create_agency()
    company, user = await world.invited_company(agency)
    activated_company, activated_user = await world.invited_company(agency)
    await world.activate(activated_user.user_id)
    old_link = world.link_of(user.user_id)
    manager = world.md(agency.manager())

    world.clock.advance(timedelta(days=15))

    async def expired_now() -> bool:
        got = await world.enrollment.GetEnrollment(
            pb.GetEnrollmentRequest(company_id=company.company_id), metadata=manager
        )
        return got.enrollment.status == pb.ENROLLMENT_STATUS_EXPIRED

    await eventually(expired_now, message="the sweep to expire the invitation")
    ((expired, headers),) = _events(world, EnrollmentExpired, company.company_id)
    assert expired.tenant_id == agency.agency_id == headers["ses-tenant"]
    still = await world.enrollment.GetEnrollment(
        pb.GetEnrollmentRequest(company_id=activated_company.company_id), metadata=manager
    )
    assert still.enrollment.status == pb.ENROLLMENT_STATUS_INVITED  # redeemed links never expire

    await refused(
        world.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=old_link, password=PASSWORD)
        ),
        Code.FAILED_PRECONDITION,
        "activation_link_expired",
        says="ask the agency to send your company a new invitation",
    )
    await refused(
        world.enrollment.SendEnrollmentReminder(
            pb.SendEnrollmentReminderRequest(company_id=company.company_id), metadata=manager
        ),
        Code.FAILED_PRECONDITION,
        "enrollment_expired",
        says="re-invite",
    )
    listed = await world.enrollment.SearchCompanies(
        pb.SearchCompaniesRequest(enrollment_status=pb.ENROLLMENT_STATUS_EXPIRED), metadata=manager
    )
    assert [c.company_id for c in listed.companies] == [company.company_id]

    again = await world.enrollment.InitiateEnrollment(
        pb.InitiateEnrollmentRequest(company_id=company.company_id, first_user_id=user.user_id),
        metadata=manager,
    )

    assert again.enrollment.status == pb.ENROLLMENT_STATUS_INVITED
    initiated = [event for event, _ in _events(world, EnrollmentInitiated, company.company_id)]
    assert [event.reinvitation for event in initiated] == [False, True]
    issued = [event for event, _ in _events(world, ActivationLinkIssued, company.company_id)]
    assert [event.purpose for event in issued] == [
        LinkPurpose.ENROLLMENT_INVITATION,
        LinkPurpose.ENROLLMENT_REINVITATION,
    ]
    assert issued[-1].activation_link != old_link
    assert issued[-1].inviting_agency_name == f"Agency {agency.code}"
    await world.activate(user.user_id)
