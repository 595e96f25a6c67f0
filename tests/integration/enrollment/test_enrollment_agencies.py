"""Agencies and agency users over real gRPC: CreateAgency, CreateAgencyUser, roles, deactivation."""

from __future__ import annotations

import grpc
import pytest
from enrollment_support import OPERATOR, PASSWORD, World, company_admin, new_user, refused

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.identity import Actor, AgencyRole

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

Code = grpc.StatusCode
MANAGER_ROLE = common_pb2.AGENCY_ROLE_COMPLAINT_MANAGER


async def test_an_operator_creates_an_agency_whose_administrator_is_sent_a_link(
    world: World,
) -> None:
    agency = await world.create_agency()

    link = world.link_of(agency.admin_id)
    assert link.startswith("http://127.0.0.1:8080/activate?token=")
    users = await world.enrollment.ListUsers(pb.ListUsersRequest(), metadata=world.md(agency.admin))
    (admin,) = users.users
    assert admin.email == agency.admin_email
    assert list(admin.agency_roles) == [common_pb2.AGENCY_ROLE_ACCOUNT_ADMINISTRATOR]
    assert admin.status == pb.USER_STATUS_PENDING_ACTIVATION


async def test_the_new_administrator_activates_and_signs_in(world: World) -> None:
    agency = await world.create_agency()
    secret = await world.activate(agency.admin_id)

    signed_in = await world.sign_in(agency.admin_email, secret)

    assert signed_in.user.status == pb.USER_STATUS_ACTIVE
    assert signed_in.user.agency_id == agency.agency_id
    assert signed_in.tokens.access_token
    assert signed_in.tokens.refresh_token


async def test_an_agency_code_is_taken_once(world: World) -> None:
    agency = await world.create_agency()
    request = pb.CreateAgencyRequest(
        code=agency.code.lower(),
        name="Another",
        state_code="NY",
        first_administrator=new_user(f"other.{agency.code.lower()}@agency.example"),
    )
    await refused(
        world.enrollment.CreateAgency(request, metadata=world.md(OPERATOR)),
        Code.ALREADY_EXISTS,
        "agency_code_taken",
        says="choose another code",
    )


@pytest.mark.parametrize(
    ("request_fields", "reason"),
    [
        ({"code": "1BAD", "state_code": "NY"}, "agency_code_invalid"),
        ({"code": "T-BADSTATE", "state_code": "XX"}, "state_code_invalid"),
        ({"code": "T-NOADMIN", "state_code": "NY", "admin": None}, "user_required"),
        ({"code": "T-BADMAIL", "state_code": "NY", "admin": "not-an-address"}, "email_invalid"),
    ],
)
async def test_an_agency_needs_valid_details(
    world: World, request_fields: dict[str, str | None], reason: str
) -> None:
    admin = request_fields.get("admin", "ok@agency.example")
    request = pb.CreateAgencyRequest(
        code=str(request_fields["code"]), name="Agency", state_code=request_fields["state_code"]
    )
    if admin is not None:
        request.first_administrator.CopyFrom(new_user(admin))
    await refused(
        world.enrollment.CreateAgency(request, metadata=world.md(OPERATOR)),
        Code.INVALID_ARGUMENT,
        reason,
    )


@pytest.mark.parametrize(
    "actor",
    [
        Actor.agency_user("u-1", "agency-x", AgencyRole.AGENCY_ACCOUNT_ADMIN),
        company_admin("SES-000001"),
    ],
    ids=["agency admin", "company admin"],
)
async def test_only_platform_operators_create_agencies(world: World, actor: Actor) -> None:
    request = pb.CreateAgencyRequest(
        code="T-NOPE", name="Nope", state_code="NY", first_administrator=new_user("n@a.example")
    )
    await refused(
        world.enrollment.CreateAgency(request, metadata=world.md(actor)),
        Code.PERMISSION_DENIED,
        "wrong_side",
        says="only platform operators",
    )


async def test_an_agency_administrator_creates_a_user_with_one_role(world: World) -> None:
    agency = await world.create_agency()
    email = f"{world.unique('mgr')}@agency.example"

    response = await world.enrollment.CreateAgencyUser(
        pb.CreateAgencyUserRequest(user=new_user(email, "Max", "Manager"), roles=[MANAGER_ROLE]),
        metadata=world.md(agency.admin),
    )

    assert list(response.user.agency_roles) == [MANAGER_ROLE]
    assert response.user.agency_id == agency.agency_id
    secret = await world.activate(response.user.user_id)
    signed_in = await world.sign_in(email, secret)
    assert list(signed_in.user.agency_roles) == [MANAGER_ROLE]


async def test_an_agency_user_holds_exactly_one_role(world: World) -> None:
    agency = await world.create_agency()
    for roles in ([], [MANAGER_ROLE, common_pb2.AGENCY_ROLE_ACCOUNT_ADMINISTRATOR]):
        request = pb.CreateAgencyUserRequest(user=new_user("two@agency.example"), roles=roles)
        await refused(
            world.enrollment.CreateAgencyUser(request, metadata=world.md(agency.admin)),
            Code.INVALID_ARGUMENT,
            "one_agency_role",
            says="exactly one role",
        )


async def test_an_unknown_role_number_is_refused(world: World) -> None:
    agency = await world.create_agency()
    request = pb.CreateAgencyUserRequest(user=new_user("odd@agency.example"), roles=[42])
    await refused(
        world.enrollment.CreateAgencyUser(request, metadata=world.md(agency.admin)),
        Code.INVALID_ARGUMENT,
        "role_unknown",
    )


async def test_an_email_names_one_account_across_ses(world: World) -> None:
    agency = await world.create_agency()
    other = await world.create_agency()
    request = pb.CreateAgencyUserRequest(
        user=new_user(other.admin_email.upper()), roles=[MANAGER_ROLE]
    )
    await refused(
        world.enrollment.CreateAgencyUser(request, metadata=world.md(agency.admin)),
        Code.ALREADY_EXISTS,
        "email_taken",
        says="use another address",
    )


async def test_complaint_managers_do_not_manage_agency_users(world: World) -> None:
    agency = await world.create_agency()
    request = pb.CreateAgencyUserRequest(user=new_user("x@agency.example"), roles=[MANAGER_ROLE])
    await refused(
        world.enrollment.CreateAgencyUser(request, metadata=world.md(agency.manager())),
        Code.PERMISSION_DENIED,
        "missing_agency_role",
        says="Agency Account Administrator",
    )
    await refused(
        world.enrollment.CreateAgencyUser(request, metadata=world.md(company_admin("SES-000001"))),
        Code.PERMISSION_DENIED,
        "wrong_side",
    )


async def test_a_retried_create_with_the_same_idempotency_key_creates_one_user(
    world: World,
) -> None:
    agency = await world.create_agency()
    request = pb.CreateAgencyUserRequest(
        user=new_user(f"{world.unique('idem')}@agency.example"), roles=[MANAGER_ROLE]
    )
    metadata = world.md(agency.admin, key="create-user-once")

    first = await world.enrollment.CreateAgencyUser(request, metadata=metadata)
    call = world.enrollment.CreateAgencyUser(request, metadata=metadata)
    second = await call

    assert second.user.user_id == first.user.user_id
    assert ("ses-idempotent-replay", "true") in tuple(await call.trailing_metadata())
    listed = await world.enrollment.ListUsers(
        pb.ListUsersRequest(), metadata=world.md(agency.admin)
    )
    assert len(listed.users) == 2


async def test_agency_users_are_listed_by_email_a_page_at_a_time(world: World) -> None:
    agency = await world.create_agency()
    for name in ("carol", "bob", "alice"):
        await world.enrollment.CreateAgencyUser(
            pb.CreateAgencyUserRequest(
                user=new_user(f"{name}.{agency.code.lower()}@agency.example"), roles=[MANAGER_ROLE]
            ),
            metadata=world.md(agency.admin),
        )
    seen: list[str] = []
    page_token = ""
    while True:
        page = await world.enrollment.ListUsers(
            pb.ListUsersRequest(page_size=2, page_token=page_token),
            metadata=world.md(agency.manager()),
        )
        seen.extend(user.email for user in page.users)
        page_token = page.next_page_token
        if not page_token:
            break
    assert seen == sorted(seen)
    assert len(seen) == 4
    assert seen[0].startswith("admin.")


async def test_another_agencys_users_are_not_found(world: World) -> None:
    agency, other = await world.create_agency(), await world.create_agency()
    await refused(
        world.enrollment.ListUsers(
            pb.ListUsersRequest(agency_id=other.agency_id), metadata=world.md(agency.admin)
        ),
        Code.NOT_FOUND,
    )
    change = pb.UpdateUserRolesRequest(user_id=other.admin_id, agency_roles=[MANAGER_ROLE])
    error = await refused(
        world.enrollment.UpdateUserRoles(change, metadata=world.md(agency.admin)),
        Code.NOT_FOUND,
        "user_not_found",
    )
    unknown = await refused(
        world.enrollment.UpdateUserRoles(
            pb.UpdateUserRolesRequest(user_id="no-such-user", agency_roles=[MANAGER_ROLE]),
            metadata=world.md(agency.admin),
        ),
        Code.NOT_FOUND,
    )
    assert error.details().replace(other.admin_id, "X") == unknown.details().replace(
        "no-such-user", "X"
    )


async def test_an_administrator_changes_a_users_role(world: World) -> None:
    agency = await world.create_agency()
    created = await world.enrollment.CreateAgencyUser(
        pb.CreateAgencyUserRequest(
            user=new_user(f"{world.unique('role')}@agency.example"), roles=[MANAGER_ROLE]
        ),
        metadata=world.md(agency.admin),
    )
    changed = await world.enrollment.UpdateUserRoles(
        pb.UpdateUserRolesRequest(
            user_id=created.user.user_id, agency_roles=[common_pb2.AGENCY_ROLE_COMPLAINT_VIEWER]
        ),
        metadata=world.md(agency.admin),
    )
    assert list(changed.user.agency_roles) == [common_pb2.AGENCY_ROLE_COMPLAINT_VIEWER]
    await refused(
        world.enrollment.UpdateUserRoles(
            pb.UpdateUserRolesRequest(user_id=agency.admin_id, agency_roles=[MANAGER_ROLE]),
            metadata=world.md(agency.admin),
        ),
        Code.FAILED_PRECONDITION,
        "self_change_refused",
        says="another Agency Account Administrator",
    )
    await refused(
        world.enrollment.UpdateUserRoles(
            pb.UpdateUserRolesRequest(
                user_id=created.user.user_id,
                complaints_permission=common_pb2.COMPANY_COMPLAINTS_PERMISSION_VIEW,
            ),
            metadata=world.md(agency.admin),
        ),
        Code.INVALID_ARGUMENT,
        "company_fields_for_agency_user",
    )


async def test_a_deactivated_user_can_no_longer_sign_in_or_refresh(world: World) -> None:
    agency = await world.create_agency()
    email = f"{world.unique('leaver')}@agency.example"
    created = await world.enrollment.CreateAgencyUser(
        pb.CreateAgencyUserRequest(user=new_user(email), roles=[MANAGER_ROLE]),
        metadata=world.md(agency.admin),
    )
    secret = await world.activate(created.user.user_id)
    session = await world.sign_in(email, secret)

    deactivated = await world.enrollment.DeactivateUser(
        pb.DeactivateUserRequest(user_id=created.user.user_id, reason="left the agency"),
        metadata=world.md(agency.admin),
    )

    assert deactivated.user.status == pb.USER_STATUS_DEACTIVATED
    await refused(world.sign_in(email, secret), Code.UNAUTHENTICATED, "account_deactivated")
    # The access token issued before is refused at once: this service is the directory.
    held = (("authorization", f"Bearer {session.tokens.access_token}"),)
    await refused(
        world.enrollment.SearchCompanies(pb.SearchCompaniesRequest(query="LLC"), metadata=held),
        Code.UNAUTHENTICATED,
        "account_deactivated",
    )
    await refused(
        world.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=session.tokens.refresh_token)),
        Code.UNAUTHENTICATED,
        "refresh_token_revoked",
    )
    await refused(
        world.enrollment.DeactivateUser(
            pb.DeactivateUserRequest(user_id=created.user.user_id),
            metadata=world.md(agency.admin),
        ),
        Code.FAILED_PRECONDITION,
        "user_deactivated",
    )


async def test_a_pending_user_is_sent_a_fresh_link_and_the_old_one_stops_working(
    world: World,
) -> None:
    agency = await world.create_agency()
    old_link = world.link_of(agency.admin_id)
    other_admin = await world.enrollment.CreateAgencyUser(
        pb.CreateAgencyUserRequest(
            user=new_user(f"{world.unique('admin2')}@agency.example"),
            roles=[common_pb2.AGENCY_ROLE_ACCOUNT_ADMINISTRATOR],
        ),
        metadata=world.md(agency.admin),
    )
    other = Actor.agency_user(
        other_admin.user.user_id, agency.agency_id, AgencyRole.AGENCY_ACCOUNT_ADMIN
    )

    sent = await world.enrollment.ResendActivationLink(
        pb.ResendActivationLinkRequest(user_id=agency.admin_id), metadata=world.md(other)
    )

    assert sent.activation_expires_at.seconds > 0
    new_link = world.link_of(agency.admin_id)
    assert new_link != old_link
    await refused(
        world.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=old_link, password=PASSWORD)
        ),
        Code.FAILED_PRECONDITION,
        "activation_link_replaced",
        says="most recent",
    )
    await world.activate(agency.admin_id)
    await refused(
        world.enrollment.ResendActivationLink(
            pb.ResendActivationLinkRequest(user_id=agency.admin_id), metadata=world.md(other)
        ),
        Code.FAILED_PRECONDITION,
        "already_activated",
    )
