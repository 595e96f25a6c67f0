"""Pagers walk every page of a list (Google AIP-158), fetching each only when needed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sdk_support import DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL, Recorder, ThreadedHost

from ses_sdk import SesClient
from ses_sdk.common import AgencyRole
from ses_sdk.enrollment import NewUser

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def agency_emails(ses: ThreadedHost) -> Iterator[list[str]]:
    """The demo agency's users, three more created for the test: five in all."""
    with ses.signed_in(DEMO_ADMIN_EMAIL) as admin:
        for index in range(3):
            admin.enrollment.create_agency_user(
                user=NewUser(
                    email=f"paged-{index}-{uuid.uuid4().hex[:6]}@demo-agency.example",
                    given_name="Page",
                    family_name=f"User {index}",
                ),
                roles=[AgencyRole.COMPLAINT_VIEWER],
            )
        everyone = admin.enrollment.list_users(page_size=100)
        assert not everyone.next_page_token
        yield [user.email for user in everyone.users]


@pytest.fixture(scope="module")
def recorded(ses: ThreadedHost) -> Iterator[tuple[SesClient, Recorder]]:
    recorder = Recorder()
    with ses.signed_in(DEMO_MANAGER_EMAIL, interceptors=[recorder]) as client:
        yield client, recorder


def test_the_pager_yields_every_item_over_three_pages(
    recorded: tuple[SesClient, Recorder], agency_emails: list[str]
) -> None:
    client, recorder = recorded
    before = len(recorder.of("ListUsers"))

    emails = [user.email for user in client.enrollment.iter_users(page_size=2)]

    assert len(agency_emails) == 5
    assert emails == agency_emails
    assert len(recorder.of("ListUsers")) - before == 3


def test_pages_are_fetched_only_as_the_loop_reaches_them(
    recorded: tuple[SesClient, Recorder], agency_emails: list[str]
) -> None:
    client, recorder = recorded
    before = len(recorder.of("ListUsers"))

    users = client.enrollment.iter_users(page_size=2)
    assert len(recorder.of("ListUsers")) == before
    first, second, third = next(users), next(users), next(users)

    assert [first.email, second.email, third.email] == agency_emails[:3]
    assert len(recorder.of("ListUsers")) - before == 2


async def test_the_async_pager_yields_the_same_items(
    ses: ThreadedHost, recorded: tuple[SesClient, Recorder], agency_emails: list[str]
) -> None:
    session = recorded[0].session
    assert session is not None
    # The signed-in manager's token, handed to another client as a token from elsewhere.
    async with ses.async_client(token=session.access_token) as client:
        emails = [user.email async for user in client.enrollment.iter_users(page_size=2)]
    assert emails == agency_emails
