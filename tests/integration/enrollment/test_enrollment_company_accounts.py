"""A company's account after enrollment over real gRPC: administrators, permissions, contacts."""

from __future__ import annotations

import grpc
import pytest
from enrollment_support import AgencyHandle, World, new_user, refused

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.identity import Actor, ComplaintsPermission

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

Code = grpc.StatusCode
MANAGE = common_pb2.COMPANY_COMPLAINTS_PERMISSION_MANAGE
VIEW = common_pb2.COMPANY_COMPLAINTS_PERMISSION_VIEW
CONTACT = common_pb2.COMPANY_CONTACT_TYPE_SES_COMPLAINTS_CONTACT


class Company:
    """An enrolled company whose first user (its only activated administrator) acts."""

    def __init__(self, world: World, company_id: str, admin_id: str, token: str) -> None:
        self.world, self.company_id, self.admin_id = world, company_id, admin_id
        self.md = (("authorization", f"Bearer {token}"),)

    async def add_user(
        self, permission: int = MANAGE, *, admin: bool = False, activate: bool = False
    ) -> pb.User:
        created = await self.world.enrollment.CreateCompanyUser(
            pb.CreateCompanyUserRequest(
                company_id=self.company_id,
                user=new_user(f"{self.world.unique('staff')}@company.example"),
                complaints_permission=permission,
                account_administrator=admin,
            ),
            metadata=self.md,
        )
        if activate:
            await self.world.activate(created.user.user_id)
        return created.user

    def roles(self, user_id: str, **fields: object) -> pb.UpdateUserRolesRequest:
        return pb.UpdateUserRolesRequest(user_id=user_id, **fields)


async def enrolled(world: World, agency: AgencyHandle) -> Company:
    company, user = await world.invited_company(agency)
    secret = await world.activate(user.user_id)
    session = await world.sign_in(user.email, secret)
    handle = Company(world, company.company_id, user.user_id, session.tokens.access_token)
    await world.enrollment.AssignCompanyContact(
        pb.AssignCompanyContactRequest(contact_type=CONTACT, user_id=user.user_id),
        metadata=handle.md,
    )
    await world.enrollment.CompleteEnrollment(
        pb.CompleteEnrollmentRequest(company_id=company.company_id, company_confirmed=True),
        metadata=handle.md,
    )
    return handle


@pytest.fixture(scope="module")
def agency_cache() -> dict[str, AgencyHandle]:
    return {}


async def agency_of(world: World, cache: dict[str, AgencyHandle]) -> AgencyHandle:
    if "agency" not in cache:
        cache["agency"] = await world.create_agency()
    return cache["agency"]


async def test_a_company_has_at_most_three_account_administrators(
    world: World, agency_cache: dict[str, AgencyHandle]
) -> None:
    company = await enrolled(world, await agency_of(world, agency_cache))
    await company.add_user(admin=True)
    await company.add_user(admin=True)

    await refused(
        company.add_user(admin=True),
        Code.FAILED_PRECONDITION,
        "too_many_account_admins",
        says="the most it may have",
    )
    plain = await company.add_user()
    await refused(
        world.enrollment.UpdateUserRoles(
            company.roles(plain.user_id, account_administrator=True), metadata=company.md
        ),
        Code.FAILED_PRECONDITION,
        "too_many_account_admins",
    )


async def test_the_last_account_administrator_cannot_be_removed(
    world: World, agency_cache: dict[str, AgencyHandle]
) -> None:
    company = await enrolled(world, await agency_of(world, agency_cache))
    backup = await company.add_user(admin=True)

    await refused(
        world.enrollment.UpdateUserRoles(
            company.roles(company.admin_id, account_administrator=False), metadata=company.md
        ),
        Code.FAILED_PRECONDITION,
        "last_account_admin",
        says="has activated",
    )
    await world.activate(backup.user_id)
    demoted = await world.enrollment.UpdateUserRoles(
        company.roles(company.admin_id, account_administrator=False), metadata=company.md
    )
    assert not demoted.user.account_administrator


async def test_the_complaints_contact_keeps_manage_and_is_not_deactivated(
    world: World, agency_cache: dict[str, AgencyHandle]
) -> None:
    company = await enrolled(world, await agency_of(world, agency_cache))
    contact = await company.add_user(MANAGE)
    await world.enrollment.AssignCompanyContact(
        pb.AssignCompanyContactRequest(contact_type=CONTACT, user_id=contact.user_id),
        metadata=company.md,
    )
    await refused(
        world.enrollment.UpdateUserRoles(
            company.roles(contact.user_id, complaints_permission=VIEW), metadata=company.md
        ),
        Code.FAILED_PRECONDITION,
        "complaints_contact_needs_manage",
    )
    await refused(
        world.enrollment.DeactivateUser(
            pb.DeactivateUserRequest(user_id=contact.user_id), metadata=company.md
        ),
        Code.FAILED_PRECONDITION,
        "complaints_contact_deactivation",
        says="assign another contact",
    )
    viewer = await company.add_user(VIEW)
    changed = await world.enrollment.UpdateUserRoles(
        company.roles(viewer.user_id, complaints_permission=MANAGE), metadata=company.md
    )
    assert changed.user.complaints_permission == MANAGE
    gone = await world.enrollment.DeactivateUser(
        pb.DeactivateUserRequest(user_id=viewer.user_id, reason="left"), metadata=company.md
    )
    assert gone.user.status == pb.USER_STATUS_DEACTIVATED
    listed = await world.enrollment.ListUsers(pb.ListUsersRequest(), metadata=company.md)
    assert viewer.user_id not in [user.user_id for user in listed.users]
    everyone = await world.enrollment.ListUsers(
        pb.ListUsersRequest(include_deactivated=True), metadata=company.md
    )
    assert viewer.user_id in [user.user_id for user in everyone.users]


async def test_company_users_without_the_designation_manage_nothing(
    world: World, agency_cache: dict[str, AgencyHandle]
) -> None:
    company = await enrolled(world, await agency_of(world, agency_cache))
    member = Actor.company_user("u-member", company.company_id, ComplaintsPermission.MANAGE)
    request = pb.CreateCompanyUserRequest(
        company_id=company.company_id, user=new_user("m@company.example")
    )
    await refused(
        world.enrollment.CreateCompanyUser(request, metadata=world.md(member)),
        Code.PERMISSION_DENIED,
        "not_account_admin",
        says="Account Administrator",
    )
    listed = await world.enrollment.ListUsers(pb.ListUsersRequest(), metadata=world.md(member))
    assert listed.users


async def test_another_companys_users_are_not_found(
    world: World, agency_cache: dict[str, AgencyHandle]
) -> None:
    agency = await agency_of(world, agency_cache)
    company, other = await enrolled(world, agency), await enrolled(world, agency)
    for call in (
        world.enrollment.UpdateUserRoles(
            company.roles(other.admin_id, complaints_permission=VIEW), metadata=company.md
        ),
        world.enrollment.DeactivateUser(
            pb.DeactivateUserRequest(user_id=other.admin_id), metadata=company.md
        ),
        world.enrollment.UnlockUser(
            pb.UnlockUserRequest(user_id=other.admin_id), metadata=company.md
        ),
    ):
        await refused(call, Code.NOT_FOUND, "user_not_found", says="for your company")
    for call in (
        world.enrollment.ListUsers(
            pb.ListUsersRequest(company_id=other.company_id), metadata=company.md
        ),
        world.enrollment.ListOutstandingTasks(
            pb.ListOutstandingTasksRequest(company_id=other.company_id), metadata=company.md
        ),
        world.enrollment.GetEnrollment(
            pb.GetEnrollmentRequest(company_id=other.company_id), metadata=company.md
        ),
    ):
        await refused(call, Code.NOT_FOUND)


async def test_agency_users_do_not_manage_company_accounts(
    world: World, agency_cache: dict[str, AgencyHandle]
) -> None:
    agency = await agency_of(world, agency_cache)
    company = await enrolled(world, agency)
    manager = world.md(agency.manager())
    await refused(
        world.enrollment.UpdateUserRoles(
            company.roles(company.admin_id, complaints_permission=VIEW), metadata=manager
        ),
        Code.PERMISSION_DENIED,
        "wrong_side",
    )
    await refused(
        world.enrollment.AssignCompanyContact(
            pb.AssignCompanyContactRequest(
                company_id=company.company_id, contact_type=CONTACT, user_id=company.admin_id
            ),
            metadata=manager,
        ),
        Code.PERMISSION_DENIED,
        "wrong_side",
    )
    listed = await world.enrollment.ListUsers(
        pb.ListUsersRequest(company_id=company.company_id), metadata=manager
    )
    assert company.admin_id in [user.user_id for user in listed.users]
    await refused(
        world.enrollment.ListUsers(
            pb.ListUsersRequest(company_id=company.company_id), metadata=world.md(agency.viewer())
        ),
        Code.PERMISSION_DENIED,
    )


async def test_outstanding_tasks_shrink_as_the_company_sets_up(
    world: World, agency_cache: dict[str, AgencyHandle]
) -> None:
    company = await enrolled(world, await agency_of(world, agency_cache))

    async def kinds() -> list[int]:
        listed = await world.enrollment.ListOutstandingTasks(
            pb.ListOutstandingTasksRequest(company_id=company.company_id), metadata=company.md
        )
        assert all(task.description for task in listed.tasks)
        return [task.kind for task in listed.tasks]

    assert await kinds() == [
        pb.OUTSTANDING_TASK_KIND_ADD_BACKUP_ACCOUNT_ADMINISTRATOR,
        pb.OUTSTANDING_TASK_KIND_ADD_COMPLAINTS_USERS,
        pb.OUTSTANDING_TASK_KIND_SET_NOTIFICATION_ADDRESSES,
        pb.OUTSTANDING_TASK_KIND_REVIEW_NMLS_CONTACTS,  # registered without NMLS contacts
    ]
    await company.add_user(MANAGE, admin=True)
    updated = await world.enrollment.UpdateNotificationAddresses(
        pb.UpdateNotificationAddressesRequest(
            addresses=["complaints@company.example", "COMPLAINTS@company.example"]
        ),
        metadata=company.md,
    )
    assert list(updated.company.notification_addresses) == ["complaints@company.example"]
    assert await kinds() == [pb.OUTSTANDING_TASK_KIND_REVIEW_NMLS_CONTACTS]
    await refused(
        world.enrollment.UpdateNotificationAddresses(
            pb.UpdateNotificationAddressesRequest(addresses=["not an address"]),
            metadata=company.md,
        ),
        Code.INVALID_ARGUMENT,
        "email_invalid",
    )


async def test_a_pending_company_user_gets_a_new_link_from_an_administrator(
    world: World, agency_cache: dict[str, AgencyHandle]
) -> None:
    company = await enrolled(world, await agency_of(world, agency_cache))
    pending = await company.add_user(VIEW)
    first_link = world.link_of(pending.user_id)

    await world.enrollment.ResendActivationLink(
        pb.ResendActivationLinkRequest(user_id=pending.user_id), metadata=company.md
    )

    assert world.link_of(pending.user_id) != first_link
    await world.activate(pending.user_id)
