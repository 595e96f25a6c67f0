"""Complaints-context events: keep the complaint projection, announce what matters.

Events carry ids, dates and reasons but no response text (``complaint_events``); what
a notice says comes from the event and the projection, filtered per reader later. Every
complaints event carries the complaint's reference number, which the projection keeps
for the notices no event causes (due-date reminders, held IRs).

An IR sent while the company cannot be told (not enrolled yet) is held in the
projection and announced when its enrollment completes (``pre_enrollment``).
"""

from __future__ import annotations

from ses_core.identity import Side
from ses_core.lifecycle import ComplaintStatus, InformationRequestStatus
from ses_core.models import complaint_events as ce
from ses_core.models.complaint_parts import Party
from ses_core.notifications import Topic
from ses_notify.complaint_notices import complaint_notice, information_requests_sent_notice
from ses_notify.notices import Notice
from ses_notify.registry import handles
from ses_notify.unit_of_work import NotifyUnitOfWork

IR = InformationRequestStatus


def _notice(
    uow: NotifyUnitOfWork,
    topic: Topic,
    event: ce.ComplaintEvent,
    *,
    named: tuple[str, ...] = (),
    restricted_response: bool = False,
    to_side: Side | None = None,
    **details: object,
) -> Notice:
    return complaint_notice(
        uow,
        topic,
        complaint_id=event.complaint_id,
        reference_number=event.reference_number,
        information_request_id=getattr(event, "information_request_id", ""),
        company_id=event.company_id,
        tenant_id=event.tenant_id,
        actor_id=event.actor_id,
        named=named,
        restricted_response=restricted_response,
        to_side=to_side,
        **details,
    )


def _restricted(uow: NotifyUnitOfWork, information_request_id: str) -> bool:
    known = uow.projection.information_request(information_request_id)
    return bool(known and known.restricted_response)


def _save_complaint(uow: NotifyUnitOfWork, event: ce.ComplaintEvent, **values: object) -> None:
    uow.projection.ensure_complaint(event.complaint_id, event.tenant_id, event.company_id)
    if event.reference_number:
        values = {"reference_number": event.reference_number, **values}
    if values:
        uow.projection.update_complaint(event.complaint_id, **values)


def _save_ir(uow: NotifyUnitOfWork, event: ce.InformationRequestEvent, **values: object) -> None:
    _save_complaint(uow, event)
    complaint = uow.projection.complaint_row(event.complaint_id)
    tenant = complaint["tenant_id"] if complaint else event.tenant_id
    ir_id = event.information_request_id
    uow.projection.ensure_information_request(ir_id, event.complaint_id, tenant)
    if values:
        uow.projection.update_information_request(ir_id, **values)


# -- the complaint itself ----------------------------------------------------------------------


@handles(ce.ComplaintCreated)
def _created(event: ce.ComplaintCreated, uow: NotifyUnitOfWork) -> None:
    _save_complaint(
        uow, event, status=event.status.value, agency_poc_id=event.agency_poc_id or None
    )


@handles(ce.ComplaintOpened)
def _opened(event: ce.ComplaintOpened, uow: NotifyUnitOfWork) -> None:
    _save_complaint(uow, event, status=ComplaintStatus.OPEN.value)


@handles(ce.AgencyPocAssigned)
def _agency_poc(event: ce.AgencyPocAssigned, uow: NotifyUnitOfWork) -> None:
    _save_complaint(uow, event, agency_poc_id=event.agency_poc_id)


@handles(ce.ReferralDecided)
def _referral_decided(event: ce.ReferralDecided, uow: NotifyUnitOfWork) -> None:
    owner = event.to_agency_id if event.accepted else event.from_agency_id
    _save_complaint(
        uow,
        event,
        tenant_id=owner,
        agency_poc_id=event.agency_poc_id or None,
        status=ComplaintStatus.OPEN.value,
    )


@handles(ce.CompanyPocAssigned)
def _company_poc(event: ce.CompanyPocAssigned, uow: NotifyUnitOfWork) -> Notice:
    _save_complaint(uow, event, company_poc_id=event.company_poc_id)
    return _notice(uow, Topic.COMPANY_POC_ASSIGNED, event, named=(event.company_poc_id,))


@handles(ce.ContributorAdded)
def _contributor(event: ce.ContributorAdded, uow: NotifyUnitOfWork) -> Notice:
    _save_complaint(uow, event)
    uow.projection.add_contributor(event.complaint_id, event.contributor_id)
    return _notice(uow, Topic.CONTRIBUTOR_ADDED, event, named=(event.contributor_id,))


@handles(ce.InteractionPosted)
def _interaction(event: ce.InteractionPosted, uow: NotifyUnitOfWork) -> Notice:
    """A message on the Interactions tab is news for the other side; the text stays in SES."""
    _save_complaint(uow, event)
    from_agency = event.party is Party.AGENCY
    return _notice(
        uow,
        Topic.INTERACTION_POSTED,
        event,
        to_side=Side.COMPANY if from_agency else Side.AGENCY,
        posted_by=Side.AGENCY.value if from_agency else Side.COMPANY.value,
        attachment_count=event.file_count,
    )


@handles(ce.ComplaintClosed)
def _closed(event: ce.ComplaintClosed, uow: NotifyUnitOfWork) -> Notice:
    _save_complaint(uow, event, status=ComplaintStatus.CLOSED.value)
    uow.projection.close_information_requests(event.complaint_id, IR.COMPLETED.value)
    shared = event.shared_with_company
    return _notice(
        uow,
        Topic.COMPLAINT_CLOSED,
        event,
        close_reason=event.close_reason,
        comments_for_company=event.comments_for_company if shared else "",
        shared_document_count=len(event.documents_for_company) if shared else 0,
    )


@handles(ce.ComplaintCanceled)
def _canceled(event: ce.ComplaintCanceled, uow: NotifyUnitOfWork) -> Notice:
    _save_complaint(uow, event, status=ComplaintStatus.CANCELED.value)
    uow.projection.close_information_requests(event.complaint_id, IR.CANCELED.value)
    # Without details: the cancellation reason is the agency's business.
    return _notice(uow, Topic.COMPLAINT_CANCELED, event)


# -- information requests ----------------------------------------------------------------------


@handles(ce.InformationRequestAdded)
def _ir_added(event: ce.InformationRequestAdded, uow: NotifyUnitOfWork) -> None:
    _save_ir(uow, event, due_date=event.due_date)


@handles(ce.InformationRequestSent)
def _ir_sent(event: ce.InformationRequestSent, uow: NotifyUnitOfWork) -> Notice | None:
    _save_ir(
        uow,
        event,
        state=IR.SENT_TO_COMPANY.value,
        due_date=event.due_date,
        sent_event_id=event.event_id,
    )
    _save_complaint(uow, event, information_requests_sent=True)
    parties = uow.projection.parties(event.complaint_id)
    company_id = parties.company_id if parties else event.company_id
    if not uow.projection.company_reachable(company_id):
        # Nobody at the company can be told yet: announced when its enrollment completes.
        uow.projection.update_information_request(
            event.information_request_id, awaiting_enrollment=True
        )
        return None
    return information_requests_sent_notice(
        uow,
        complaint_id=event.complaint_id,
        reference_number=event.reference_number,
        information_request_id=event.information_request_id,
        due_date=event.due_date,
        actor_id=event.actor_id,
    )


@handles(ce.DueDateExtended)
def _due_date_extended(event: ce.DueDateExtended, uow: NotifyUnitOfWork) -> Notice:
    _save_ir(uow, event, due_date=event.due_date)
    return _notice(
        uow,
        Topic.DUE_DATE_CHANGED,
        event,
        due_date=event.due_date,
        previous_due_date=event.previous_due_date,
    )


@handles(ce.ReminderSent)
def _reminder(event: ce.ReminderSent, uow: NotifyUnitOfWork) -> Notice:
    return _notice(
        uow, Topic.INFORMATION_REQUEST_REMINDER, event, due_date=event.due_date, note=event.note
    )


@handles(ce.InformationRequestCanceled)
def _ir_canceled(event: ce.InformationRequestCanceled, uow: NotifyUnitOfWork) -> Notice | None:
    _save_ir(uow, event, state=IR.CANCELED.value)
    if event.cascaded:
        return None  # the complaint's closure or cancellation notice says it all
    return _notice(uow, Topic.INFORMATION_REQUEST_CANCELED, event, reason=event.reason)


@handles(ce.InformationRequestCompleted)
def _ir_completed(event: ce.InformationRequestCompleted, uow: NotifyUnitOfWork) -> None:
    _save_ir(uow, event, state=IR.COMPLETED.value)


@handles(ce.DraftSentToPoc)
def _draft_sent(event: ce.DraftSentToPoc, uow: NotifyUnitOfWork) -> Notice:
    return _notice(
        uow,
        Topic.DRAFT_SENT_TO_POC,
        event,
        restricted_response=_restricted(uow, event.information_request_id),
    )


@handles(ce.ResponseSubmitted)
def _submitted(event: ce.ResponseSubmitted, uow: NotifyUnitOfWork) -> Notice:
    _save_ir(uow, event, state=IR.RESPONSE_RECEIVED.value, restricted_response=event.restricted)
    return _notice(
        uow,
        Topic.RESPONSE_SUBMITTED,
        event,
        restricted_response=event.restricted,
        restricted=event.restricted,
        submission_number=event.submission_number,
        file_count=event.file_count,
        link_count=event.link_count,
    )


@handles(ce.SendBackRequested)
def _send_back_requested(event: ce.SendBackRequested, uow: NotifyUnitOfWork) -> Notice:
    return _notice(
        uow,
        Topic.SEND_BACK_REQUESTED,
        event,
        restricted_response=_restricted(uow, event.information_request_id),
        reason=event.reason,
    )


@handles(ce.ResponseSentBack)
def _sent_back(event: ce.ResponseSentBack, uow: NotifyUnitOfWork) -> Notice:
    restricted = _restricted(uow, event.information_request_id)
    _save_ir(uow, event, state=IR.SENT_BACK.value, due_date=event.due_date)
    return _notice(
        uow,
        Topic.RESPONSE_SENT_BACK,
        event,
        restricted_response=restricted,
        send_back_reason=event.reason,
        due_date=event.due_date,
    )
