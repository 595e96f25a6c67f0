"""The complaint aggregate: creation, details, referral, closing, canceling, company side."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from model_test_support import (  # type: ignore[import-not-found]
    AGENCY,
    COMPANY,
    DUE,
    MANAGER,
    NOW,
    POC,
)
from pydantic import ValidationError

from ses_core.errors import InvalidTransition, NotFound, PreconditionFailed, ValidationFailed
from ses_core.lifecycle import CloseReason, ComplaintStatus, InformationRequestStatus
from ses_core.models import Complainant, Complaint, InformationRequest, NoteKind, Party
from ses_core.models import complaint_events as ev

# -- creation ----------------------------------------------------------------------------


def test_a_new_complaint_is_open_and_announced(new_complaint: Callable[..., Complaint]) -> None:
    complaint = Complaint.create(
        reference_number=" NY-2025-000001 ",
        tenant_id=AGENCY,
        company_id=COMPANY,
        complainant=Complainant(first_name=" Ada ", phone="+1 (212) 555-0100 ext 4"),
        received_date=date(2025, 4, 28),
        description="  Escrow payment applied twice. ",
        products=["Mortgage", " Mortgage ", "", "Escrow"],
        cfpb_id="  ",
        now=NOW,
        by=MANAGER,
    )
    assert complaint.status is ComplaintStatus.OPEN
    assert complaint.agency_poc_id == MANAGER
    assert complaint.description == "Escrow payment applied twice."
    assert complaint.products == ["Mortgage", "Escrow"]
    assert complaint.cfpb_id is None
    assert complaint.complainant.first_name == "Ada"
    assert complaint.reference_number == "NY-2025-000001"
    [created] = complaint.pull_events()
    assert isinstance(created, ev.ComplaintCreated)
    assert created.reference_number == "NY-2025-000001"
    assert (created.tenant_id, created.complaint_id, created.company_id) == (
        AGENCY,
        complaint.id,
        COMPANY,
    )
    assert (created.actor_id, created.occurred_at, created.status) == (
        MANAGER,
        NOW,
        ComplaintStatus.OPEN,
    )


def test_a_complaint_may_start_in_preliminary_review(
    new_complaint: Callable[..., Complaint],
) -> None:
    complaint = new_complaint(preliminary_review=True, agency_poc_id="examiner-7")
    path = [complaint.status]
    complaint.proceed_to_processing(NOW, by=MANAGER)
    path.append(complaint.status)
    assert path == [ComplaintStatus.PENDING_REVIEW, ComplaintStatus.OPEN]
    assert complaint.agency_poc_id == "examiner-7"
    assert [type(e) for e in complaint.pull_events()] == [ev.ComplaintOpened]


def test_proceeding_twice_is_refused(complaint: Complaint) -> None:
    with pytest.raises(InvalidTransition, match="proceed to processing"):
        complaint.proceed_to_processing(NOW, by=MANAGER)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"description": "  "}, "description_required"),
        ({"company_id": ""}, "id_required"),
        ({"complainant": Complainant(email="a@b.co")}, "complainant_name_required"),
        ({"complainant": Complainant(last_name="X", email="not-an-address")}, "email_invalid"),
        ({"complainant": Complainant(last_name="X", phone="call me")}, "phone_invalid"),
        ({"complainant": Complainant(last_name="X", phone="555-12")}, "phone_invalid"),
        ({"received_date": date(2025, 5, 2)}, "received_date_in_future"),
        ({"document_file_ids": ["f1", " "]}, "id_required"),
    ],
)
def test_creation_refuses_bad_details(
    new_complaint: Callable[..., Complaint], overrides: dict[str, object], reason: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        new_complaint(**overrides)
    assert err.value.reason == reason


def test_received_today_in_new_york_is_accepted_late_in_the_evening(
    new_complaint: Callable[..., Complaint],
) -> None:
    # 23:30 in New York on 1 May is 2 May in UTC; "today" is still 1 May.
    complaint = new_complaint(
        received_date=date(2025, 5, 1), now=datetime(2025, 5, 2, 3, 30, tzinfo=UTC)
    )
    assert complaint.received_date == date(2025, 5, 1)


def test_a_naive_clock_reading_is_refused(new_complaint: Callable[..., Complaint]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        new_complaint(now=datetime(2025, 5, 1, 10, 0))


# -- status is guarded -------------------------------------------------------------------


def test_status_cannot_be_assigned_by_a_service(complaint: Complaint) -> None:
    with pytest.raises(ValidationError, match="frozen"):
        complaint.status = ComplaintStatus.CLOSED
    assert complaint.status is ComplaintStatus.OPEN


def test_a_stored_complaint_round_trips_and_keeps_collecting_request_events(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    stored = complaint.model_dump(mode="json")
    loaded = Complaint.model_validate(stored)
    assert loaded == complaint
    loaded.information_request(sent_request.id).send_reminder(NOW, by=MANAGER)
    assert [type(e) for e in loaded.pull_events()] == [ev.ReminderSent]
    assert loaded.pull_events() == []


# -- details, POCs, violations, notes ------------------------------------------------------


def test_updating_details_reports_only_what_changed(complaint: Complaint) -> None:
    complaint.update_details(
        NOW,
        by=MANAGER,
        description="Escrow payment applied twice.",
        products=["Mortgage"],
        internal_categories=["Escrow"],
        cfpb_id=" 250428-1234567 ",
        desired_outcome=" Refund ",
        complainant_restricted=True,
    )
    [updated] = complaint.pull_events()
    assert isinstance(updated, ev.ComplaintUpdated)
    assert updated.changed_fields == (
        "complainant_restricted",
        "cfpb_id",
        "products",
        "internal_categories",
        "desired_outcome",
    )
    assert complaint.cfpb_id == "250428-1234567"
    complaint.update_details(NOW, by=MANAGER, products=["Mortgage"])
    assert complaint.pull_events() == []


def test_updating_details_validates_them(complaint: Complaint) -> None:
    with pytest.raises(ValidationFailed):
        complaint.update_details(NOW, by=MANAGER, received_date=date(2026, 1, 1))
    complaint.update_details(
        NOW,
        by=MANAGER,
        complainant=Complainant(first_name="Grace"),
        received_date=date(2025, 4, 1),
        document_file_ids=["doc-1"],
        cfpb_id="",
    )
    assert complaint.complainant.first_name == "Grace"
    assert complaint.document_file_ids == ["doc-1"]
    assert complaint.cfpb_id is None


def test_assigning_the_agency_poc_names_the_previous_one(complaint: Complaint) -> None:
    complaint.assign_agency_poc("manager-2", NOW, by=MANAGER)
    complaint.assign_agency_poc("manager-2", NOW, by=MANAGER)
    [assigned] = complaint.pull_events()
    assert isinstance(assigned, ev.AgencyPocAssigned)
    assert (assigned.agency_poc_id, assigned.previous_agency_poc_id) == ("manager-2", MANAGER)


def test_alleged_violations_need_a_citation(complaint: Complaint) -> None:
    violation = complaint.add_alleged_violation(
        "12 CFR 1024.34", NOW, by=MANAGER, description="Escrow refund late."
    )
    assert complaint.alleged_violations == [violation]
    [added] = complaint.pull_events()
    assert isinstance(added, ev.AllegedViolationAdded)
    assert added.citation == "12 CFR 1024.34"
    with pytest.raises(ValidationFailed, match="citation"):
        complaint.add_alleged_violation(" ", NOW, by=MANAGER)


@pytest.mark.parametrize("ending", ["close", "cancel"])
def test_research_notes_stay_editable_after_the_complaint_ends(
    complaint: Complaint, ending: str
) -> None:
    note = complaint.add_research_note("Called the servicer.", NOW, by=MANAGER)
    if ending == "close":
        complaint.close(CloseReason.CLOSED_WITH_EXPLANATION, NOW, by=MANAGER)
    else:
        complaint.cancel("Filed in error.", NOW, by=MANAGER)
    later = datetime(2025, 6, 1, 14, 0, tzinfo=UTC)
    complaint.edit_research_note(note.id, "Servicer confirmed the refund.", later, by="manager-2")
    extra = complaint.add_research_note(
        "Consumer thanked us.", later, by=MANAGER, kind=NoteKind.COMMUNICATION
    )
    [edited, _] = complaint.research_notes
    assert (edited.text, edited.updated_by, edited.updated_at) == (
        "Servicer confirmed the refund.",
        "manager-2",
        later,
    )
    assert edited.created_at == NOW
    assert extra.kind is NoteKind.COMMUNICATION
    assert [type(e) for e in complaint.pull_events()][-2:] == [
        ev.ResearchNoteEdited,
        ev.ResearchNoteAdded,
    ]


def test_editing_an_unknown_note_or_blanking_one_is_refused(complaint: Complaint) -> None:
    note = complaint.add_research_note("First call.", NOW, by=MANAGER)
    with pytest.raises(NotFound, match="no note"):
        complaint.edit_research_note("nope", "text", NOW, by=MANAGER)
    with pytest.raises(ValidationFailed, match="note's text"):
        complaint.edit_research_note(note.id, "   ", NOW, by=MANAGER)


# -- referral ----------------------------------------------------------------------------


def test_referral_before_any_request_was_sent_goes_pending(complaint: Complaint) -> None:
    complaint.add_information_request("Unsent draft.", NOW, by=MANAGER)
    complaint.pull_events()
    complaint.refer("agency-nj", NOW, by=MANAGER, note=" Consumer lives in NJ ")
    assert complaint.status is ComplaintStatus.REFERRAL_PENDING
    assert complaint.pending_referral is not None
    assert complaint.pending_referral.note == "Consumer lives in NJ"
    [referred] = complaint.pull_events()
    assert isinstance(referred, ev.ComplaintReferred)
    assert (referred.from_agency_id, referred.to_agency_id) == (AGENCY, "agency-nj")


def test_referral_after_a_request_was_sent_is_refused(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    with pytest.raises(PreconditionFailed, match="only before any information request"):
        complaint.refer("agency-nj", NOW, by=MANAGER)
    assert complaint.status is ComplaintStatus.OPEN
    assert complaint.referrals == []


def test_referral_to_the_holding_agency_is_refused(complaint: Complaint) -> None:
    with pytest.raises(ValidationFailed, match="already holds it"):
        complaint.refer(AGENCY, NOW, by=MANAGER)


def test_an_accepted_referral_moves_the_complaint_to_the_receiving_agency(
    complaint: Complaint,
) -> None:
    draft = complaint.add_information_request("Unsent draft.", NOW, by=MANAGER)
    complaint.refer("agency-nj", NOW, by=MANAGER)
    complaint.pull_events()
    complaint.decide_referral(True, NOW, by="nj-manager", agency_poc_id="nj-examiner")
    assert complaint.status is ComplaintStatus.OPEN
    assert (complaint.tenant_id, complaint.agency_poc_id) == ("agency-nj", "nj-examiner")
    assert draft.tenant_id == "agency-nj"
    assert complaint.pending_referral is None
    assert complaint.referrals[-1].accepted is True
    [decided] = complaint.pull_events()
    assert isinstance(decided, ev.ReferralDecided)
    assert (decided.tenant_id, decided.accepted, decided.agency_poc_id) == (
        "agency-nj",
        True,
        "nj-examiner",
    )


def test_a_rejected_referral_returns_the_complaint_to_its_owner(complaint: Complaint) -> None:
    complaint.refer("agency-nj", NOW, by=MANAGER)
    complaint.decide_referral(False, NOW, by="nj-manager", note="Not ours.")
    assert complaint.status is ComplaintStatus.OPEN
    assert (complaint.tenant_id, complaint.agency_poc_id) == (AGENCY, MANAGER)
    assert complaint.referrals[-1].accepted is False
    assert complaint.referrals[-1].decision_note == "Not ours."


def test_deciding_without_a_pending_referral_is_refused(complaint: Complaint) -> None:
    with pytest.raises(InvalidTransition, match="accept referral"):
        complaint.decide_referral(True, NOW, by="nj-manager")


def test_a_pending_referral_blocks_the_work(complaint: Complaint) -> None:
    complaint.refer("agency-nj", NOW, by=MANAGER)
    with pytest.raises(InvalidTransition, match="referral pending"):
        complaint.add_information_request("Question.", NOW, by=MANAGER)
    with pytest.raises(InvalidTransition):
        complaint.close(CloseReason.DUPLICATE, NOW, by=MANAGER)


# -- closing and canceling ---------------------------------------------------------------


def test_closing_needs_a_reason_and_changes_nothing_when_refused(
    complaint: Complaint, sent_request: InformationRequest
) -> None:
    with pytest.raises(ValidationFailed, match="close reason"):
        complaint.close(None, NOW, by=MANAGER)
    assert complaint.status is ComplaintStatus.OPEN
    assert sent_request.status is InformationRequestStatus.SENT_TO_COMPANY
    assert complaint.pull_events() == []


def test_monetary_relief_needs_amount_and_date(complaint: Complaint) -> None:
    with pytest.raises(ValidationFailed, match="relief amount and the relief date"):
        complaint.close(CloseReason.CLOSED_WITH_MONETARY_RELIEF, NOW, by=MANAGER)
    complaint.close(
        CloseReason.CLOSED_WITH_MONETARY_RELIEF,
        NOW,
        by=MANAGER,
        relief_amount=Decimal("250.00"),
        relief_date=date(2025, 4, 30),
    )
    assert complaint.closure is not None
    assert complaint.closure.relief_amount == Decimal("250.00")
    [closed] = complaint.pull_events()
    assert isinstance(closed, ev.ComplaintClosed)
    assert closed.payload()["relief_amount"] == "250.00"


def test_closing_completes_requests_in_progress_and_cancels_drafts(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    unsent = complaint.add_information_request("Unsent.", NOW, by=MANAGER)
    complaint.pull_events()
    complaint.close(
        CloseReason.CLOSED_WITH_EXPLANATION,
        NOW,
        by=MANAGER,
        comments=" Resolved by refund. ",
        share_with_company=True,
        document_file_ids=["closure-letter"],
    )
    assert complaint.status is ComplaintStatus.CLOSED
    assert answered_request.status is InformationRequestStatus.COMPLETED
    assert unsent.status is InformationRequestStatus.CANCELED
    events = complaint.pull_events()
    assert [type(e) for e in events] == [
        ev.InformationRequestCompleted,
        ev.InformationRequestCanceled,
        ev.ComplaintClosed,
    ]
    completed, canceled, closed = events
    assert isinstance(completed, ev.InformationRequestCompleted)
    assert completed.cascaded
    assert isinstance(canceled, ev.InformationRequestCanceled)
    assert canceled.cascaded
    assert isinstance(closed, ev.ComplaintClosed)
    assert closed.comments_for_company == "Resolved by refund."
    assert closed.documents_for_company == ("closure-letter",)


def test_close_comments_stay_with_the_agency_unless_shared(complaint: Complaint) -> None:
    complaint.close(CloseReason.INVALID, NOW, by=MANAGER, comments="Internal only.")
    [closed] = complaint.pull_events()
    assert isinstance(closed, ev.ComplaintClosed)
    assert (closed.shared_with_company, closed.comments_for_company) == (False, "")
    assert complaint.closure is not None
    assert complaint.closure.comments == "Internal only."


def test_a_complaint_in_preliminary_review_cannot_be_closed(
    new_complaint: Callable[..., Complaint],
) -> None:
    complaint = new_complaint(preliminary_review=True)
    with pytest.raises(InvalidTransition, match="pending review"):
        complaint.close(CloseReason.DUPLICATE, NOW, by=MANAGER)


def test_canceling_needs_a_reason_and_cancels_every_open_request(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    unsent = complaint.add_information_request("Unsent.", NOW, by=MANAGER)
    other = complaint.add_information_request("Second.", NOW, by=MANAGER)
    complaint.send_information_requests(NOW, by=MANAGER, ir_ids=[other.id], default_due_date=DUE)
    complaint.pull_events()
    with pytest.raises(ValidationFailed, match="reason to cancel"):
        complaint.cancel("  ", NOW, by=MANAGER)
    path = [complaint.status]
    complaint.cancel(" Consumer withdrew. ", NOW, by=MANAGER)
    path.append(complaint.status)
    assert path == [ComplaintStatus.OPEN, ComplaintStatus.CANCELED]
    statuses = {ir.status for ir in (answered_request, unsent, other)}
    assert statuses == {InformationRequestStatus.CANCELED}
    assert complaint.cancellation is not None
    assert complaint.cancellation.reason == "Consumer withdrew."
    events = complaint.pull_events()
    assert [type(e) for e in events] == [ev.InformationRequestCanceled] * 3 + [ev.ComplaintCanceled]


def test_canceling_leaves_completed_requests_completed(
    complaint: Complaint, answered_request: InformationRequest
) -> None:
    answered_request.complete(NOW, by=MANAGER)
    complaint.cancel("Duplicate of another complaint.", NOW, by=MANAGER)
    assert answered_request.status is InformationRequestStatus.COMPLETED


@pytest.mark.parametrize("ending", ["close", "cancel"])
def test_an_ended_complaint_is_never_reopened_or_worked_on(
    complaint: Complaint, sent_request: InformationRequest, ending: str
) -> None:
    if ending == "close":
        complaint.close(CloseReason.DUPLICATE, NOW, by=MANAGER)
    else:
        complaint.cancel("Filed twice.", NOW, by=MANAGER)
    final = complaint.status
    attempts: list[Callable[[], object]] = [
        lambda: complaint.proceed_to_processing(NOW, by=MANAGER),
        lambda: complaint.update_details(NOW, by=MANAGER, description="New."),
        lambda: complaint.assign_agency_poc("m2", NOW, by=MANAGER),
        lambda: complaint.add_alleged_violation("12 CFR 1024", NOW, by=MANAGER),
        lambda: complaint.add_information_request("More?", NOW, by=MANAGER),
        lambda: complaint.send_information_requests(NOW, by=MANAGER),
        lambda: complaint.assign_company_poc("poc-2", NOW, by="contact-1"),
        lambda: complaint.add_contributor("c-1", NOW, by=POC),
        lambda: complaint.post_interaction(Party.AGENCY, NOW, by=MANAGER, text="Hi"),
        lambda: complaint.request_send_back(sent_request.id, "Why", NOW, by=POC),
        lambda: complaint.refer("agency-nj", NOW, by=MANAGER),
        lambda: complaint.decide_referral(True, NOW, by=MANAGER),
        lambda: complaint.close(CloseReason.INVALID, NOW, by=MANAGER),
        lambda: complaint.cancel("Again.", NOW, by=MANAGER),
        lambda: sent_request.send_reminder(NOW, by=MANAGER),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidTransition, match="final and allows nothing"):
            attempt()
    assert complaint.status is final


# -- company side ------------------------------------------------------------------------


def test_the_company_poc_is_assigned_once_and_reassignable(complaint: Complaint) -> None:
    complaint.assign_company_poc(POC, NOW, by="contact-1")
    complaint.assign_company_poc(POC, NOW, by="contact-1")
    complaint.add_contributor("writer-1", NOW, by=POC)
    complaint.assign_company_poc("writer-1", NOW, by="admin-1")
    assert complaint.company_poc_id == "writer-1"
    assert complaint.contributor_ids == []
    assigned = [e for e in complaint.pull_events() if isinstance(e, ev.CompanyPocAssigned)]
    assert [(e.company_poc_id, e.previous_company_poc_id) for e in assigned] == [
        (POC, None),
        ("writer-1", POC),
    ]


def test_the_company_poc_waits_for_the_preliminary_review(
    new_complaint: Callable[..., Complaint],
) -> None:
    complaint = new_complaint(preliminary_review=True)
    with pytest.raises(InvalidTransition, match="pending review"):
        complaint.assign_company_poc(POC, NOW, by="contact-1")


def test_contributors_need_a_poc_and_are_not_the_poc(complaint: Complaint) -> None:
    with pytest.raises(PreconditionFailed, match="assign a Company POC first"):
        complaint.add_contributor("writer-1", NOW, by=POC)
    complaint.assign_company_poc(POC, NOW, by="contact-1")
    with pytest.raises(ValidationFailed, match="cannot also be a contributor"):
        complaint.add_contributor(POC, NOW, by=POC)
    complaint.pull_events()
    complaint.add_contributor("writer-1", NOW, by=POC)
    complaint.add_contributor("writer-1", NOW, by=POC)
    assert complaint.contributor_ids == ["writer-1"]
    [added] = complaint.pull_events()
    assert isinstance(added, ev.ContributorAdded)
    assert added.contributor_id == "writer-1"


def test_interactions_carry_a_message_or_a_file(complaint: Complaint) -> None:
    with pytest.raises(ValidationFailed, match="message or an attached file"):
        complaint.post_interaction(Party.COMPANY, NOW, by=POC, text="  ")
    posted = complaint.post_interaction(Party.COMPANY, NOW, by=POC, file_ids=["scan-1", "scan-1"])
    assert posted.file_ids == ("scan-1",)
    assert complaint.interactions == [posted]
    [event] = complaint.pull_events()
    assert isinstance(event, ev.InteractionPosted)
    assert (event.party, event.file_count) == (Party.COMPANY, 1)


def test_information_request_lookup_names_a_missing_id(complaint: Complaint) -> None:
    with pytest.raises(NotFound, match="no information request 'ir-9'"):
        complaint.information_request("ir-9")


def test_a_stored_complaint_stamps_its_reference_on_every_event(
    new_complaint: Callable[..., Complaint],
) -> None:
    complaint = new_complaint(reference_number="NJ-2025-000007")
    complaint.add_information_request("Question.", NOW, by=MANAGER, due_date=DUE, ir_id="ir-1")
    stored = Complaint.model_validate(complaint.model_dump(mode="json"))
    stored.send_information_requests(NOW, by=MANAGER)
    stored.information_request("ir-1").extend_due_date(date(2025, 5, 20), NOW, by=MANAGER)
    stored.assign_company_poc(POC, NOW, by="contact-1")
    events = stored.pull_events()
    assert len(events) == 3
    assert {event.reference_number for event in events} == {"NJ-2025-000007"}  # type: ignore[attr-defined]
