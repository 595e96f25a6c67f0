"""One well-formed request per RPC, for a state of the world and the role calling.

The requests are valid (every REQUIRED field set, every value within its limits), so
that an answer other than OK can only come from who calls and where things stand.
Requests that create something are unique per call (a new e-mail address, agency code
or maintenance window), so that a second caller is judged on its own.

``REQUESTS`` maps each RPC (``Service/Method``) to its builder; ``STATE_NEUTRAL`` lists
the mutating RPCs whose success changes no answer of the expectation table (adding a
note, a new user, a webhook secret...), so the matrix test may run them on the shared
copy of a state instead of a fresh one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from made import Made, date_pb
from security_world import PASSWORD, SES_CONTACT, VIEW, World

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as cpb
from ses.enrollment.v1 import audit_pb2 as apb
from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.files.v1 import files_pb2 as fpb
from ses.notify.v1 import notify_pb2 as npb
from ses_core.lifecycle import EASTERN


@dataclass(frozen=True)
class Call:
    """Who calls, in which state of the world."""

    world: World
    made: Made
    role: str

    @property
    def cid(self) -> str:
        return self.made.complaint_id

    def ids(self) -> dict[str, str]:
        return {"complaint_id": self.made.complaint_id, "information_request_id": self.made.ir_id}

    def person(self, role: str) -> str:
        identity = self.world.identity(role, self.made)
        assert identity is not None
        return identity.user_id


Builder = Callable[[Call], Awaitable[Message]]
REQUESTS: dict[str, Builder] = {}


def request(rpc: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        assert rpc not in REQUESTS, rpc
        REQUESTS[rpc] = builder
        return builder

    return register


# -- enrollment ---------------------------------------------------------------------------

E = "EnrollmentService/"


@request(E + "CreateAgency")
async def _create_agency(call: Call) -> Message:
    n = call.world.serial()
    return epb.CreateAgencyRequest(
        code=f"T{n}",
        name=f"Test Agency {n}",
        state_code="CT",
        first_administrator=call.world.new_user("new-agency-admin"),
    )


@request(E + "CreateAgencyUser")
async def _create_agency_user(call: Call) -> Message:
    return epb.CreateAgencyUserRequest(
        user=call.world.new_user("new-agency-user"), roles=[common.AGENCY_ROLE_COMPLAINT_VIEWER]
    )


@request(E + "SearchCompanies")
async def _search_companies(call: Call) -> Message:
    return epb.SearchCompaniesRequest(query="Acme")


@request(E + "GetCompany")
async def _get_company(call: Call) -> Message:
    return epb.GetCompanyRequest(company_id=call.made.company_id)


@request(E + "RegisterCompany")
async def _register_company(call: Call) -> Message:
    n = call.world.serial()
    return epb.RegisterCompanyRequest(
        nmls_id=str(800000 + n),
        legal_name=f"Registered {n} Mortgage Inc",
        kind=epb.COMPANY_KIND_NMLS_REGISTERED,
        address=common.Address(
            address_lines=["2 Loan Way"], city="Trenton", state_code="NJ", postal_code="08608"
        ),
    )


@request(E + "ImportCompanies")
async def _import_companies(call: Call) -> Message:
    n = call.world.serial()
    csv = (
        "nmls_id,legal_name,street,city,state,postal_code\n"
        f"{900000 + n},Imported {n} Servicing LLC,3 Loan Way,Hartford,CT,06103\n"
    )
    return epb.ImportCompaniesRequest(csv_content=csv.encode(), dry_run=True)


@request(E + "CreateCompanyUser")
async def _create_company_user(call: Call) -> Message:
    return epb.CreateCompanyUserRequest(
        company_id=call.made.company_id,
        user=call.world.new_user("new-company-user"),
        complaints_permission=VIEW,
    )


@request(E + "InitiateEnrollment")
async def _initiate_enrollment(call: Call) -> Message:
    first = call.made.user_id or call.person("company_account_admin")
    return epb.InitiateEnrollmentRequest(company_id=call.made.company_id, first_user_id=first)


@request(E + "SendEnrollmentReminder")
async def _send_enrollment_reminder(call: Call) -> Message:
    return epb.SendEnrollmentReminderRequest(company_id=call.made.company_id)


@request(E + "GetEnrollment")
async def _get_enrollment(call: Call) -> Message:
    return epb.GetEnrollmentRequest(company_id=call.made.company_id)


@request(E + "CompleteEnrollment")
async def _complete_enrollment(call: Call) -> Message:
    return epb.CompleteEnrollmentRequest(company_id=call.made.company_id, company_confirmed=True)


@request(E + "ListUsers")
async def _list_users(call: Call) -> Message:
    if call.made.company_id:
        return epb.ListUsersRequest(company_id=call.made.company_id)
    return epb.ListUsersRequest(agency_id=call.world.agencies["ny"])


@request(E + "UpdateUserRoles")
async def _update_user_roles(call: Call) -> Message:
    if call.made.company_id:
        return epb.UpdateUserRolesRequest(user_id=call.made.user_id, complaints_permission=VIEW)
    return epb.UpdateUserRolesRequest(
        user_id=call.made.user_id, agency_roles=[common.AGENCY_ROLE_COMPLAINT_MANAGER]
    )


@request(E + "DeactivateUser")
async def _deactivate_user(call: Call) -> Message:
    return epb.DeactivateUserRequest(user_id=call.made.user_id, reason="Left the organisation.")


@request(E + "UnlockUser")
async def _unlock_user(call: Call) -> Message:
    return epb.UnlockUserRequest(user_id=call.made.user_id)


@request(E + "ResendActivationLink")
async def _resend_activation_link(call: Call) -> Message:
    return epb.ResendActivationLinkRequest(user_id=call.made.user_id)


@request(E + "AssignCompanyContact")
async def _assign_company_contact(call: Call) -> Message:
    return epb.AssignCompanyContactRequest(
        company_id=call.made.company_id,
        contact_type=SES_CONTACT,
        user_id=call.person("ses_complaints_contact"),
    )


@request(E + "ListOutstandingTasks")
async def _list_outstanding_tasks(call: Call) -> Message:
    return epb.ListOutstandingTasksRequest(company_id=call.made.company_id)


@request(E + "UpdateNotificationAddresses")
async def _update_notification_addresses(call: Call) -> Message:
    return epb.UpdateNotificationAddressesRequest(
        company_id=call.made.company_id, addresses=["intake@acme.example.org"]
    )


# -- auth: public calls, judged on what they carry -----------------------------------------

A = "AuthService/"


@request(A + "ActivateAccount")
async def _activate_account(call: Call) -> Message:
    return epb.ActivateAccountRequest(activation_token="no-such-activation-link", password=PASSWORD)


@request(A + "SignIn")
async def _sign_in(call: Call) -> Message:
    return epb.SignInRequest(
        email="nobody@people.example.org", password="not the password", totp_code="000000"
    )


@request(A + "RefreshToken")
async def _refresh_token(call: Call) -> Message:
    return epb.RefreshTokenRequest(refresh_token="rt_not-a-refresh-token")


@request(A + "SignOut")
async def _sign_out(call: Call) -> Message:
    return epb.SignOutRequest(refresh_token="rt_not-a-refresh-token")


@request(A + "GetJwks")
async def _get_jwks(call: Call) -> Message:
    return epb.GetJwksRequest()


# -- audit: the whole log the caller may read ------------------------------------------------

L = "AuditService/"


@request(L + "ListAuditEntries")
async def _list_audit_entries(call: Call) -> Message:
    return apb.ListAuditEntriesRequest()


@request(L + "ExportAuditLog")
async def _export_audit_log(call: Call) -> Message:
    return apb.ExportAuditLogRequest()


# -- complaints ---------------------------------------------------------------------------

C = "ComplaintsService/"


@request(C + "CreateComplaint")
async def _create_complaint(call: Call) -> Message:
    return cpb.CreateComplaintRequest(
        company_id=call.world.companies["acme"],
        details=cpb.ComplaintDetails(
            complainant=cpb.Complainant(given_name="Sam", family_name="Borrower"),
            received_date=date_pb(call.world.today() - timedelta(days=1)),
            description="Escrow shortage notice without an analysis.",
        ),
    )


@request(C + "GetComplaint")
async def _get_complaint(call: Call) -> Message:
    return cpb.GetComplaintRequest(complaint_id=call.cid)


@request(C + "ListComplaints")
async def _list_complaints(call: Call) -> Message:
    return cpb.ListComplaintsRequest()


@request(C + "ListInformationRequests")
async def _list_information_requests(call: Call) -> Message:
    return cpb.ListInformationRequestsRequest(complaint_id=call.cid)


@request(C + "UpdateComplaint")
async def _update_complaint(call: Call) -> Message:
    return cpb.UpdateComplaintRequest(
        complaint_id=call.cid,
        details=cpb.ComplaintDetails(description="The fee was charged twice."),
        update_mask=FieldMask(paths=["description"]),
    )


@request(C + "ProceedToProcessing")
async def _proceed(call: Call) -> Message:
    return cpb.ProceedToProcessingRequest(complaint_id=call.cid)


@request(C + "AssignAgencyPoc")
async def _assign_agency_poc(call: Call) -> Message:
    return cpb.AssignAgencyPocRequest(complaint_id=call.cid, user_id=call.person("agency_manager"))


@request(C + "AddInformationRequest")
async def _add_ir(call: Call) -> Message:
    return cpb.AddInformationRequestRequest(complaint_id=call.cid, request_text="And the escrow.")


@request(C + "SendInformationRequests")
async def _send_irs(call: Call) -> Message:
    return cpb.SendInformationRequestsRequest(
        complaint_id=call.cid, information_request_ids=[call.made.ir_id]
    )


@request(C + "ExtendDueDate")
async def _extend(call: Call) -> Message:
    return cpb.ExtendDueDateRequest(
        **call.ids(),
        new_due_date=date_pb(call.world.business_days_ahead(25)),
        reason="Asked for more time.",
    )


@request(C + "CancelInformationRequest")
async def _cancel_ir(call: Call) -> Message:
    return cpb.CancelInformationRequestRequest(**call.ids(), reason="Not needed.")


@request(C + "SendReminder")
async def _send_reminder(call: Call) -> Message:
    return cpb.SendReminderRequest(**call.ids(), message="A reminder: the answer is due.")


@request(C + "AssignCompanyPoc")
async def _assign_company_poc(call: Call) -> Message:
    return cpb.AssignCompanyPocRequest(
        complaint_id=call.cid, user_id=call.person("company_manage_user")
    )


@request(C + "AddContributor")
async def _add_contributor(call: Call) -> Message:
    return cpb.AddContributorRequest(
        complaint_id=call.cid, user_id=call.person("company_manage_user")
    )


@request(C + "SaveResponseDraft")
async def _save_draft(call: Call) -> Message:
    return cpb.SaveResponseDraftRequest(**call.ids(), text="Refunded in full on 2 May.")


@request(C + "SendDraftToPoc")
async def _send_draft(call: Call) -> Message:
    return cpb.SendDraftToPocRequest(**call.ids(), message="Ready for you.")


@request(C + "SubmitResponse")
async def _submit(call: Call) -> Message:
    return cpb.SubmitResponseRequest(**call.ids())


@request(C + "MarkQuickLook")
async def _quick_look(call: Call) -> Message:
    return cpb.MarkQuickLookRequest(**call.ids(), marked=True)


@request(C + "SendBackResponse")
async def _send_back(call: Call) -> Message:
    return cpb.SendBackResponseRequest(
        **call.ids(),
        reason="Add the 2024 statements.",
        new_due_date=date_pb(call.world.business_days_ahead(20)),
    )


@request(C + "CompleteInformationRequest")
async def _complete_ir(call: Call) -> Message:
    return cpb.CompleteInformationRequestRequest(**call.ids())


@request(C + "RequestSendBack")
async def _request_send_back(call: Call) -> Message:
    return cpb.RequestSendBackRequest(**call.ids(), reason="Wrong statement attached.")


@request(C + "AddAllegedViolation")
async def _add_violation(call: Call) -> Message:
    return cpb.AddAllegedViolationRequest(complaint_id=call.cid, citation="12 CFR 1024.35")


@request(C + "AddResearchNote")
async def _add_note(call: Call) -> Message:
    return cpb.AddResearchNoteRequest(complaint_id=call.cid, text="Second call to the bank.")


@request(C + "UpdateResearchNote")
async def _update_note(call: Call) -> Message:
    return cpb.UpdateResearchNoteRequest(
        complaint_id=call.cid, note_id=call.made.note_id, text="Called the bank twice."
    )


@request(C + "PostInteraction")
async def _post_interaction(call: Call) -> Message:
    return cpb.PostInteractionRequest(complaint_id=call.cid, text="Any news?")


@request(C + "ListInteractions")
async def _list_interactions(call: Call) -> Message:
    return cpb.ListInteractionsRequest(complaint_id=call.cid)


@request(C + "ReferComplaint")
async def _refer(call: Call) -> Message:
    return cpb.ReferComplaintRequest(
        complaint_id=call.cid, to_agency_id=call.world.agencies["nj"], reason="Licensed in NJ."
    )


@request(C + "DecideReferral")
async def _decide_referral(call: Call) -> Message:
    return cpb.DecideReferralRequest(
        complaint_id=call.cid, decision=cpb.REFERRAL_DECISION_REJECTED, reason="Not our licensee."
    )


@request(C + "CloseComplaint")
async def _close(call: Call) -> Message:
    return cpb.CloseComplaintRequest(
        complaint_id=call.cid, reason=cpb.CLOSE_REASON_CLOSED_WITH_EXPLANATION
    )


@request(C + "CancelComplaint")
async def _cancel(call: Call) -> Message:
    return cpb.CancelComplaintRequest(complaint_id=call.cid, reason="Filed twice.")


@request(C + "ListHistory")
async def _list_history(call: Call) -> Message:
    return cpb.ListHistoryRequest(complaint_id=call.cid)


@request(C + "IssueFileGrant")
async def _issue_file_grant(call: Call) -> Message:
    return cpb.IssueFileGrantRequest(
        complaint_id=call.cid,
        file_id=call.made.file_id,
        action=common.FILE_GRANT_ACTION_DOWNLOAD,
    )


# -- files --------------------------------------------------------------------------------

F = "FilesService/"


@request(F + "StartUpload")
async def _start_upload(call: Call) -> Message:
    return fpb.StartUploadRequest(
        kind=common.ATTACHMENT_KIND_RESPONSE,
        files=[fpb.DeclaredFile(name="statement.pdf", size_bytes=1024)],
    )


@request(F + "UploadChunks")
async def _upload_chunks(call: Call) -> Message:
    return fpb.UploadChunksRequest(
        upload_id=call.made.upload_id, file_id=call.made.file_id, offset=0, data=call.made.data
    )


@request(F + "GetUploadStatus")
async def _upload_status(call: Call) -> Message:
    return fpb.GetUploadStatusRequest(upload_id=call.made.upload_id)


@request(F + "CompleteUpload")
async def _complete_upload(call: Call) -> Message:
    return fpb.CompleteUploadRequest(upload_id=call.made.upload_id)


@request(F + "AbortUpload")
async def _abort_upload(call: Call) -> Message:
    return fpb.AbortUploadRequest(upload_id=call.made.upload_id)


@request(F + "GetFile")
async def _get_file(call: Call) -> Message:
    return fpb.GetFileRequest(file_id=call.made.file_id)


@request(F + "DownloadFile")
async def _download_file(call: Call) -> Message:
    """With the caller's own download grant when the complaints service issues one to
    them, else with one issued to the Company POC (a grant that is not theirs)."""
    return fpb.DownloadFileRequest(file_id=call.made.file_id, grant_token=await _grant_for(call))


async def _grant_for(call: Call) -> str:
    grant = cpb.IssueFileGrantRequest(
        complaint_id=call.cid, file_id=call.made.file_id, action=common.FILE_GRANT_ACTION_DOWNLOAD
    )
    for role in (call.role, "company_poc"):
        if not call.world.metadata(role, call.made):
            continue
        try:
            issued = await call.world.complaints.IssueFileGrant(grant, **call.world.md(role))
        except grpc.aio.AioRpcError:
            continue
        return str(issued.grant_token)
    return ""  # nobody may download it: the request then names no grant


# -- notify -------------------------------------------------------------------------------

N = "NotifyService/"


@request(N + "ListNotifications")
async def _list_notifications(call: Call) -> Message:
    return npb.ListNotificationsRequest()


@request(N + "MarkRead")
async def _mark_read(call: Call) -> Message:
    return npb.MarkReadRequest(all=True)


@request(N + "GetPreferences")
async def _get_preferences(call: Call) -> Message:
    return npb.GetPreferencesRequest(company_id=call.made.company_id)


@request(N + "UpdatePreferences")
async def _update_preferences(call: Call) -> Message:
    if call.made.company_id:
        preferences = npb.NotificationPreferences(
            company_id=call.made.company_id, additional_emails=["intake@acme.example.org"]
        )
    else:
        identity = call.world.identity(call.role, call.made)
        user_id = identity.user_id if identity is not None else "someone"
        preferences = npb.NotificationPreferences(
            user_id=user_id,
            topics=[
                npb.TopicPreference(
                    topic=npb.NOTIFICATION_TOPIC_DUE_DATE_CHANGED, email=False, in_app=True
                )
            ],
        )
    return npb.UpdatePreferencesRequest(preferences=preferences)


@request(N + "ListDeliveries")
async def _list_deliveries(call: Call) -> Message:
    return npb.ListDeliveriesRequest()


@request(N + "ScheduleMaintenance")
async def _schedule_maintenance(call: Call) -> Message:
    """A window on a Saturday some weeks ahead (limited access), a new one per call."""
    today = call.world.today()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 7 * (4 + call.world.serial()))
    starts = datetime.combine(saturday, time(10), EASTERN).astimezone(UTC)
    return npb.ScheduleMaintenanceRequest(
        starts_at=_timestamp(starts),
        ends_at=_timestamp(starts + timedelta(hours=2)),
        description="Database upgrade.",
    )


def _timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


@request(N + "ListMaintenanceWindows")
async def _list_windows(call: Call) -> Message:
    return npb.ListMaintenanceWindowsRequest()


@request(N + "GetOperatingStatus")
async def _operating_status(call: Call) -> Message:
    return npb.GetOperatingStatusRequest()


def _organization(call: Call) -> dict[str, str]:
    if call.made.company_id:
        return {"company_id": call.made.company_id}
    return {"agency_id": call.world.agencies["ny"]}


@request(N + "CreateWebhookEndpoint")
async def _create_webhook(call: Call) -> Message:
    return npb.CreateWebhookEndpointRequest(
        **_organization(call), url=f"http://127.0.0.1:9/new-hook-{call.world.serial()}"
    )


@request(N + "ListWebhookEndpoints")
async def _list_webhooks(call: Call) -> Message:
    return npb.ListWebhookEndpointsRequest(**_organization(call))


@request(N + "DeleteWebhookEndpoint")
async def _delete_webhook(call: Call) -> Message:
    return npb.DeleteWebhookEndpointRequest(webhook_endpoint_id=call.made.webhook_endpoint_id)


@request(N + "CreateWebhookSigningSecret")
async def _create_secret(call: Call) -> Message:
    return npb.CreateWebhookSigningSecretRequest(webhook_endpoint_id=call.made.webhook_endpoint_id)


@request(N + "DeleteWebhookSigningSecret")
async def _delete_secret(call: Call) -> Message:
    return npb.DeleteWebhookSigningSecretRequest(
        webhook_endpoint_id=call.made.webhook_endpoint_id,
        signing_secret_id=call.made.signing_secret_id,
    )


# Mutating RPCs whose success changes no answer of the table: run on the shared state.
STATE_NEUTRAL: frozenset[str] = frozenset(
    {
        L + "ExportAuditLog",
        E + "CreateAgency",
        E + "CreateAgencyUser",
        E + "RegisterCompany",
        E + "ImportCompanies",
        E + "ResendActivationLink",
        E + "AssignCompanyContact",
        E + "UpdateNotificationAddresses",
        C + "CreateComplaint",
        C + "UpdateComplaint",
        C + "AddAllegedViolation",
        C + "AddResearchNote",
        C + "UpdateResearchNote",
        C + "PostInteraction",
        C + "IssueFileGrant",
        F + "StartUpload",
        N + "MarkRead",
        N + "UpdatePreferences",
        N + "ScheduleMaintenance",
    }
)
