"""Company side over real gRPC: visibility, Company POC, contributors, drafts, responses."""

from __future__ import annotations

import grpc
import pytest
from complaints_support import (
    ACME,
    ADMIN,
    COMPANY_VIEWER,
    CONTACT,
    CONTRIBUTOR,
    GLOBEX_CONTACT,
    MANAGER,
    NO_PERMISSION,
    PENDING_CONTACT,
    PENDINGCO,
    POC,
    Harness,
    add_ir,
    create,
    date_pb,
    deactivate,
    downgrade,
    enroll,
    get,
    reason_of,
    sent_complaint,
    submitted,
    with_poc,
)

from ses.complaints.v1 import complaints_pb2 as pb
from ses_core.accounts import UserCreated
from ses_core.identity import Actor, ComplaintsPermission

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

INVALID = grpc.StatusCode.INVALID_ARGUMENT
PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
NOT_FOUND = grpc.StatusCode.NOT_FOUND

LATE = Actor.company_user("acme-late", ACME, ComplaintsPermission.MANAGE)


def _get(complaint_id: str) -> pb.GetComplaintRequest:
    return pb.GetComplaintRequest(complaint_id=complaint_id)


def _ir(complaint: pb.Complaint, ir_id: str) -> pb.InformationRequest:
    return next(ir for ir in complaint.information_requests if ir.information_request_id == ir_id)


# -- visibility ----------------------------------------------------------------------------------


async def test_the_company_learns_of_a_complaint_with_its_first_sent_ir(
    harness: Harness,
) -> None:
    h = harness
    complaint = await create(h)
    cid = complaint.complaint_id
    draft = await add_ir(h, cid, due=h.ahead(4))
    unseen = await h.fails("GetComplaint", _get(cid), CONTACT, NOT_FOUND)
    missing = await h.fails("GetComplaint", _get("nope"), CONTACT, NOT_FOUND)
    assert reason_of(unseen) == reason_of(missing)

    await h.call(
        "SendInformationRequests", pb.SendInformationRequestsRequest(complaint_id=cid), MANAGER
    )
    second_draft = await add_ir(h, cid)
    seen = await get(h, cid, CONTACT)

    assert seen.view == pb.COMPLAINT_VIEW_COMPANY
    assert [ir.information_request_id for ir in seen.information_requests] == [
        draft.information_request_id
    ]
    assert second_draft.information_request_id not in str(seen)


async def test_the_company_view_leaves_out_agency_only_fields(harness: Harness) -> None:
    h = harness
    complaint, _ = await sent_complaint(h)
    cid = complaint.complaint_id
    await h.call(
        "AddAllegedViolation",
        pb.AddAllegedViolationRequest(complaint_id=cid, citation="12 CFR 1024.35"),
        MANAGER,
    )
    await h.call(
        "AddResearchNote", pb.AddResearchNoteRequest(complaint_id=cid, text="Secret"), MANAGER
    )

    seen = await get(h, cid, COMPANY_VIEWER)

    assert seen.details.complainant.given_name == "Jane"
    assert seen.details.complainant.address.city == "Albany"
    assert seen.details.complainant.email == ""
    assert seen.details.complainant.phone == ""
    assert seen.details.desired_outcome == ""
    assert list(seen.details.categories) == []
    assert list(seen.alleged_violations) == []
    assert list(seen.notes) == []
    assert "Secret" not in str(seen)
    assert "Refund" not in str(seen)


async def test_a_restricted_complainant_is_left_out_entirely(harness: Harness) -> None:
    h = harness
    complaint = await create(h, complainant_restricted=True)
    cid = complaint.complaint_id
    await add_ir(h, cid, due=h.ahead(4))
    await h.call(
        "SendInformationRequests", pb.SendInformationRequestsRequest(complaint_id=cid), MANAGER
    )

    seen = await get(h, cid, CONTACT)
    listed = await h.call("ListComplaints", pb.ListComplaintsRequest(), CONTACT)

    assert seen.details.complainant_restricted
    assert not seen.details.complainant.given_name
    assert not seen.details.complainant.HasField("address")
    summary = next(c for c in listed.complaints if c.complaint_id == cid)
    assert summary.complainant_name == ""
    agency_summary = next(
        c
        for c in (await h.call("ListComplaints", pb.ListComplaintsRequest(), MANAGER)).complaints
        if c.complaint_id == cid
    )
    assert agency_summary.complainant_name == "Jane Consumer"


async def test_another_company_and_users_without_permission_are_kept_out(
    harness: Harness,
) -> None:
    h = harness
    complaint, _ = await sent_complaint(h)
    cid = complaint.complaint_id
    await h.fails("GetComplaint", _get(cid), GLOBEX_CONTACT, NOT_FOUND)
    error = await h.fails("GetComplaint", _get(cid), NO_PERMISSION, DENIED)
    assert "complaints permission" in error.details()
    await h.fails(
        "AssignCompanyPoc",
        pb.AssignCompanyPocRequest(complaint_id=cid, user_id=GLOBEX_CONTACT.user_id),
        GLOBEX_CONTACT,
        NOT_FOUND,
    )


async def test_irs_sent_before_enrollment_become_visible_when_the_company_enrolls(
    harness: Harness,
) -> None:
    h = harness
    complaint, _ = await sent_complaint(h, company_id=PENDINGCO)
    cid = complaint.complaint_id
    await h.fails("GetComplaint", _get(cid), PENDING_CONTACT, NOT_FOUND)
    before = await h.call("ListComplaints", pb.ListComplaintsRequest(), PENDING_CONTACT)
    assert list(before.complaints) == []

    await h.publish(*enroll(PENDINGCO, PENDING_CONTACT))

    seen = await get(h, cid, PENDING_CONTACT)
    after = await h.call("ListComplaints", pb.ListComplaintsRequest(), PENDING_CONTACT)
    assert seen.sent_to_company
    assert [c.complaint_id for c in after.complaints] == [cid]


# -- Company POC and contributors ----------------------------------------------------------------


async def test_the_complaints_contact_or_an_account_admin_assigns_the_poc(
    harness: Harness,
) -> None:
    h = harness
    complaint, _ = await sent_complaint(h)
    cid = complaint.complaint_id
    to_poc = pb.AssignCompanyPocRequest(complaint_id=cid, user_id=POC.user_id)
    error = await h.fails("AssignCompanyPoc", to_poc, CONTRIBUTOR, DENIED)
    assert "SES Complaints Contact" in error.details()
    await h.fails("AssignCompanyPoc", to_poc, MANAGER, DENIED)

    assigned = (await h.call("AssignCompanyPoc", to_poc, CONTACT)).complaint
    assert assigned.company_poc.user_id == POC.user_id
    assert assigned.company_poc.display_name == "Poc Ses-Acme"
    to_contributor = pb.AssignCompanyPocRequest(complaint_id=cid, user_id=CONTRIBUTOR.user_id)
    reassigned = (await h.call("AssignCompanyPoc", to_contributor, ADMIN)).complaint
    assert reassigned.company_poc.user_id == CONTRIBUTOR.user_id
    assert (await get(h, cid, MANAGER)).company_poc.user_id == CONTRIBUTOR.user_id


@pytest.mark.parametrize(
    ("user_id", "code", "reason"),
    [
        (COMPANY_VIEWER.user_id, PRECONDITION, "manage_permission_required"),
        (GLOBEX_CONTACT.user_id, NOT_FOUND, "user_not_found"),
        ("ghost", NOT_FOUND, "user_not_found"),
    ],
    ids=["view-only", "other-company", "unknown"],
)
async def test_only_users_with_manage_complaints_can_be_poc(
    harness: Harness, user_id: str, code: grpc.StatusCode, reason: str
) -> None:
    h = harness
    complaint, _ = await sent_complaint(h)
    request = pb.AssignCompanyPocRequest(complaint_id=complaint.complaint_id, user_id=user_id)
    error = await h.fails("AssignCompanyPoc", request, CONTACT, code)
    assert reason_of(error) == reason


async def test_projection_follows_role_changes_and_deactivation(harness: Harness) -> None:
    h = harness
    complaint, _ = await sent_complaint(h)
    late = pb.AssignCompanyPocRequest(complaint_id=complaint.complaint_id, user_id=LATE.user_id)
    await h.fails("AssignCompanyPoc", late, CONTACT, NOT_FOUND)

    await h.publish(
        UserCreated(
            tenant_id="agency-ny",
            user_id=LATE.user_id,
            company_id=ACME,
            email="late@company.example.com",
            given_name="Late",
            family_name="Joiner",
            complaints_permission=ComplaintsPermission.MANAGE,
        )
    )
    assigned = (await h.call("AssignCompanyPoc", late, CONTACT)).complaint
    assert assigned.company_poc.display_name == "Late Joiner"

    await h.publish(downgrade(LATE, ComplaintsPermission.VIEW))
    await h.fails("AssignCompanyPoc", late, ADMIN, PRECONDITION)
    await h.publish(deactivate(LATE))
    error = await h.fails("AssignCompanyPoc", late, ADMIN, PRECONDITION)
    assert reason_of(error) == "user_inactive"


async def test_the_poc_adds_contributors_with_manage_permission(harness: Harness) -> None:
    h = harness
    complaint, _ = await sent_complaint(h)
    cid = complaint.complaint_id
    add = pb.AddContributorRequest(complaint_id=cid, user_id=CONTRIBUTOR.user_id)
    no_poc = await h.fails("AddContributor", add, CONTACT, DENIED)
    assert "Company POC" in no_poc.details()
    await h.call(
        "AssignCompanyPoc",
        pb.AssignCompanyPocRequest(complaint_id=cid, user_id=POC.user_id),
        CONTACT,
    )

    added = (await h.call("AddContributor", add, POC)).complaint

    assert [c.user_id for c in added.contributors] == [CONTRIBUTOR.user_id]
    viewer = pb.AddContributorRequest(complaint_id=cid, user_id=COMPANY_VIEWER.user_id)
    await h.fails("AddContributor", viewer, POC, PRECONDITION)
    self_add = pb.AddContributorRequest(complaint_id=cid, user_id=POC.user_id)
    error = await h.fails("AddContributor", self_add, POC, INVALID)
    assert "cannot also be a contributor" in error.details()


# -- drafts and responses ------------------------------------------------------------------------


async def test_drafts_are_checked_and_stay_inside_the_company(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    nothing = pb.SendDraftToPocRequest(complaint_id=cid, information_request_id=ir_id)
    error = await h.fails("SendDraftToPoc", nothing, CONTRIBUTOR, PRECONDITION)
    assert "save the draft first" in error.details()
    too_long = pb.SaveResponseDraftRequest(
        complaint_id=cid, information_request_id=ir_id, text="x" * 4001
    )
    error = await h.fails("SaveResponseDraft", too_long, CONTRIBUTOR, INVALID)
    assert "4,000" in error.details()
    bad_link = pb.SaveResponseDraftRequest(
        complaint_id=cid, information_request_id=ir_id, add_file_sharing_links=["http://x.example"]
    )
    error = await h.fails("SaveResponseDraft", bad_link, CONTRIBUTOR, INVALID)
    assert "https://" in error.details()
    await h.fails(
        "SaveResponseDraft",
        pb.SaveResponseDraftRequest(complaint_id=cid, information_request_id=ir_id, text="x"),
        COMPANY_VIEWER,
        DENIED,
    )

    save = pb.SaveResponseDraftRequest(
        complaint_id=cid,
        information_request_id=ir_id,
        text="Line one\r\nLine two",
        add_file_sharing_links=["https://share.example.com/big.zip"],
        internal_comment="Legal must check this first",
    )
    draft = (await h.call("SaveResponseDraft", save, CONTRIBUTOR)).draft
    assert draft.text == "Line one\nLine two"
    assert draft.internal_comment == "Legal must check this first"
    assert draft.last_edited_by.user_id == CONTRIBUTOR.user_id
    to_poc = pb.SendDraftToPocRequest(
        complaint_id=cid, information_request_id=ir_id, message="Ready for you"
    )
    sent = (await h.call("SendDraftToPoc", to_poc, CONTRIBUTOR)).draft
    assert sent.sent_to_poc_at.seconds > 0
    assert sent.internal_comment == "Ready for you"

    agency_copy = _ir(await get(h, cid, MANAGER), ir_id)
    assert not agency_copy.HasField("draft")
    assert "Legal" not in str(agency_copy)
    assert "Ready for you" not in str(agency_copy)
    assert _ir(await get(h, cid, COMPANY_VIEWER), ir_id).draft.text == "Line one\nLine two"


async def test_only_the_poc_submits_and_a_submitted_response_is_frozen(
    harness: Harness,
) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    submit = pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id)
    empty = await h.fails("SubmitResponse", submit, POC, INVALID)
    assert "empty" in empty.details()
    save = pb.SaveResponseDraftRequest(complaint_id=cid, information_request_id=ir_id, text="Ok")
    await h.call("SaveResponseDraft", save, CONTRIBUTOR)
    error = await h.fails("SubmitResponse", submit, CONTRIBUTOR, DENIED)
    assert "Company POC" in error.details()

    received = (await h.call("SubmitResponse", submit, POC)).information_request

    assert received.status == pb.INFORMATION_REQUEST_STATUS_RESPONSE_SENT
    assert received.submitted_responses[0].submitted_by.user_id == POC.user_id
    frozen = await h.fails("SaveResponseDraft", save, POC, PRECONDITION)
    assert "response received" in frozen.details()
    agency_copy = _ir(await get(h, cid, MANAGER), ir_id)
    assert agency_copy.submitted_responses[0].text == "Ok"


async def test_a_restricted_response_is_seen_only_by_the_poc_and_the_agency(
    harness: Harness,
) -> None:
    h = harness
    complaint, ir_id = await submitted(h, restricted=True)
    cid = complaint.complaint_id

    for actor in (POC, MANAGER):
        (response,) = _ir(await get(h, cid, actor), ir_id).submitted_responses
        assert response.restricted
        assert response.text == "Here."
    for actor in (CONTRIBUTOR, COMPANY_VIEWER, CONTACT):
        shown = _ir(await get(h, cid, actor), ir_id)
        assert list(shown.submitted_responses) == []
        assert shown.status == pb.INFORMATION_REQUEST_STATUS_RESPONSE_SENT

    back = pb.SendBackResponseRequest(
        complaint_id=cid,
        information_request_id=ir_id,
        reason="Add the escrow statement",
        new_due_date=date_pb(h.ahead(5)),
    )
    await h.call("SendBackResponse", back, MANAGER)
    assert _ir(await get(h, cid, POC), ir_id).draft.restricted
    assert not _ir(await get(h, cid, CONTRIBUTOR), ir_id).HasField("draft")
    save = pb.SaveResponseDraftRequest(complaint_id=cid, information_request_id=ir_id, text="x")
    await h.fails("SaveResponseDraft", save, CONTRIBUTOR, DENIED)


async def test_send_back_requests_need_a_reason_and_a_response_awaiting_the_agency(
    harness: Harness,
) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    ask = pb.RequestSendBackRequest(
        complaint_id=cid, information_request_id=ir_id, reason="We sent the wrong file"
    )
    too_early = await h.fails("RequestSendBack", ask, POC, PRECONDITION)
    assert "sent to company" in too_early.details()
    save = pb.SaveResponseDraftRequest(complaint_id=cid, information_request_id=ir_id, text="v1")
    await h.call("SaveResponseDraft", save, POC)
    await h.call(
        "SubmitResponse",
        pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id),
        POC,
    )
    no_reason = pb.RequestSendBackRequest(complaint_id=cid, information_request_id=ir_id)
    await h.fails("RequestSendBack", no_reason, POC, INVALID)
    await h.fails("RequestSendBack", ask, CONTRIBUTOR, DENIED)

    asked = (await h.call("RequestSendBack", ask, POC)).information_request

    assert asked.pending_send_back_request.reason == "We sent the wrong file"
    assert _ir(await get(h, cid, MANAGER), ir_id).pending_send_back_request.reason
    twice = await h.fails("RequestSendBack", ask, POC, PRECONDITION)
    assert reason_of(twice) == "send_back_already_requested"
    close = pb.CloseComplaintRequest(complaint_id=cid, reason=pb.CLOSE_REASON_DUPLICATE)
    await h.call("CloseComplaint", close, MANAGER)
    closed = await h.fails("RequestSendBack", ask, POC, PRECONDITION)
    assert "closed" in closed.details()


async def test_an_unsent_ir_does_not_exist_for_the_company(harness: Harness) -> None:
    h = harness
    complaint, _ = await with_poc(h)
    cid = complaint.complaint_id
    hidden = await add_ir(h, cid)
    save = pb.SaveResponseDraftRequest(
        complaint_id=cid, information_request_id=hidden.information_request_id, text="x"
    )
    error = await h.fails("SaveResponseDraft", save, POC, NOT_FOUND)
    assert reason_of(error) == "information_request_not_found"
