"""``ses.enrollment.v1.EnrollmentService``: requests to commands, views to responses.

Each RPC runs its handler in a worker thread (``asyncio.to_thread`` carries the caller's
``current_actor()`` along); domain errors become statuses in the kit's interceptor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from typing_extensions import override

from ses.enrollment.v1 import enrollment_pb2 as pb
from ses.enrollment.v1 import enrollment_pb2_grpc as pb_grpc
from ses_core.accounts import CompanyContactType, CompanyKind
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_core.platform.grpc import ServiceRegistration, current_actor
from ses_enrollment import mappers as m
from ses_enrollment.enums import from_proto
from ses_enrollment.handlers import accounts, agencies, directory, enrollment, listing, users
from ses_enrollment.handlers.common import Deps
from ses_enrollment.views import CompanyView

T = TypeVar("T")
Context = Any  # grpc.aio.ServicerContext


class EnrollmentServicer(pb_grpc.EnrollmentServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def registration(self) -> ServiceRegistration:
        def register(server: grpc.aio.Server) -> None:
            pb_grpc.add_EnrollmentServiceServicer_to_server(self, server)

        return ServiceRegistration("ses.enrollment.v1.EnrollmentService", register)

    async def _run(self, handler: Callable[..., T], *args: Any) -> T:
        actor: Actor = current_actor()
        return await asyncio.to_thread(handler, self._deps, actor, *args)

    # -- agencies ------------------------------------------------------------------------

    @override
    async def CreateAgency(
        self, request: pb.CreateAgencyRequest, context: Context
    ) -> pb.CreateAgencyResponse:
        command = agencies.CreateAgency(
            code=request.code,
            name=request.name,
            state_code=request.state_code,
            first_administrator=m.new_user(
                request.first_administrator, request.HasField("first_administrator")
            ),
        )
        created = await self._run(agencies.create_agency, command)
        return pb.CreateAgencyResponse(
            agency=m.agency_message(created.agency),
            first_administrator=m.user_message(created.administrator),
        )

    @override
    async def CreateAgencyUser(
        self, request: pb.CreateAgencyUserRequest, context: Context
    ) -> pb.CreateAgencyUserResponse:
        roles = tuple(
            role for role in (from_proto(AgencyRole, number) for number in request.roles) if role
        )
        command = agencies.CreateAgencyUser(
            m.new_user(request.user, request.HasField("user")), roles
        )
        view = await self._run(agencies.create_agency_user, command)
        return pb.CreateAgencyUserResponse(user=m.user_message(view))

    # -- the directory -------------------------------------------------------------------

    @override
    async def SearchCompanies(
        self, request: pb.SearchCompaniesRequest, context: Context
    ) -> pb.SearchCompaniesResponse:
        command = directory.SearchCompanies(
            query=request.query,
            kind=from_proto(CompanyKind, request.kind),
            status=from_proto(EnrollmentStatus, request.enrollment_status),
            page_size=request.page_size,
            page_token=request.page_token,
        )
        page = await self._run(directory.search_companies, command)
        return pb.SearchCompaniesResponse(
            companies=[m.company_message(view) for view in page.items],
            next_page_token=page.next_page_token,
        )

    @override
    async def GetCompany(
        self, request: pb.GetCompanyRequest, context: Context
    ) -> pb.GetCompanyResponse:
        view = await self._run(directory.get_company, request.company_id)
        return pb.GetCompanyResponse(company=m.company_message(view))

    @override
    async def RegisterCompany(
        self, request: pb.RegisterCompanyRequest, context: Context
    ) -> pb.RegisterCompanyResponse:
        command = directory.RegisterCompany(m.profile_values(request))
        view = await self._run(directory.register_company, command)
        return pb.RegisterCompanyResponse(company=m.company_message(view))

    @override
    async def ImportCompanies(
        self, request: pb.ImportCompaniesRequest, context: Context
    ) -> pb.ImportCompaniesResponse:
        command = directory.ImportCompanies(request.csv_content, request.dry_run)
        result = await self._run(directory.import_companies, command)
        return pb.ImportCompaniesResponse(
            imported_count=result.imported,
            updated_count=result.updated,
            unchanged_count=result.unchanged,
            errors=[m.row_error_message(error) for error in result.errors],
        )

    # -- company users and enrollment ----------------------------------------------------

    @override
    async def CreateCompanyUser(
        self, request: pb.CreateCompanyUserRequest, context: Context
    ) -> pb.CreateCompanyUserResponse:
        command = users.CreateCompanyUser(
            company_id=request.company_id,
            user=m.new_user(request.user, request.HasField("user")),
            permission=from_proto(ComplaintsPermission, request.complaints_permission),
            account_admin=request.account_administrator,
        )
        view = await self._run(users.create_company_user, command)
        return pb.CreateCompanyUserResponse(user=m.user_message(view))

    @override
    async def InitiateEnrollment(
        self, request: pb.InitiateEnrollmentRequest, context: Context
    ) -> pb.InitiateEnrollmentResponse:
        command = enrollment.InitiateEnrollment(request.company_id, request.first_user_id)
        view = await self._run(enrollment.initiate_enrollment, command)
        return pb.InitiateEnrollmentResponse(enrollment=m.enrollment_message(view))

    @override
    async def SendEnrollmentReminder(
        self, request: pb.SendEnrollmentReminderRequest, context: Context
    ) -> pb.SendEnrollmentReminderResponse:
        view = await self._run(enrollment.send_enrollment_reminder, request.company_id)
        return pb.SendEnrollmentReminderResponse(enrollment=m.enrollment_message(view))

    @override
    async def GetEnrollment(
        self, request: pb.GetEnrollmentRequest, context: Context
    ) -> pb.GetEnrollmentResponse:
        view = await self._run(enrollment.get_enrollment, request.company_id)
        return pb.GetEnrollmentResponse(enrollment=m.enrollment_message(view))

    @override
    async def CompleteEnrollment(
        self, request: pb.CompleteEnrollmentRequest, context: Context
    ) -> pb.CompleteEnrollmentResponse:
        command = enrollment.CompleteEnrollment(request.company_id, request.company_confirmed)
        done = await self._run(enrollment.complete_enrollment, command)
        company = m.company_message(
            CompanyView(done.company, done.enrollment.enrollment, done.enrollment.account)
        )
        return pb.CompleteEnrollmentResponse(
            enrollment=m.enrollment_message(done.enrollment), company=company
        )

    # -- users ---------------------------------------------------------------------------

    @override
    async def ListUsers(
        self, request: pb.ListUsersRequest, context: Context
    ) -> pb.ListUsersResponse:
        command = listing.ListUsers(
            agency_id=request.agency_id,
            company_id=request.company_id,
            include_deactivated=request.include_deactivated,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        page = await self._run(listing.list_users, command)
        return pb.ListUsersResponse(
            users=[m.user_message(view) for view in page.items],
            next_page_token=page.next_page_token,
        )

    @override
    async def UpdateUserRoles(
        self, request: pb.UpdateUserRolesRequest, context: Context
    ) -> pb.UpdateUserRolesResponse:
        command = users.UpdateUserRoles(
            user_id=request.user_id,
            agency_roles=tuple(
                role for number in request.agency_roles if (role := from_proto(AgencyRole, number))
            ),
            permission=from_proto(ComplaintsPermission, request.complaints_permission),
            account_admin=(
                request.account_administrator if request.HasField("account_administrator") else None
            ),
        )
        view = await self._run(users.update_user_roles, command)
        return pb.UpdateUserRolesResponse(user=m.user_message(view))

    @override
    async def DeactivateUser(
        self, request: pb.DeactivateUserRequest, context: Context
    ) -> pb.DeactivateUserResponse:
        command = users.DeactivateUser(request.user_id, request.reason)
        view = await self._run(users.deactivate_user, command)
        return pb.DeactivateUserResponse(user=m.user_message(view))

    @override
    async def UnlockUser(
        self, request: pb.UnlockUserRequest, context: Context
    ) -> pb.UnlockUserResponse:
        view = await self._run(users.unlock_user, request.user_id)
        return pb.UnlockUserResponse(user=m.user_message(view))

    @override
    async def ResendActivationLink(
        self, request: pb.ResendActivationLinkRequest, context: Context
    ) -> pb.ResendActivationLinkResponse:
        sent = await self._run(users.resend_activation_link, request.user_id)
        return pb.ResendActivationLinkResponse(
            user=m.user_message(sent.user), activation_expires_at=m.timestamp(sent.expires_at)
        )

    # -- company account -----------------------------------------------------------------

    @override
    async def AssignCompanyContact(
        self, request: pb.AssignCompanyContactRequest, context: Context
    ) -> pb.AssignCompanyContactResponse:
        command = accounts.AssignCompanyContact(
            company_id=request.company_id,
            contact_type=from_proto(CompanyContactType, request.contact_type),
            user_id=request.user_id,
        )
        view = await self._run(accounts.assign_company_contact, command)
        return pb.AssignCompanyContactResponse(company=m.company_message(view))

    @override
    async def ListOutstandingTasks(
        self, request: pb.ListOutstandingTasksRequest, context: Context
    ) -> pb.ListOutstandingTasksResponse:
        tasks = await self._run(accounts.list_outstanding_tasks, request.company_id)
        return pb.ListOutstandingTasksResponse(tasks=[m.task_message(task) for task in tasks])

    @override
    async def UpdateNotificationAddresses(
        self, request: pb.UpdateNotificationAddressesRequest, context: Context
    ) -> pb.UpdateNotificationAddressesResponse:
        command = accounts.UpdateNotificationAddresses(request.company_id, tuple(request.addresses))
        view = await self._run(accounts.update_notification_addresses, command)
        return pb.UpdateNotificationAddressesResponse(company=m.company_message(view))
