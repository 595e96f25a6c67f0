"""Events of the complaints context, raised by ``Complaint`` and its information requests.

Every event names the complaint (its id and its reference number, the name people
read in notices), the company and the actor (empty when the system acted).
``tenant_id`` is the agency that owns the complaint when the event happened. Events
carry ids, dates and reasons, never response text or other agency-only details
beyond what the receiver needs to notify someone: a consumer that needs more asks
the complaints service.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from ses_core.events import DomainEvent
from ses_core.lifecycle.complaint import CloseReason, ComplaintStatus
from ses_core.models.complaint_parts import NoteKind, Party


class ComplaintEvent(DomainEvent):
    context: ClassVar[str] = "complaints"

    complaint_id: str
    company_id: str
    actor_id: str = ""
    reference_number: str = ""
    """The complaint's reference number (``complaint_reference``); empty only on events
    published before events carried it."""


class InformationRequestEvent(ComplaintEvent):
    information_request_id: str


class ComplaintCreated(ComplaintEvent):
    status: ComplaintStatus
    received_date: date
    agency_poc_id: str
    cfpb_id: str | None = None


class ComplaintOpened(ComplaintEvent):
    """The preliminary review ended and the complaint is being processed."""


class ComplaintUpdated(ComplaintEvent):
    changed_fields: tuple[str, ...]


class AgencyPocAssigned(ComplaintEvent):
    agency_poc_id: str
    previous_agency_poc_id: str | None = None


class AllegedViolationAdded(ComplaintEvent):
    violation_id: str
    citation: str


class ResearchNoteAdded(ComplaintEvent):
    note_id: str
    kind: NoteKind


class ResearchNoteEdited(ComplaintEvent):
    note_id: str


class ComplaintReferred(ComplaintEvent):
    from_agency_id: str
    to_agency_id: str


class ReferralDecided(ComplaintEvent):
    from_agency_id: str
    to_agency_id: str
    accepted: bool
    agency_poc_id: str


class ComplaintClosed(ComplaintEvent):
    close_reason: CloseReason
    relief_amount: Decimal | None = None
    relief_date: date | None = None
    shared_with_company: bool = False
    comments_for_company: str = ""
    documents_for_company: tuple[str, ...] = ()


class ComplaintCanceled(ComplaintEvent):
    reason: str


class CompanyPocAssigned(ComplaintEvent):
    company_poc_id: str
    previous_company_poc_id: str | None = None


class ContributorAdded(ComplaintEvent):
    contributor_id: str


class InteractionPosted(ComplaintEvent):
    interaction_id: str
    party: Party
    file_count: int = 0


class InformationRequestAdded(InformationRequestEvent):
    due_date: date | None = None


class InformationRequestUpdated(InformationRequestEvent):
    changed_fields: tuple[str, ...]


class InformationRequestSent(InformationRequestEvent):
    due_date: date


class DueDateExtended(InformationRequestEvent):
    previous_due_date: date
    due_date: date
    original_due_date: date


class ReminderSent(InformationRequestEvent):
    due_date: date
    note: str = ""


class InformationRequestCanceled(InformationRequestEvent):
    reason: str = ""
    cascaded: bool = False
    """True when the complaint's closure or cancellation ended the request."""


class ResponseDrafted(InformationRequestEvent):
    restricted: bool = False


class DraftSentToPoc(InformationRequestEvent):
    company_poc_id: str


class ResponseSubmitted(InformationRequestEvent):
    restricted: bool
    submission_number: int
    file_count: int = 0
    link_count: int = 0


class QuickLookMarked(InformationRequestEvent):
    pass


class SendBackRequested(InformationRequestEvent):
    reason: str


class ResponseSentBack(InformationRequestEvent):
    reason: str
    due_date: date
    previous_due_date: date | None = None
    """The due date the returned response answered; None only on events published before
    send-backs recorded it."""


class InformationRequestCompleted(InformationRequestEvent):
    cascaded: bool = False
    """True when the complaint's closure ended the request."""


class FilePlacement(StrEnum):
    """Where on a complaint a file was attached."""

    COMPLAINT_DOCUMENT = "complaint_document"
    INFORMATION_REQUEST = "information_request"
    RESPONSE_DRAFT = "response_draft"
    RESPONSE = "response"
    INTERACTION = "interaction"
    CLOSURE_DOCUMENT = "closure_document"


class FilesAttached(ComplaintEvent):
    """Files became part of the complaint, all in one place (``attached_as``).

    Raised with the command that attached them, for files the complaint did not
    reference before it (a file moved or attached again raises nothing), so the files
    service can keep them for the complaint. ``information_request_id`` names the IR
    of IR documents, drafts and responses; ``interaction_id`` the interaction.
    """

    attached_as: FilePlacement
    file_ids: tuple[str, ...]
    information_request_id: str | None = None
    interaction_id: str | None = None


__all__ = [
    "AgencyPocAssigned",
    "AllegedViolationAdded",
    "CompanyPocAssigned",
    "ComplaintCanceled",
    "ComplaintClosed",
    "ComplaintCreated",
    "ComplaintEvent",
    "ComplaintOpened",
    "ComplaintReferred",
    "ComplaintUpdated",
    "ContributorAdded",
    "DraftSentToPoc",
    "DueDateExtended",
    "FilePlacement",
    "FilesAttached",
    "InformationRequestAdded",
    "InformationRequestCanceled",
    "InformationRequestCompleted",
    "InformationRequestEvent",
    "InformationRequestSent",
    "InformationRequestUpdated",
    "InteractionPosted",
    "QuickLookMarked",
    "ReferralDecided",
    "ReminderSent",
    "ResearchNoteAdded",
    "ResearchNoteEdited",
    "ResponseDrafted",
    "ResponseSentBack",
    "ResponseSubmitted",
    "SendBackRequested",
]
