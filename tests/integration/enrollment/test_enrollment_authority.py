"""The enrollment service states every user's authority: in its own directory, at once, and
to the other services (``UserAuthorityChanged`` in the outbox), in the same transaction."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io

import pytest
from enrollment_support import World, company_admin, new_user

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.accounts import UserAuthority, UserAuthorityChanged
from ses_core.identity import AgencyRole, ComplaintsPermission, Identity, Side
from ses_core.platform.authority import find_authority, user_authority_table
from ses_core.platform.db import outbox_table
from ses_core.platform.messaging import ProtobufEventCodec
from ses_enrollment.cli import AuthorityCommand

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

CODEC = ProtobufEventCodec()
MANAGER = common_pb2.AGENCY_ROLE_COMPLAINT_MANAGER
VIEWER = common_pb2.AGENCY_ROLE_COMPLAINT_VIEWER


def statements(world: World, user_id: str) -> list[UserAuthorityChanged]:
    with world.engine.connect() as connection:
        rows = connection.execute(
            outbox_table.select()
            .where(outbox_table.c.subject == UserAuthorityChanged.subject())
            .order_by(outbox_table.c.seq)
        ).all()
    decoded = [CODEC.decode(UserAuthorityChanged, bytes(row.payload)) for row in rows]
    return [statement for statement in decoded if statement.user_id == user_id]


def stored(world: World, user_id: str) -> UserAuthority | None:
    with world.engine.connect() as connection:
        return find_authority(connection, Identity(user_id=user_id))


async def test_each_change_of_an_agency_user_is_stated_with_a_new_version(world: World) -> None:
    agency = await world.create_agency()
    email = f"{world.unique('stated')}@agency.example"
    created = (
        await world.enrollment.CreateAgencyUser(
            pb.CreateAgencyUserRequest(user=new_user(email), roles=[MANAGER]),
            metadata=world.md(agency.admin),
        )
    ).user
    await world.enrollment.UpdateUserRoles(
        pb.UpdateUserRolesRequest(user_id=created.user_id, agency_roles=[VIEWER]),
        metadata=world.md(agency.admin),
    )
    await world.enrollment.DeactivateUser(
        pb.DeactivateUserRequest(user_id=created.user_id), metadata=world.md(agency.admin)
    )

    said = statements(world, created.user_id)
    assert [(s.version, s.agency_roles, s.active) for s in said] == [
        (1, [AgencyRole.COMPLAINT_MANAGER], True),
        (2, [AgencyRole.COMPLAINT_VIEWER], True),
        (3, [AgencyRole.COMPLAINT_VIEWER], False),
    ]
    last = said[-1]
    assert (last.side, last.agency_id, last.tenant_id, last.email) == (
        Side.AGENCY,
        agency.agency_id,
        agency.agency_id,
        email,
    )
    assert stored(world, created.user_id) == UserAuthority.stated_by(last)


async def test_a_contact_change_restates_the_new_and_the_previous_contact(world: World) -> None:
    agency = await world.create_agency()
    company, first = await world.invited_company(agency)
    company_id = company.company_id
    await world.activate(first.user_id)
    # Activation makes the first user an acting Account Administrator: stated at once.
    assert stored(world, first.user_id).account_admin  # type: ignore[union-attr]
    admin = company_admin(company_id, first.user_id)
    colleagues = []
    for _ in range(2):
        response = await world.enrollment.CreateCompanyUser(
            pb.CreateCompanyUserRequest(
                company_id=company_id,
                user=new_user(f"{world.unique('c')}@company.example"),
                complaints_permission=common_pb2.COMPANY_COMPLAINTS_PERMISSION_MANAGE,
            ),
            metadata=world.md(admin),
        )
        colleagues.append(response.user.user_id)

    for contact in colleagues:
        await world.enrollment.AssignCompanyContact(
            pb.AssignCompanyContactRequest(
                company_id=company_id,
                contact_type=common_pb2.COMPANY_CONTACT_TYPE_SES_COMPLAINTS_CONTACT,
                user_id=contact,
            ),
            metadata=world.md(admin),
        )

    previous, current = (stored(world, user_id) for user_id in colleagues)
    assert previous is not None
    assert current is not None
    assert (previous.complaints_contact, current.complaints_contact) == (False, True)
    assert [s.complaints_contact for s in statements(world, colleagues[0])] == [False, True, False]
    assert current.complaints_permission is ComplaintsPermission.MANAGE
    assert (current.side, current.organization_id) == (Side.COMPANY, company_id)


def restate(world: World, *argv: str) -> tuple[int, str]:
    command = AuthorityCommand()
    parser = argparse.ArgumentParser()
    command.configure(parser)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = command.run(parser.parse_args(["restate", *argv]), world.settings)
    return status, out.getvalue()


async def test_ses_authority_restate_states_users_without_a_row_or_everyone(world: World) -> None:
    agency = await world.create_agency()
    with world.engine.begin() as connection:
        connection.execute(
            user_authority_table.delete().where(user_authority_table.c.user_id == agency.admin_id)
        )
    assert stored(world, agency.admin_id) is None

    status, out = await asyncio.to_thread(restate, world)

    assert (status, out) == (0, f"Stated the authority of 1 user(s); {_PUBLISHED}\n")
    again = stored(world, agency.admin_id)
    assert again is not None
    assert again.agency_role is AgencyRole.AGENCY_ACCOUNT_ADMIN
    assert statements(world, agency.admin_id)[-1].version == again.version

    status, out = await asyncio.to_thread(restate, world, "--all")
    assert status == 0
    assert int(out.split()[4]) >= 2
    assert stored(world, agency.admin_id).version == again.version + 1  # type: ignore[union-attr]


_PUBLISHED = "the enrollment service publishes it."
