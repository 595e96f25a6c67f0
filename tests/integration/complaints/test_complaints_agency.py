"""Agency side of a complaint over real gRPC: record, review, update, POC, notes, refer, end."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import grpc
import pytest
from complaints_support import (
    ACME,
    AGENCY_ADMIN,
    CONTACT,
    MANAGER,
    MANAGER_2,
    NJ,
    NJ_MANAGER,
    NJ_MANAGER_2,
    NY,
    PA_MANAGER,
    SUPERVISOR,
    VIEWER,
    Harness,
    add_ir,
    create,
    date_pb,
    get,
    new_complaint,
    reason_of,
    send,
    sent_complaint,
)
from google.protobuf.field_mask_pb2 import FieldMask
from sqlalchemy import Engine, event

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as pb

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

INVALID = grpc.StatusCode.INVALID_ARGUMENT
PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
NOT_FOUND = grpc.StatusCode.NOT_FOUND


# -- CreateComplaint ------------------------------------------------------------------------


async def test_create_records_every_detail_and_makes_the_creator_agency_poc(
    harness: Harness,
) -> None:
    complaint = await create(harness)

    assert complaint.status == pb.COMPLAINT_STATUS_OPEN
    assert complaint.agency_id == NY
    assert complaint.company_legal_name == "Acme Mortgage LLC"
    assert re.fullmatch(rf"NY-{harness.today().year}-[0-9]{{6}}", complaint.reference_number)
    assert complaint.agency_poc.user_id == MANAGER.user_id
    assert complaint.agency_poc.display_name == "Manager AGENCY-NY"
    assert complaint.view == pb.COMPLAINT_VIEW_AGENCY
    details = complaint.details
    assert details.complainant.email == "jane@example.com"
    assert details.complainant.address.city == "Albany"
    assert details.cfpb_complaint_id == "CFPB-220101-0001"
    assert list(details.products) == ["Mortgage servicing"]
    assert list(details.categories) == ["escrow"]
    assert details.desired_outcome == "Refund of the late fee"
    assert not complaint.sent_to_company


async def test_create_with_preliminary_review_starts_pending_and_proceeds_to_open(
    harness: Harness,
) -> None:
    complaint = await create(harness, preliminary_review=True)
    assert complaint.status == pb.COMPLAINT_STATUS_PENDING_REVIEW

    request = pb.ProceedToProcessingRequest(complaint_id=complaint.complaint_id)
    opened = (await harness.call("ProceedToProcessing", request, SUPERVISOR)).complaint

    assert opened.status == pb.COMPLAINT_STATUS_OPEN
    error = await harness.fails("ProceedToProcessing", request, MANAGER, PRECONDITION)
    assert "open" in error.details()


async def test_create_names_another_agency_poc_who_must_work_complaints(harness: Harness) -> None:
    named = await create(harness, agency_poc_user_id=MANAGER_2.user_id)
    assert named.agency_poc.user_id == MANAGER_2.user_id

    error = await harness.fails(
        "CreateComplaint", new_complaint(agency_poc_user_id=VIEWER.user_id), MANAGER, PRECONDITION
    )
    assert "Complaint Manager or Supervisor" in error.details()
    await harness.fails(
        "CreateComplaint",
        new_complaint(agency_poc_user_id=NJ_MANAGER.user_id),
        MANAGER,
        NOT_FOUND,
    )


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: setattr(r, "company_id", ""), "company_id"),
        (lambda r: r.details.ClearField("received_date"), "received_date"),
        (
            lambda r: r.details.received_date.CopyFrom(common.Date(year=2025, month=2, day=30)),
            "not a calendar date",
        ),
        (lambda r: setattr(r.details, "description", "   "), "description"),
        (lambda r: setattr(r.details.complainant, "email", "not-an-email"), "e-mail address"),
        (lambda r: setattr(r.details.complainant, "phone", "call me"), "phone number"),
        (
            lambda r: (
                setattr(r.details.complainant, "given_name", ""),
                setattr(r.details.complainant, "family_name", ""),
            ),
            "first or last name",
        ),
    ],
    ids=[
        "no-company",
        "no-received-date",
        "bad-date",
        "blank-description",
        "bad-email",
        "bad-phone",
        "no-name",
    ],
)
async def test_create_refuses_bad_input_with_an_actionable_message(
    harness: Harness, mutate: object, expected: str
) -> None:
    request = new_complaint()
    mutate(request)  # type: ignore[operator]
    error = await harness.fails("CreateComplaint", request, MANAGER, INVALID)
    assert expected in error.details()


async def test_create_refuses_a_received_date_after_the_services_today(harness: Harness) -> None:
    request = new_complaint()
    request.details.received_date.CopyFrom(date_pb(harness.today() + timedelta(days=1)))
    error = await harness.fails("CreateComplaint", request, MANAGER, INVALID)
    assert "in the future" in error.details()


async def test_create_against_an_unknown_company_says_how_to_find_it(harness: Harness) -> None:
    error = await harness.fails(
        "CreateComplaint", new_complaint(company_id="SES-NOPE"), MANAGER, NOT_FOUND
    )
    assert "SearchCompanies" in error.details()
    assert reason_of(error) == "company_not_found"


@pytest.mark.parametrize(
    "actor", [VIEWER, AGENCY_ADMIN, CONTACT], ids=["viewer", "agency-admin", "company-user"]
)
async def test_only_managers_and_supervisors_create(harness: Harness, actor: object) -> None:
    error = await harness.fails("CreateComplaint", new_complaint(), actor, DENIED)  # type: ignore[arg-type]
    assert "create a complaint" in error.details()


async def test_the_same_idempotency_key_creates_one_complaint(harness: Harness) -> None:
    request = new_complaint()
    first = await harness.call("CreateComplaint", request, MANAGER, key="create-once-1")
    again = await harness.call("CreateComplaint", request, MANAGER, key="create-once-1")

    assert first.complaint.complaint_id == again.complaint.complaint_id


# -- GetComplaint and scope ------------------------------------------------------------------


async def test_another_agency_cannot_learn_that_a_complaint_exists(harness: Harness) -> None:
    complaint = await create(harness)
    request = pb.GetComplaintRequest(complaint_id=complaint.complaint_id)

    hidden = await harness.fails("GetComplaint", request, NJ_MANAGER, NOT_FOUND)
    missing = await harness.fails(
        "GetComplaint", pb.GetComplaintRequest(complaint_id="no-such-id"), NJ_MANAGER, NOT_FOUND
    )
    assert reason_of(hidden) == reason_of(missing)
    assert hidden.details().replace(complaint.complaint_id, "X") == missing.details().replace(
        "no-such-id", "X"
    )
    viewer_copy = await get(harness, complaint.complaint_id, VIEWER)
    assert viewer_copy.details.desired_outcome == "Refund of the late fee"
    cancel = pb.CancelComplaintRequest(complaint_id=complaint.complaint_id, reason="Not ours")
    await harness.fails("CancelComplaint", cancel, NJ_MANAGER, NOT_FOUND)
    await harness.fails(
        "ListHistory",
        pb.ListHistoryRequest(complaint_id=complaint.complaint_id),
        NJ_MANAGER,
        NOT_FOUND,
    )


async def test_agency_account_admin_may_not_read_complaints(harness: Harness) -> None:
    complaint = await create(harness)
    request = pb.GetComplaintRequest(complaint_id=complaint.complaint_id)
    error = await harness.fails("GetComplaint", request, AGENCY_ADMIN, DENIED)
    assert "complaints role" in error.details()


async def test_get_needs_a_complaint_id(harness: Harness) -> None:
    error = await harness.fails("GetComplaint", pb.GetComplaintRequest(), MANAGER, INVALID)
    assert "complaint_id" in error.details()


# -- UpdateComplaint -------------------------------------------------------------------------


async def test_update_changes_only_the_masked_fields(harness: Harness) -> None:
    complaint = await create(harness)
    request = pb.UpdateComplaintRequest(
        complaint_id=complaint.complaint_id,
        details=pb.ComplaintDetails(
            description="Updated narrative.",
            complainant=pb.Complainant(phone="+1 518 555 0199", given_name="Ignored"),
        ),
        update_mask=FieldMask(paths=["description", "complainant.phone"]),
    )
    updated = (await harness.call("UpdateComplaint", request, MANAGER)).complaint

    assert updated.details.description == "Updated narrative."
    assert updated.details.complainant.phone == "+1 518 555 0199"
    assert updated.details.complainant.given_name == "Jane"
    assert updated.details.complainant.address.city == "Albany"
    assert updated.details.desired_outcome == "Refund of the late fee"


@pytest.mark.parametrize(
    ("paths", "expected"),
    [([], "update_mask is empty"), (["status"], "cannot be updated")],
    ids=["empty", "unknown"],
)
async def test_update_mask_must_name_updatable_fields(
    harness: Harness, paths: list[str], expected: str
) -> None:
    complaint = await create(harness)
    request = pb.UpdateComplaintRequest(
        complaint_id=complaint.complaint_id, update_mask=FieldMask(paths=paths)
    )
    error = await harness.fails("UpdateComplaint", request, MANAGER, INVALID)
    assert expected in error.details()


async def test_a_viewer_cannot_update_and_a_canceled_complaint_cannot_change(
    harness: Harness,
) -> None:
    complaint = await create(harness)
    request = pb.UpdateComplaintRequest(
        complaint_id=complaint.complaint_id,
        details=pb.ComplaintDetails(description="x"),
        update_mask=FieldMask(paths=["description"]),
    )
    await harness.fails("UpdateComplaint", request, VIEWER, DENIED)
    cancel = pb.CancelComplaintRequest(
        complaint_id=complaint.complaint_id, reason="Duplicate entry"
    )
    await harness.call("CancelComplaint", cancel, MANAGER)
    error = await harness.fails("UpdateComplaint", request, MANAGER, PRECONDITION)
    assert "canceled" in error.details()


# -- AssignAgencyPoc ---------------------------------------------------------------------------


async def test_agency_poc_is_reassigned_to_a_manager_of_the_agency(harness: Harness) -> None:
    complaint = await create(harness)
    cid = complaint.complaint_id
    request = pb.AssignAgencyPocRequest(complaint_id=cid, user_id=SUPERVISOR.user_id)
    assigned = (await harness.call("AssignAgencyPoc", request, MANAGER)).complaint
    assert assigned.agency_poc.user_id == SUPERVISOR.user_id

    viewer = pb.AssignAgencyPocRequest(complaint_id=cid, user_id=VIEWER.user_id)
    error = await harness.fails("AssignAgencyPoc", viewer, MANAGER, PRECONDITION)
    assert reason_of(error) == "agency_poc_role"
    stranger = pb.AssignAgencyPocRequest(complaint_id=cid, user_id="nobody")
    await harness.fails("AssignAgencyPoc", stranger, MANAGER, NOT_FOUND)
    await harness.fails("AssignAgencyPoc", request, VIEWER, DENIED)


# -- alleged violations and notes ---------------------------------------------------------------


async def test_alleged_violations_need_a_citation(harness: Harness) -> None:
    complaint = await create(harness)
    request = pb.AddAllegedViolationRequest(
        complaint_id=complaint.complaint_id, citation="12 CFR 1024.35", description="Error notice"
    )
    added = (await harness.call("AddAllegedViolation", request, MANAGER)).alleged_violation
    assert added.citation == "12 CFR 1024.35"
    assert added.added_by.user_id == MANAGER.user_id

    blank = pb.AddAllegedViolationRequest(complaint_id=complaint.complaint_id, citation=" ")
    error = await harness.fails("AddAllegedViolation", blank, MANAGER, INVALID)
    assert "citation" in error.details()


async def test_notes_stay_editable_after_closure(harness: Harness) -> None:
    complaint = await create(harness)
    cid = complaint.complaint_id
    add = pb.AddResearchNoteRequest(
        complaint_id=cid, kind=pb.NOTE_KIND_COMMUNICATION, text="Called the complainant."
    )
    note = (await harness.call("AddResearchNote", add, MANAGER)).note
    assert note.kind == pb.NOTE_KIND_COMMUNICATION
    close = pb.CloseComplaintRequest(complaint_id=cid, reason=pb.CLOSE_REASON_DUPLICATE)
    await harness.call("CloseComplaint", close, MANAGER)

    edit = pb.UpdateResearchNoteRequest(
        complaint_id=cid, note_id=note.note_id, text="Called twice."
    )
    edited = (await harness.call("UpdateResearchNote", edit, SUPERVISOR)).note
    late = (await harness.call("AddResearchNote", add, MANAGER)).note

    assert edited.text == "Called twice."
    assert late.note_id != note.note_id
    missing = pb.UpdateResearchNoteRequest(complaint_id=cid, note_id="nope", text="x")
    await harness.fails("UpdateResearchNote", missing, MANAGER, NOT_FOUND)
    blank = pb.UpdateResearchNoteRequest(complaint_id=cid, note_id=note.note_id, text=" ")
    await harness.fails("UpdateResearchNote", blank, MANAGER, INVALID)


# -- referral --------------------------------------------------------------------------------


async def test_an_accepted_referral_moves_the_complaint_to_the_receiving_agency(
    harness: Harness,
) -> None:
    complaint = await create(harness)
    cid = complaint.complaint_id
    refer = pb.ReferComplaintRequest(complaint_id=cid, to_agency_id=NJ, reason="NJ licensee")
    referred = (await harness.call("ReferComplaint", refer, MANAGER)).complaint
    assert referred.status == pb.COMPLAINT_STATUS_REFERRAL_PENDING

    pending = await harness.call(
        "ListComplaints", pb.ListComplaintsRequest(referred_to_my_agency=True), NJ_MANAGER
    )
    assert cid in [c.complaint_id for c in pending.complaints]
    await harness.fails(
        "DecideReferral",
        pb.DecideReferralRequest(complaint_id=cid, decision=pb.REFERRAL_DECISION_ACCEPTED),
        MANAGER,
        DENIED,
    )
    await harness.fails(
        "DecideReferral",
        pb.DecideReferralRequest(complaint_id=cid, decision=pb.REFERRAL_DECISION_ACCEPTED),
        PA_MANAGER,
        NOT_FOUND,
    )
    decide = pb.DecideReferralRequest(
        complaint_id=cid,
        decision=pb.REFERRAL_DECISION_ACCEPTED,
        agency_poc_user_id=NJ_MANAGER_2.user_id,
    )
    accepted = (await harness.call("DecideReferral", decide, NJ_MANAGER)).complaint

    assert accepted.status == pb.COMPLAINT_STATUS_OPEN
    assert accepted.agency_id == NJ
    assert accepted.agency_poc.user_id == NJ_MANAGER_2.user_id
    assert accepted.referral.decision == pb.REFERRAL_DECISION_ACCEPTED
    await harness.fails(
        "GetComplaint", pb.GetComplaintRequest(complaint_id=cid), MANAGER, NOT_FOUND
    )
    owned = await harness.call("ListComplaints", pb.ListComplaintsRequest(), NJ_MANAGER)
    assert cid in [c.complaint_id for c in owned.complaints]
    ir = await add_ir(harness, cid, actor=NJ_MANAGER)
    assert ir.status == pb.INFORMATION_REQUEST_STATUS_DRAFT


async def test_a_rejected_referral_returns_the_complaint_to_its_owner(harness: Harness) -> None:
    complaint = await create(harness)
    cid = complaint.complaint_id
    refer = pb.ReferComplaintRequest(complaint_id=cid, to_agency_id=NJ, reason="NJ licensee")
    await harness.call("ReferComplaint", refer, MANAGER)
    reader = await get(harness, cid, NJ_MANAGER)
    assert reader.details.desired_outcome == "Refund of the late fee"

    decide = pb.DecideReferralRequest(
        complaint_id=cid, decision=pb.REFERRAL_DECISION_REJECTED, reason="Not our licensee"
    )
    rejected = (await harness.call("DecideReferral", decide, NJ_MANAGER)).complaint

    assert rejected.status == pb.COMPLAINT_STATUS_OPEN
    assert rejected.agency_id == NY
    owner_copy = await get(harness, cid, MANAGER)
    assert owner_copy.referral.decision == pb.REFERRAL_DECISION_REJECTED
    assert owner_copy.referral.decision_reason == "Not our licensee"
    await harness.fails(
        "GetComplaint", pb.GetComplaintRequest(complaint_id=cid), NJ_MANAGER, NOT_FOUND
    )
    again = await harness.fails("DecideReferral", decide, MANAGER, PRECONDITION)
    assert "referral" in again.details().lower()


async def test_referral_rules(harness: Harness) -> None:
    complaint, _ = await sent_complaint(harness)
    cid = complaint.complaint_id
    after_ir = await harness.fails(
        "ReferComplaint",
        pb.ReferComplaintRequest(complaint_id=cid, to_agency_id=NJ),
        MANAGER,
        PRECONDITION,
    )
    assert reason_of(after_ir) == "referral_after_information_request"
    fresh = await create(harness)
    to_self = await harness.fails(
        "ReferComplaint",
        pb.ReferComplaintRequest(complaint_id=fresh.complaint_id, to_agency_id=NY),
        MANAGER,
        INVALID,
    )
    assert "already holds it" in to_self.details()
    await harness.fails(
        "ReferComplaint",
        pb.ReferComplaintRequest(complaint_id=fresh.complaint_id, to_agency_id="agency-zz"),
        MANAGER,
        NOT_FOUND,
    )
    undecided = await harness.fails(
        "DecideReferral",
        pb.DecideReferralRequest(complaint_id=fresh.complaint_id),
        MANAGER,
        INVALID,
    )
    assert "REFERRAL_DECISION_ACCEPTED" in undecided.details()


# -- closing and canceling ---------------------------------------------------------------------


async def test_closing_with_monetary_relief_needs_amount_and_date(harness: Harness) -> None:
    complaint = await create(harness)
    cid = complaint.complaint_id
    incomplete = pb.CloseComplaintRequest(
        complaint_id=cid, reason=pb.CLOSE_REASON_CLOSED_WITH_MONETARY_RELIEF
    )
    error = await harness.fails("CloseComplaint", incomplete, MANAGER, INVALID)
    assert "relief amount and the relief date" in error.details()
    no_reason = await harness.fails(
        "CloseComplaint", pb.CloseComplaintRequest(complaint_id=cid), MANAGER, INVALID
    )
    assert "close reason" in no_reason.details()

    relief = pb.MonetaryRelief(
        amount=common.Money(currency_code="USD", units=1250, nanos=500_000_000),
        date=date_pb(harness.today()),
    )
    wrong_reason = pb.CloseComplaintRequest(
        complaint_id=cid, reason=pb.CLOSE_REASON_DUPLICATE, monetary_relief=relief
    )
    await harness.fails("CloseComplaint", wrong_reason, MANAGER, INVALID)
    euros = pb.CloseComplaintRequest(
        complaint_id=cid,
        reason=pb.CLOSE_REASON_CLOSED_WITH_MONETARY_RELIEF,
        monetary_relief=pb.MonetaryRelief(
            amount=common.Money(currency_code="EUR", units=5), date=date_pb(harness.today())
        ),
    )
    await harness.fails("CloseComplaint", euros, MANAGER, INVALID)
    close = pb.CloseComplaintRequest(
        complaint_id=cid,
        reason=pb.CLOSE_REASON_CLOSED_WITH_MONETARY_RELIEF,
        monetary_relief=relief,
        notes="Internal: paid by check",
    )
    closed = (await harness.call("CloseComplaint", close, MANAGER)).complaint

    assert closed.status == pb.COMPLAINT_STATUS_CLOSED
    assert closed.closure.monetary_relief.amount.units == 1250
    assert closed.closure.monetary_relief.amount.nanos == 500_000_000
    assert closed.closure.notes == "Internal: paid by check"
    final = await harness.fails("CloseComplaint", close, MANAGER, PRECONDITION)
    assert "closed" in final.details()


async def test_canceling_needs_a_reason_and_cancels_open_requests(harness: Harness) -> None:
    complaint, ir_id = await sent_complaint(harness)
    cid = complaint.complaint_id
    blank = pb.CancelComplaintRequest(complaint_id=cid, reason="  ")
    error = await harness.fails("CancelComplaint", blank, MANAGER, INVALID)
    assert "reason" in error.details()
    await harness.fails(
        "CancelComplaint", pb.CancelComplaintRequest(complaint_id=cid, reason="x"), VIEWER, DENIED
    )

    cancel = pb.CancelComplaintRequest(complaint_id=cid, reason="Complainant withdrew")
    canceled = (await harness.call("CancelComplaint", cancel, MANAGER)).complaint

    assert canceled.status == pb.COMPLAINT_STATUS_CANCELED
    assert canceled.cancellation.reason == "Complainant withdrew"
    (ir,) = canceled.information_requests
    assert ir.information_request_id == ir_id
    assert ir.status == pb.INFORMATION_REQUEST_STATUS_CANCELED
    company_copy = await get(harness, cid, CONTACT)
    assert company_copy.status == pb.COMPLAINT_STATUS_CANCELED
    assert company_copy.cancellation.reason == ""


async def test_closing_completes_requests_in_progress(harness: Harness) -> None:
    complaint = await create(harness)
    cid = complaint.complaint_id
    await add_ir(harness, cid, due=harness.ahead(5))
    await send(harness, cid)
    unsent = await add_ir(harness, cid)
    close = pb.CloseComplaintRequest(
        complaint_id=cid, reason=pb.CLOSE_REASON_CLOSED_WITH_EXPLANATION
    )
    closed = (await harness.call("CloseComplaint", close, MANAGER)).complaint

    statuses = {ir.information_request_id: ir.status for ir in closed.information_requests}
    assert statuses[unsent.information_request_id] == pb.INFORMATION_REQUEST_STATUS_CANCELED
    assert sorted(statuses.values()) == sorted(
        [pb.INFORMATION_REQUEST_STATUS_COMPLETED, pb.INFORMATION_REQUEST_STATUS_CANCELED]
    )
    assert closed.company_id == ACME


# -- what a read costs (issue 13) --------------------------------------------------------------


class _StatementsNaming:
    """The statements (of any engine in this process) whose parameters name ``value``."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.statements: list[str] = []

    def __enter__(self) -> list[str]:
        event.listen(Engine, "before_cursor_execute", self._record)
        return self.statements

    def __exit__(self, *_: object) -> None:
        event.remove(Engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        values = parameters.values() if isinstance(parameters, dict) else parameters or ()
        if self.value in [str(value) for value in values]:
            self.statements.append(statement)


async def test_get_complaint_reads_the_complaint_and_its_company_in_one_statement(
    harness: Harness,
) -> None:
    complaint = await create(harness)

    with _StatementsNaming(complaint.complaint_id) as statements:
        fetched = await get(harness, complaint.complaint_id, MANAGER)

    assert fetched.company_legal_name == "Acme Mortgage LLC"
    assert len(statements) == 1, statements
    assert "directory_companies" in statements[0]


async def _proceed_to_processing(harness: Harness) -> list[str]:
    """Open a complaint in preliminary review; the statements that named it."""
    complaint = await create(harness, preliminary_review=True)
    request = pb.ProceedToProcessingRequest(complaint_id=complaint.complaint_id)

    with _StatementsNaming(complaint.complaint_id) as statements:
        opened = (await harness.call("ProceedToProcessing", request, SUPERVISOR)).complaint

    assert opened.status == pb.COMPLAINT_STATUS_OPEN
    return statements


async def test_a_command_reads_its_complaint_in_one_statement(harness: Harness) -> None:
    statements = await _proceed_to_processing(harness)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads


async def test_a_command_writes_back_only_the_columns_it_changed(harness: Harness) -> None:
    statements = await _proceed_to_processing(harness)
    (written,) = [s for s in statements if s.lstrip().upper().startswith("UPDATE COMPLAINTS ")]
    assigned = written.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    assert "status" in assigned, written
    assert "document" in assigned, written
    # The columns (and indexes) a status change leaves alone are not rewritten.
    for unchanged in ("reference_number", "company_id", "created_at", "received_date"):
        assert unchanged not in assigned, written
