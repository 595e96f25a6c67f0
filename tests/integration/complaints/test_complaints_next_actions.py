"""Available next actions through gRPC: every role and every state of the job aid's flow.

A complaint view carries ``available_actions`` and so does each of its information
requests. For every role of the flow and every state it passes through, this reads
both from GetComplaint as that role, then calls every action of the two enums:

- each listed action, on a fresh copy of the state (calling changes it), must succeed;
- each unlisted one, on the shared copy, must be refused with PERMISSION_DENIED,
  FAILED_PRECONDITION or NOT_FOUND (the requests are well formed, so the refusal can
  only come from who the caller is or where the complaint stands).

A reader who cannot see the complaint at all (a company before any IR was sent)
has no view, so nothing is listed and everything must be refused.

States: complaint PENDING_REVIEW, OPEN, REFERRAL_PENDING, CLOSED, CANCELED; its one IR
DRAFT, SENT_TO_COMPANY (Company POC and contributor assigned, a draft saved),
RESPONSE_RECEIVED, SENT_BACK, COMPLETED, CANCELED. Each state is built once and shared
by the roles; a success check builds its own copy. The rules being checked are the
domain's, not the database's, so this runs on SQLite only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc
import pytest
import pytest_asyncio
from complaints_support import (
    ACME,
    ADMIN,
    COMPANY_VIEWER,
    CONTACT,
    CONTRIBUTOR,
    MANAGER,
    MANAGER_2,
    NJ,
    NJ_MANAGER,
    NY,
    POC,
    SUPERVISOR,
    VIEWER,
    Harness,
    date_pb,
    new_complaint,
)
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message

from ses.complaints.v1 import complaints_pb2 as pb
from ses_core.accounts import UserCreated
from ses_core.identity import Actor, ComplaintsPermission

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

# A company user with Manage Complaints who is neither Contact, POC nor contributor.
BYSTANDER = Actor.company_user("acme-bystander", ACME, ComplaintsPermission.MANAGE)

# The job aid's people; MANAGER records every complaint, so is its Agency POC.
ROLES: dict[str, Actor] = {
    "agency_poc": MANAGER,
    "complaint_manager": MANAGER_2,
    "complaint_supervisor": SUPERVISOR,
    "complaint_viewer": VIEWER,
    "receiving_agency_manager": NJ_MANAGER,
    "ses_complaints_contact": CONTACT,
    "account_administrator": ADMIN,
    "company_poc": POC,
    "contributor": CONTRIBUTOR,
    "manage_user_not_on_the_complaint": BYSTANDER,
    "view_user": COMPANY_VIEWER,
}
REFUSED = {
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.NOT_FOUND,
}


@dataclass(frozen=True)
class Made:
    """One complaint in a state of the flow: its id, its IR's id and one note's id."""

    complaint_id: str
    ir_id: str
    note_id: str


@dataclass
class Flow:
    """Builds complaints in each state of the flow and calls actions on them."""

    h: Harness
    shared: dict[str, Made] = field(default_factory=dict)

    async def call(self, method: str, request: Message, actor: Actor = MANAGER) -> Message:
        return await self.h.call(method, request, actor)  # type: ignore[no-any-return]

    # -- the states ---------------------------------------------------------------------

    async def drafted(self, *, preliminary_review: bool = False) -> Made:
        created = await self.call(
            "CreateComplaint", new_complaint(ACME, preliminary_review=preliminary_review)
        )
        cid = created.complaint.complaint_id  # type: ignore[attr-defined]
        request = pb.AddInformationRequestRequest(
            complaint_id=cid, request_text="Send the payment history for 2025."
        )
        request.due_date.CopyFrom(date_pb(self.h.ahead(10)))
        ir = await self.call("AddInformationRequest", request)
        note = await self.call(
            "AddResearchNote", pb.AddResearchNoteRequest(complaint_id=cid, text="Called the bank.")
        )
        return Made(
            cid,
            ir.information_request.information_request_id,  # type: ignore[attr-defined]
            note.note.note_id,  # type: ignore[attr-defined]
        )

    async def sent(self) -> Made:
        made = await self.drafted()
        cid, ir_id = made.complaint_id, made.ir_id
        await self.call(
            "SendInformationRequests", pb.SendInformationRequestsRequest(complaint_id=cid)
        )
        await self.call(
            "AssignCompanyPoc",
            pb.AssignCompanyPocRequest(complaint_id=cid, user_id=POC.user_id),
            CONTACT,
        )
        await self.call(
            "AddContributor",
            pb.AddContributorRequest(complaint_id=cid, user_id=CONTRIBUTOR.user_id),
            POC,
        )
        await self.call(
            "SaveResponseDraft",
            pb.SaveResponseDraftRequest(
                complaint_id=cid, information_request_id=ir_id, text="Refunded on 2 May."
            ),
            CONTRIBUTOR,
        )
        return made

    async def answered(self) -> Made:
        made = await self.sent()
        await self.call("SubmitResponse", _ids(pb.SubmitResponseRequest, made), POC)
        return made

    async def build(self, state: str) -> Made:
        made: Made
        if state == "pending_review":
            return await self.drafted(preliminary_review=True)
        if state == "open_ir_draft":
            return await self.drafted()
        if state == "referral_pending":
            made = await self.drafted()
            await self.call("ReferComplaint", _refer(made))
            return made
        if state == "ir_sent_to_company":
            return await self.sent()
        if state == "ir_response_received":
            return await self.answered()
        if state == "ir_sent_back":
            made = await self.answered()
            await self.call("SendBackResponse", self.send_back(made))
            return made
        if state == "ir_completed":
            made = await self.answered()
            await self.call(
                "CompleteInformationRequest", _ids(pb.CompleteInformationRequestRequest, made)
            )
            return made
        if state == "ir_canceled":
            made = await self.sent()
            await self.call("CancelInformationRequest", _cancel_ir(made))
            return made
        if state == "closed":
            made = await self.answered()
            await self.call("CloseComplaint", _close(made))
            return made
        assert state == "canceled", state
        made = await self.sent()
        await self.call("CancelComplaint", _cancel(made))
        return made

    async def shared_state(self, state: str) -> Made:
        if state not in self.shared:
            self.shared[state] = await self.build(state)
        return self.shared[state]

    # -- reading what is offered ---------------------------------------------------------

    async def offered(self, made: Made, actor: Actor) -> tuple[set[int], set[int]]:
        """The complaint's and its IR's available actions as ``actor`` reads them (nothing
        when the complaint is not there for them: NOT_FOUND)."""
        get = pb.GetComplaintRequest(complaint_id=made.complaint_id)
        try:
            read = await self.call("GetComplaint", get, actor)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.NOT_FOUND:
                raise
            return set(), set()
        complaint: pb.Complaint = read.complaint  # type: ignore[attr-defined]
        requests = {ir.information_request_id: ir for ir in complaint.information_requests}
        ir_actions = requests[made.ir_id].available_actions if made.ir_id in requests else []
        return set(complaint.available_actions), set(ir_actions)

    # -- one well-formed request per action ------------------------------------------------

    def send_back(self, made: Made) -> pb.SendBackResponseRequest:
        request = _ids(pb.SendBackResponseRequest, made, reason="Add the 2024 statements.")
        request.new_due_date.CopyFrom(date_pb(self.h.ahead(15)))
        return request

    def complaint_call(self, action: int, made: Made) -> tuple[str, Message]:
        cid = made.complaint_id
        calls: dict[int, Callable[[], tuple[str, Message]]] = {
            pb.COMPLAINT_ACTION_UPDATE_COMPLAINT: lambda: (
                "UpdateComplaint",
                pb.UpdateComplaintRequest(
                    complaint_id=cid,
                    details=pb.ComplaintDetails(description="The fee was charged twice."),
                    update_mask=FieldMask(paths=["description"]),
                ),
            ),
            pb.COMPLAINT_ACTION_PROCEED_TO_PROCESSING: lambda: (
                "ProceedToProcessing",
                pb.ProceedToProcessingRequest(complaint_id=cid),
            ),
            pb.COMPLAINT_ACTION_ASSIGN_AGENCY_POC: lambda: (
                "AssignAgencyPoc",
                pb.AssignAgencyPocRequest(complaint_id=cid, user_id=SUPERVISOR.user_id),
            ),
            pb.COMPLAINT_ACTION_ADD_INFORMATION_REQUEST: lambda: (
                "AddInformationRequest",
                pb.AddInformationRequestRequest(complaint_id=cid, request_text="And the escrow."),
            ),
            pb.COMPLAINT_ACTION_SEND_INFORMATION_REQUESTS: lambda: (
                "SendInformationRequests",
                pb.SendInformationRequestsRequest(complaint_id=cid),
            ),
            pb.COMPLAINT_ACTION_ADD_ALLEGED_VIOLATION: lambda: (
                "AddAllegedViolation",
                pb.AddAllegedViolationRequest(complaint_id=cid, citation="12 CFR 1024.35"),
            ),
            pb.COMPLAINT_ACTION_ADD_RESEARCH_NOTE: lambda: (
                "AddResearchNote",
                pb.AddResearchNoteRequest(complaint_id=cid, text="Second call."),
            ),
            pb.COMPLAINT_ACTION_UPDATE_RESEARCH_NOTE: lambda: (
                "UpdateResearchNote",
                pb.UpdateResearchNoteRequest(
                    complaint_id=cid, note_id=made.note_id, text="Called the bank twice."
                ),
            ),
            pb.COMPLAINT_ACTION_POST_INTERACTION: lambda: (
                "PostInteraction",
                pb.PostInteractionRequest(complaint_id=cid, text="Any news?"),
            ),
            pb.COMPLAINT_ACTION_REFER_COMPLAINT: lambda: ("ReferComplaint", _refer(made)),
            pb.COMPLAINT_ACTION_DECIDE_REFERRAL: lambda: (
                "DecideReferral",
                pb.DecideReferralRequest(
                    complaint_id=cid,
                    decision=pb.REFERRAL_DECISION_REJECTED,
                    reason="Not our licensee.",
                ),
            ),
            pb.COMPLAINT_ACTION_CLOSE_COMPLAINT: lambda: ("CloseComplaint", _close(made)),
            pb.COMPLAINT_ACTION_CANCEL_COMPLAINT: lambda: ("CancelComplaint", _cancel(made)),
            pb.COMPLAINT_ACTION_ASSIGN_COMPANY_POC: lambda: (
                "AssignCompanyPoc",
                pb.AssignCompanyPocRequest(complaint_id=cid, user_id=POC.user_id),
            ),
            pb.COMPLAINT_ACTION_ADD_CONTRIBUTOR: lambda: (
                "AddContributor",
                pb.AddContributorRequest(complaint_id=cid, user_id=BYSTANDER.user_id),
            ),
        }
        return calls[action]()

    def request_call(self, action: int, made: Made) -> tuple[str, Message]:
        calls: dict[int, Callable[[], tuple[str, Message]]] = {
            pb.INFORMATION_REQUEST_ACTION_SEND: lambda: (
                "SendInformationRequests",
                pb.SendInformationRequestsRequest(
                    complaint_id=made.complaint_id, information_request_ids=[made.ir_id]
                ),
            ),
            pb.INFORMATION_REQUEST_ACTION_EXTEND_DUE_DATE: lambda: (
                "ExtendDueDate",
                _ids(
                    pb.ExtendDueDateRequest,
                    made,
                    new_due_date=date_pb(self.h.ahead(20)),
                    reason="Asked for more time.",
                ),
            ),
            pb.INFORMATION_REQUEST_ACTION_CANCEL: lambda: (
                "CancelInformationRequest",
                _cancel_ir(made),
            ),
            pb.INFORMATION_REQUEST_ACTION_SEND_REMINDER: lambda: (
                "SendReminder",
                _ids(pb.SendReminderRequest, made),
            ),
            pb.INFORMATION_REQUEST_ACTION_MARK_QUICK_LOOK: lambda: (
                "MarkQuickLook",
                _ids(pb.MarkQuickLookRequest, made, marked=True),
            ),
            pb.INFORMATION_REQUEST_ACTION_SEND_BACK_RESPONSE: lambda: (
                "SendBackResponse",
                self.send_back(made),
            ),
            pb.INFORMATION_REQUEST_ACTION_COMPLETE: lambda: (
                "CompleteInformationRequest",
                _ids(pb.CompleteInformationRequestRequest, made),
            ),
            pb.INFORMATION_REQUEST_ACTION_SAVE_RESPONSE_DRAFT: lambda: (
                "SaveResponseDraft",
                _ids(pb.SaveResponseDraftRequest, made, text="Refunded in full."),
            ),
            pb.INFORMATION_REQUEST_ACTION_SEND_DRAFT_TO_POC: lambda: (
                "SendDraftToPoc",
                _ids(pb.SendDraftToPocRequest, made),
            ),
            pb.INFORMATION_REQUEST_ACTION_SUBMIT_RESPONSE: lambda: (
                "SubmitResponse",
                _ids(pb.SubmitResponseRequest, made),
            ),
            pb.INFORMATION_REQUEST_ACTION_REQUEST_SEND_BACK: lambda: (
                "RequestSendBack",
                _ids(pb.RequestSendBackRequest, made, reason="Wrong statement attached."),
            ),
        }
        return calls[action]()


def _ids(message: type[Message], made: Made, **fields: object) -> Message:
    return message(complaint_id=made.complaint_id, information_request_id=made.ir_id, **fields)


def _refer(made: Made) -> pb.ReferComplaintRequest:
    return pb.ReferComplaintRequest(
        complaint_id=made.complaint_id, to_agency_id=NJ, reason="The licensee is in New Jersey."
    )


def _close(made: Made) -> pb.CloseComplaintRequest:
    return pb.CloseComplaintRequest(
        complaint_id=made.complaint_id, reason=pb.CLOSE_REASON_CLOSED_WITH_EXPLANATION
    )


def _cancel(made: Made) -> pb.CancelComplaintRequest:
    return pb.CancelComplaintRequest(complaint_id=made.complaint_id, reason="Filed twice.")


def _cancel_ir(made: Made) -> pb.CancelInformationRequestRequest:
    return pb.CancelInformationRequestRequest(
        complaint_id=made.complaint_id, information_request_id=made.ir_id, reason="Not needed."
    )


STATES = (
    "pending_review",
    "open_ir_draft",
    "referral_pending",
    "ir_sent_to_company",
    "ir_response_received",
    "ir_sent_back",
    "ir_completed",
    "ir_canceled",
    "closed",
    "canceled",
)
COMPLAINT_ACTIONS = sorted(set(pb.ComplaintAction.values()) - {0})
REQUEST_ACTIONS = sorted(set(pb.InformationRequestAction.values()) - {0})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def flow(harness: Harness) -> Flow:
    await harness.publish(
        UserCreated(
            tenant_id=NY,
            user_id=BYSTANDER.user_id,
            company_id=ACME,
            email="acme-bystander@company.example.com",
            given_name="Bystander",
            family_name="Acme",
            complaints_permission=BYSTANDER.complaints_permission,
        )
    )
    return Flow(harness)


async def _outcome(attempt: Awaitable[Message]) -> grpc.StatusCode:
    try:
        await attempt
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


@pytest.mark.parametrize("harness", ["sqlite"], indirect=True)
@pytest.mark.parametrize("state", STATES)
async def test_listed_actions_succeed_and_unlisted_ones_are_refused(flow: Flow, state: str) -> None:
    shared = await flow.shared_state(state)
    wrong: list[str] = []
    for role, actor in ROLES.items():
        listed_complaint, listed_request = await flow.offered(shared, actor)
        plan = [
            (pb.ComplaintAction.Name(a), a in listed_complaint, flow.complaint_call, a)
            for a in COMPLAINT_ACTIONS
        ] + [
            (pb.InformationRequestAction.Name(a), a in listed_request, flow.request_call, a)
            for a in REQUEST_ACTIONS
        ]
        for name, listed, call_for, action in plan:
            made = await flow.build(state) if listed else shared
            method, request = call_for(action, made)
            code = await _outcome(flow.call(method, request, actor))
            if listed and code != grpc.StatusCode.OK:
                wrong.append(f"{role}: {name} is listed but {method} answered {code.name}")
            if not listed and code not in REFUSED:
                wrong.append(f"{role}: {name} is not listed but {method} answered {code.name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("harness", ["sqlite"], indirect=True)
async def test_the_flow_offers_every_action_to_someone(flow: Flow) -> None:
    """The check above is only as good as what gets listed: every value shows up."""
    complaint_seen: set[int] = set()
    request_seen: set[int] = set()
    for state in STATES:
        made = await flow.shared_state(state)
        for actor in ROLES.values():
            listed_complaint, listed_request = await flow.offered(made, actor)
            complaint_seen |= listed_complaint
            request_seen |= listed_request
    assert sorted(complaint_seen) == COMPLAINT_ACTIONS
    assert sorted(request_seen) == REQUEST_ACTIONS
