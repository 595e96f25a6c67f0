"""Company enrollment end to end over real gRPC (DESIGN §1 steps 2–3, §5 enrollment machine)."""

from __future__ import annotations

import grpc
import pyotp
import pytest
from enrollment_support import PASSWORD, AgencyHandle, World, company_admin, new_user, refused

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

Code = grpc.StatusCode
MANAGE = common_pb2.COMPANY_COMPLAINTS_PERMISSION_MANAGE
CONTACT = common_pb2.COMPANY_CONTACT_TYPE_SES_COMPLAINTS_CONTACT


async def _signed_in_first_user(
    world: World, agency: AgencyHandle
) -> tuple[pb.Company, pb.User, str]:
    """An invited company whose first user activated; returns (company, user, access token)."""
    company, user = await world.invited_company(agency)
    secret = await world.activate(user.user_id)
    session = await world.sign_in(user.email, secret)
    return company, user, session.tokens.access_token


def _bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def test_a_company_enrolls_from_invitation_to_account_administrator(world: World) -> None:
    agency = await world.create_agency()
    manager = world.md(agency.manager())
    company = await world.register_company(agency.manager())
    first = await world.first_user(agency, company.company_id)
    assert first.complaints_permission == MANAGE
    assert not first.account_administrator
    assert world.links_of(first.user_id) == []  # the invitation carries the link

    invited = await world.enrollment.InitiateEnrollment(
        pb.InitiateEnrollmentRequest(company_id=company.company_id, first_user_id=first.user_id),
        metadata=manager,
    )
    assert invited.enrollment.status == pb.ENROLLMENT_STATUS_INVITED
    assert invited.enrollment.initiating_agency_id == agency.agency_id
    assert list(invited.enrollment.missing_steps) == [
        pb.ENROLLMENT_STEP_ACTIVATE_ACCOUNT,
        pb.ENROLLMENT_STEP_ASSIGN_SES_COMPLAINTS_CONTACT,
        pb.ENROLLMENT_STEP_CONFIRM_COMPANY,
    ]

    secret = await world.activate(first.user_id)
    session = await world.sign_in(first.email, secret)
    me = _bearer(session.tokens.access_token)
    colleague = await world.enrollment.CreateCompanyUser(
        pb.CreateCompanyUserRequest(
            company_id=company.company_id,
            user=new_user(f"{world.unique('colleague')}@company.example"),
            complaints_permission=MANAGE,
        ),
        metadata=me,
    )
    assert world.link_of(colleague.user.user_id)
    await world.enrollment.AssignCompanyContact(
        pb.AssignCompanyContactRequest(
            company_id=company.company_id, contact_type=CONTACT, user_id=colleague.user.user_id
        ),
        metadata=me,
    )
    done = await world.enrollment.CompleteEnrollment(
        pb.CompleteEnrollmentRequest(company_id=company.company_id, company_confirmed=True),
        metadata=me,
    )

    assert done.enrollment.status == pb.ENROLLMENT_STATUS_ENROLLED
    assert not done.enrollment.missing_steps
    assert done.company.enrollment_status == pb.ENROLLMENT_STATUS_ENROLLED
    assert [c.user.user_id for c in done.company.contacts] == [colleague.user.user_id]
    users = await world.enrollment.ListUsers(pb.ListUsersRequest(), metadata=me)
    admins = [user.user_id for user in users.users if user.account_administrator]
    assert admins == [first.user_id]
    tasks = await world.enrollment.ListOutstandingTasks(
        pb.ListOutstandingTasksRequest(), metadata=me
    )
    kinds = [task.kind for task in tasks.tasks]
    assert pb.OUTSTANDING_TASK_KIND_ASSIGN_SES_COMPLAINTS_CONTACT not in kinds
    assert pb.OUTSTANDING_TASK_KIND_ADD_BACKUP_ACCOUNT_ADMINISTRATOR in kinds
    seen_by_agency = await world.enrollment.GetEnrollment(
        pb.GetEnrollmentRequest(company_id=company.company_id), metadata=manager
    )
    assert seen_by_agency.enrollment.completed_at.seconds > 0


async def test_agency_account_administrators_cannot_initiate_enrollment(world: World) -> None:
    agency = await world.create_agency()
    company = await world.register_company(agency.manager())
    first = await world.first_user(agency, company.company_id)
    for actor in (agency.admin, agency.viewer()):
        await refused(
            world.enrollment.InitiateEnrollment(
                pb.InitiateEnrollmentRequest(
                    company_id=company.company_id, first_user_id=first.user_id
                ),
                metadata=world.md(actor),
            ),
            Code.PERMISSION_DENIED,
            "missing_agency_role",
            says="Complaint Manager or Complaint Supervisor",
        )
    await refused(
        world.enrollment.CreateCompanyUser(
            pb.CreateCompanyUserRequest(
                company_id=company.company_id, user=new_user("x@company.example")
            ),
            metadata=world.md(agency.admin),
        ),
        Code.PERMISSION_DENIED,
        "missing_agency_role",
    )


async def test_initiating_needs_a_user_of_that_company(world: World) -> None:
    agency = await world.create_agency()
    company = await world.register_company(agency.manager())
    other = await world.register_company(agency.manager())
    stranger = await world.first_user(agency, other.company_id)
    for user_id, code in (("", Code.INVALID_ARGUMENT), (stranger.user_id, Code.NOT_FOUND)):
        await refused(
            world.enrollment.InitiateEnrollment(
                pb.InitiateEnrollmentRequest(company_id=company.company_id, first_user_id=user_id),
                metadata=world.md(agency.manager()),
            ),
            code,
        )
    await refused(
        world.enrollment.InitiateEnrollment(
            pb.InitiateEnrollmentRequest(company_id="SES-999998", first_user_id="u"),
            metadata=world.md(agency.manager()),
        ),
        Code.NOT_FOUND,
    )


async def test_an_unregistered_company_cannot_be_enrolled(world: World) -> None:
    agency = await world.create_agency()
    company = await world.register_company(
        agency.manager(), nmls_id="", kind=pb.COMPANY_KIND_UNREGISTERED, address=None
    )
    await refused(
        world.first_user(agency, company.company_id),
        Code.FAILED_PRECONDITION,
        "company_not_enrollable",
        says="cannot be enrolled",
    )


async def test_an_invited_company_is_not_invited_twice_and_an_enrolled_one_never_again(
    world: World,
) -> None:
    agency = await world.create_agency()
    company, user = await world.invited_company(agency)
    again = pb.InitiateEnrollmentRequest(company_id=company.company_id, first_user_id=user.user_id)
    await refused(
        world.enrollment.InitiateEnrollment(again, metadata=world.md(agency.manager())),
        Code.FAILED_PRECONDITION,
        "enrollment_in_progress",
        says="SendEnrollmentReminder",
    )
    enrolled, first, token = await _enroll(world, agency)
    await refused(
        world.enrollment.InitiateEnrollment(
            pb.InitiateEnrollmentRequest(company_id=enrolled.company_id, first_user_id=first),
            metadata=world.md(agency.manager("other")),
        ),
        Code.FAILED_PRECONDITION,
        "company_enrolled",
    )
    await refused(
        world.first_user(agency, enrolled.company_id),
        Code.FAILED_PRECONDITION,
        "company_enrolled",
        says="Account Administrators",
    )
    await refused(
        world.enrollment.CompleteEnrollment(
            pb.CompleteEnrollmentRequest(company_id=enrolled.company_id, company_confirmed=True),
            metadata=_bearer(token),
        ),
        Code.FAILED_PRECONDITION,
        "company_enrolled",
    )


async def _enroll(world: World, agency: AgencyHandle) -> tuple[pb.Company, str, str]:
    """A fully enrolled company: (company, first user id, first user's access token)."""
    company, user, token = await _signed_in_first_user(world, agency)
    await world.enrollment.AssignCompanyContact(
        pb.AssignCompanyContactRequest(
            company_id=company.company_id, contact_type=CONTACT, user_id=user.user_id
        ),
        metadata=_bearer(token),
    )
    await world.enrollment.CompleteEnrollment(
        pb.CompleteEnrollmentRequest(company_id=company.company_id, company_confirmed=True),
        metadata=_bearer(token),
    )
    return company, user.user_id, token


async def test_activation_checks_the_password_and_a_first_code(world: World) -> None:
    agency = await world.create_agency()
    _, user = await world.invited_company(agency)
    link = world.link_of(user.user_id)

    await refused(
        world.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=link, password="short")
        ),
        Code.INVALID_ARGUMENT,
        "password_too_weak",
        says="at least 12 characters",
    )
    await refused(
        world.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=link, password=PASSWORD, totp_code="123456")
        ),
        Code.FAILED_PRECONDITION,
        "authenticator_not_set_up",
    )
    first = await world.auth.ActivateAccount(
        pb.ActivateAccountRequest(activation_token=link, password=PASSWORD)
    )
    assert first.otpauth_uri.startswith("otpauth://totp/SES:")
    assert not first.activated
    assert first.totp_secret in first.otpauth_uri
    wrong = pyotp.TOTP(first.totp_secret).at(world.clock.now().timestamp() + 600)
    await refused(
        world.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=link, password=PASSWORD, totp_code=wrong)
        ),
        Code.INVALID_ARGUMENT,
        "totp_code_wrong",
        says="phone's clock",
    )
    await refused(
        world.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=link, password=PASSWORD, totp_code="12ab")
        ),
        Code.INVALID_ARGUMENT,
        "totp_code_malformed",
    )
    done = await world.auth.ActivateAccount(
        pb.ActivateAccountRequest(
            activation_token=link,
            password=PASSWORD,
            totp_code=pyotp.TOTP(first.totp_secret).at(world.clock.now()),
        )
    )
    assert done.activated
    assert done.user_id == user.user_id

    await refused(
        world.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=link, password=PASSWORD)
        ),
        Code.FAILED_PRECONDITION,
        "activation_link_used",
        says="sign in",
    )
    enrollment = await world.enrollment.GetEnrollment(
        pb.GetEnrollmentRequest(company_id=user.company_id), metadata=world.md(agency.manager())
    )
    assert pb.ENROLLMENT_STEP_ACTIVATE_ACCOUNT not in enrollment.enrollment.missing_steps


@pytest.mark.parametrize(
    "token", ["made-up-token", "http://127.0.0.1:8080/activate?token=nope", "   "]
)
async def test_an_unknown_activation_link_is_refused(world: World, token: str) -> None:
    error = await refused(
        world.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=token, password=PASSWORD)
        ),
        Code.INVALID_ARGUMENT,
    )
    assert "link" in error.details()


async def test_a_reminder_replaces_the_link(world: World) -> None:
    agency = await world.create_agency()
    company, user = await world.invited_company(agency)
    old = world.link_of(user.user_id)

    reminded = await world.enrollment.SendEnrollmentReminder(
        pb.SendEnrollmentReminderRequest(company_id=company.company_id),
        metadata=world.md(agency.manager("another")),
    )

    assert reminded.enrollment.reminders_sent == 1
    assert reminded.enrollment.last_reminder_at.seconds > 0
    assert world.link_of(user.user_id) != old
    await refused(
        world.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=old, password=PASSWORD)
        ),
        Code.FAILED_PRECONDITION,
        "activation_link_replaced",
        says="ask the agency",
    )
    await world.activate(user.user_id)


async def test_reminders_need_an_invitation(world: World) -> None:
    agency = await world.create_agency()
    company = await world.register_company(agency.manager())
    await refused(
        world.enrollment.SendEnrollmentReminder(
            pb.SendEnrollmentReminderRequest(company_id=company.company_id),
            metadata=world.md(agency.manager()),
        ),
        Code.FAILED_PRECONDITION,
        "enrollment_not_initiated",
    )
    await refused(
        world.enrollment.SendEnrollmentReminder(
            pb.SendEnrollmentReminderRequest(company_id=company.company_id),
            metadata=world.md(company_admin(company.company_id)),
        ),
        Code.PERMISSION_DENIED,
        "wrong_side",
    )


async def test_finishing_needs_the_contact_the_confirmation_and_the_first_user(
    world: World,
) -> None:
    agency = await world.create_agency()
    company, user, token = await _signed_in_first_user(world, agency)
    finish = pb.CompleteEnrollmentRequest(company_id=company.company_id, company_confirmed=True)

    await refused(
        world.enrollment.CompleteEnrollment(finish, metadata=_bearer(token)),
        Code.FAILED_PRECONDITION,
        "complaints_contact_required",
        says="SES Complaints Contact",
    )
    await world.enrollment.AssignCompanyContact(
        pb.AssignCompanyContactRequest(contact_type=CONTACT, user_id=user.user_id),
        metadata=_bearer(token),
    )
    await refused(
        world.enrollment.CompleteEnrollment(
            pb.CompleteEnrollmentRequest(company_id=company.company_id), metadata=_bearer(token)
        ),
        Code.INVALID_ARGUMENT,
        "company_not_confirmed",
    )
    impostor = company_admin(company.company_id, "u-impostor")
    await refused(
        world.enrollment.CompleteEnrollment(finish, metadata=world.md(impostor)),
        Code.PERMISSION_DENIED,
        "not_first_user",
        says="Fay First",
    )
    await refused(
        world.enrollment.CompleteEnrollment(finish, metadata=world.md(agency.manager())),
        Code.PERMISSION_DENIED,
        "wrong_side",
    )
    other = await world.register_company(agency.manager())
    await refused(
        world.enrollment.CompleteEnrollment(
            pb.CompleteEnrollmentRequest(company_id=other.company_id, company_confirmed=True),
            metadata=_bearer(token),
        ),
        Code.NOT_FOUND,
    )
    done = await world.enrollment.CompleteEnrollment(finish, metadata=_bearer(token))
    assert done.enrollment.status == pb.ENROLLMENT_STATUS_ENROLLED


async def test_the_contact_must_hold_manage_complaints(world: World) -> None:
    agency = await world.create_agency()
    company, _, token = await _signed_in_first_user(world, agency)
    viewer = await world.enrollment.CreateCompanyUser(
        pb.CreateCompanyUserRequest(
            company_id=company.company_id,
            user=new_user(f"{world.unique('viewer')}@company.example"),
            complaints_permission=common_pb2.COMPANY_COMPLAINTS_PERMISSION_VIEW,
        ),
        metadata=_bearer(token),
    )
    for request, code, reason in (
        (
            pb.AssignCompanyContactRequest(contact_type=CONTACT, user_id=viewer.user.user_id),
            Code.FAILED_PRECONDITION,
            "contact_needs_manage",
        ),
        (
            pb.AssignCompanyContactRequest(user_id=viewer.user.user_id),
            Code.INVALID_ARGUMENT,
            "contact_type_required",
        ),
        (
            pb.AssignCompanyContactRequest(contact_type=CONTACT, user_id="no-such-user"),
            Code.NOT_FOUND,
            "user_not_found",
        ),
    ):
        await refused(
            world.enrollment.AssignCompanyContact(request, metadata=_bearer(token)), code, reason
        )


async def test_a_first_user_needs_a_valid_email_and_a_known_company(world: World) -> None:
    agency = await world.create_agency()
    company = await world.register_company(agency.manager())
    for company_id, email, code, reason in (
        (company.company_id, "first at company", Code.INVALID_ARGUMENT, "email_invalid"),
        ("SES-999997", "first@company.example", Code.NOT_FOUND, None),
        ("company-7", "first@company.example", Code.INVALID_ARGUMENT, "company_id_invalid"),
    ):
        await refused(
            world.enrollment.CreateCompanyUser(
                pb.CreateCompanyUserRequest(company_id=company_id, user=new_user(email)),
                metadata=world.md(agency.manager()),
            ),
            code,
            reason,
        )


async def test_an_invited_first_user_is_reminded_by_the_agency_not_sent_a_new_link(
    world: World,
) -> None:
    agency = await world.create_agency()
    company, user = await world.invited_company(agency)
    await refused(
        world.enrollment.ResendActivationLink(
            pb.ResendActivationLinkRequest(user_id=user.user_id),
            metadata=world.md(company_admin(company.company_id)),
        ),
        Code.FAILED_PRECONDITION,
        "first_user_reinvite",
        says="SendEnrollmentReminder",
    )
