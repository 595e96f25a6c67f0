"""The REQUIRED marks of the enrollment protos are what the server enforces.

For every field of an EnrollmentService or AuthService request marked
``(google.api.field_behavior) = REQUIRED`` (nested ones by their dotted path, e.g.
``first_administrator.email``), a request that is complete but for that field is sent
over real gRPC by a caller allowed to make it, and must be refused with
INVALID_ARGUMENT whose ``google.rpc.BadRequest`` names exactly that field. The
REQUIRED paths are read from the descriptors, so a new mark without a request here
fails the suite.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
import pytest_asyncio
from enrollment_support import (
    OPERATOR,
    PASSWORD,
    AgencyHandle,
    World,
    address,
    new_user,
    rpc_error,
)
from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.identity import Actor, ComplaintsPermission
from ses_core.testing import error_details

pytestmark = pytest.mark.integration

SERVICES = (
    pb.DESCRIPTOR.services_by_name["EnrollmentService"],
    pb.DESCRIPTOR.services_by_name["AuthService"],
)


def _required(field: FieldDescriptor) -> bool:
    behaviours = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
    return field_behavior_pb2.REQUIRED in behaviours


def required_paths(message: Descriptor, prefix: str = "") -> Iterator[str]:
    """Dotted paths of the REQUIRED fields, entering required singular messages."""
    for field in message.fields:
        if not _required(field):
            continue
        path = f"{prefix}{field.name}"
        yield path
        if field.message_type is not None and not field.is_repeated:
            yield from required_paths(field.message_type, f"{path}.")


REQUIRED = [
    (method.name, path)
    for service in SERVICES
    for method in service.methods
    for path in required_paths(method.input_type)
]


@dataclass(frozen=True)
class Scene:
    """Things the requests below name: real ids, so that only the cleared field is wrong."""

    agency: AgencyHandle
    agency_user_id: str
    agency_user_link: str
    company_id: str
    first_user_id: str
    invited_company_id: str
    invited_user_id: str  # activated, enrollment not finished


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def scene(world: World) -> Scene:
    agency = await world.create_agency()
    created = await world.enrollment.CreateAgencyUser(
        pb.CreateAgencyUserRequest(
            user=new_user(f"{world.unique('req')}@agency.example"),
            roles=[common_pb2.AGENCY_ROLE_COMPLAINT_VIEWER],
        ),
        metadata=world.md(agency.admin),
    )
    company = await world.register_company(agency.manager())
    first = await world.first_user(agency, company.company_id)
    invited, invited_user = await world.invited_company(agency)
    await world.activate(invited_user.user_id)
    return Scene(
        agency=agency,
        agency_user_id=created.user.user_id,
        agency_user_link=world.link_of(created.user.user_id),
        company_id=company.company_id,
        first_user_id=first.user_id,
        invited_company_id=invited.company_id,
        invited_user_id=invited_user.user_id,
    )


# A complete request and who sends it (None: a public method, no token).
Complete = tuple[Message, Actor | None]


def _invited_first_user(scene: Scene) -> Actor:
    """The activated first user of a company still enrolling: acts as its administrator."""
    return Actor.company_user(
        scene.invited_user_id,
        scene.invited_company_id,
        ComplaintsPermission.MANAGE,
        account_admin=True,
    )


COMPLETE: dict[str, Callable[[World, Scene], Complete]] = {
    "CreateAgency": lambda world, _: (
        pb.CreateAgencyRequest(
            code=f"R-{world.unique('Q')}",
            name="Required Fields Agency",
            state_code="NY",
            first_administrator=new_user(f"{world.unique('adm')}@agency.example"),
        ),
        OPERATOR,
    ),
    "CreateAgencyUser": lambda world, scene: (
        pb.CreateAgencyUserRequest(
            user=new_user(f"{world.unique('new')}@agency.example"),
            roles=[common_pb2.AGENCY_ROLE_COMPLAINT_VIEWER],
        ),
        scene.agency.admin,
    ),
    "GetCompany": lambda _, scene: (
        pb.GetCompanyRequest(company_id=scene.company_id),
        scene.agency.manager(),
    ),
    "RegisterCompany": lambda world, scene: (
        pb.RegisterCompanyRequest(
            nmls_id=world.nmls_id(),
            legal_name="Required Fields Lending LLC",
            kind=pb.COMPANY_KIND_NMLS_REGISTERED,
            address=address(),
        ),
        scene.agency.manager(),
    ),
    "ImportCompanies": lambda _, __: (
        pb.ImportCompaniesRequest(
            csv_content=b"nmls_id,legal_name,street,city,state,postal_code\n", dry_run=True
        ),
        OPERATOR,
    ),
    "CreateCompanyUser": lambda world, scene: (
        pb.CreateCompanyUserRequest(
            company_id=scene.company_id, user=new_user(f"{world.unique('cu')}@company.example")
        ),
        scene.agency.manager(),
    ),
    "InitiateEnrollment": lambda _, scene: (
        pb.InitiateEnrollmentRequest(
            company_id=scene.company_id, first_user_id=scene.first_user_id
        ),
        scene.agency.manager(),
    ),
    "SendEnrollmentReminder": lambda _, scene: (
        pb.SendEnrollmentReminderRequest(company_id=scene.invited_company_id),
        scene.agency.manager(),
    ),
    "GetEnrollment": lambda _, scene: (
        pb.GetEnrollmentRequest(company_id=scene.invited_company_id),
        scene.agency.manager(),
    ),
    "CompleteEnrollment": lambda _, scene: (
        pb.CompleteEnrollmentRequest(company_id=scene.invited_company_id, company_confirmed=True),
        _invited_first_user(scene),
    ),
    "UpdateUserRoles": lambda _, scene: (
        pb.UpdateUserRolesRequest(
            user_id=scene.agency_user_id, agency_roles=[common_pb2.AGENCY_ROLE_COMPLAINT_MANAGER]
        ),
        scene.agency.admin,
    ),
    "DeactivateUser": lambda _, scene: (
        pb.DeactivateUserRequest(user_id=scene.agency_user_id, reason="Left the agency"),
        scene.agency.admin,
    ),
    "UnlockUser": lambda _, scene: (
        pb.UnlockUserRequest(user_id=scene.agency_user_id),
        scene.agency.admin,
    ),
    "ResendActivationLink": lambda _, scene: (
        pb.ResendActivationLinkRequest(user_id=scene.agency_user_id),
        scene.agency.admin,
    ),
    "AssignCompanyContact": lambda _, scene: (
        pb.AssignCompanyContactRequest(
            company_id=scene.invited_company_id,
            contact_type=common_pb2.COMPANY_CONTACT_TYPE_SES_COMPLAINTS_CONTACT,
            user_id=scene.invited_user_id,
        ),
        _invited_first_user(scene),
    ),
    "ActivateAccount": lambda _, scene: (
        pb.ActivateAccountRequest(activation_token=scene.agency_user_link, password=PASSWORD),
        None,
    ),
    "SignIn": lambda _, scene: (
        pb.SignInRequest(email=scene.agency.admin_email, password=PASSWORD, totp_code="123456"),
        None,
    ),
    "RefreshToken": lambda _, __: (pb.RefreshTokenRequest(refresh_token="not-a-real-token"), None),
    "SignOut": lambda _, scene: (
        pb.SignOutRequest(refresh_token="not-a-real-token"),
        scene.agency.admin,
    ),
}


def _without(request: Message, path: str) -> Message:
    trimmed = type(request)()
    trimmed.CopyFrom(request)
    *parents, name = path.split(".")
    holder = trimmed
    for parent in parents:
        holder = getattr(holder, parent)
    holder.ClearField(name)
    return trimmed


def _call(world: World, method: str, request: Message, actor: Actor | None) -> Awaitable[Any]:
    stub = world.auth if method in SERVICES[1].methods_by_name else world.enrollment
    metadata = world.md(actor) if actor is not None else None
    return getattr(stub, method)(request, metadata=metadata)  # type: ignore[no-any-return]


def test_every_rpc_with_required_fields_has_a_complete_request_here() -> None:
    assert {method for method, _ in REQUIRED} == set(COMPLETE)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("method", sorted(COMPLETE))
async def test_the_complete_request_has_every_field_it_needs(
    world: World, scene: Scene, method: str
) -> None:
    """The control: refusals below are about the cleared field, not about the rest.
    (The call may still fail for another reason, e.g. the made-up TOTP code.)"""
    request, actor = COMPLETE[method](world, scene)
    code, details = grpc.StatusCode.OK, ""
    try:
        await _call(world, method, request, actor)
    except grpc.aio.AioRpcError as error:
        code, details = error.code(), error.details() or ""
    assert code != grpc.StatusCode.INVALID_ARGUMENT, details


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("method", "path"), REQUIRED, ids=[f"{m}.{p}" for m, p in REQUIRED])
async def test_a_request_without_a_required_field_is_refused_naming_it(
    world: World, scene: Scene, method: str, path: str
) -> None:
    request, actor = COMPLETE[method](world, scene)

    error = await rpc_error(_call(world, method, _without(request, path), actor))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (error.code(), error.details())
    violations = error_details(error).field_violations
    assert [violation.field for violation in violations] == [path], error.details()
