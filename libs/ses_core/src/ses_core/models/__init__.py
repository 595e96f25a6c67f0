"""Aggregates of the SES domain and the events they raise.

Aggregates change their status only through the state machines of
``ses_core.lifecycle``; each command appends past-tense events to ``events``,
which the unit of work takes with ``pull_events()``.
"""

from ses_core.models._aggregate import Aggregate
from ses_core.models.complaint import Complaint
from ses_core.models.complaint_parts import (
    AllegedViolation,
    Cancellation,
    Closure,
    Complainant,
    Interaction,
    NoteKind,
    Party,
    Referral,
    ResearchNote,
)
from ses_core.models.enrollment import CompanyEnrollment
from ses_core.models.information_request import InformationRequest
from ses_core.models.information_request_parts import (
    DraftEdit,
    DueDateExtension,
    QuickLook,
    Reminder,
    ResponseContent,
    ResponseDraft,
    SendBack,
    SendBackRequest,
    SubmittedResponse,
)

__all__ = [
    "Aggregate",
    "AllegedViolation",
    "Cancellation",
    "Closure",
    "CompanyEnrollment",
    "Complainant",
    "Complaint",
    "DraftEdit",
    "DueDateExtension",
    "InformationRequest",
    "Interaction",
    "NoteKind",
    "Party",
    "QuickLook",
    "Referral",
    "Reminder",
    "ResearchNote",
    "ResponseContent",
    "ResponseDraft",
    "SendBack",
    "SendBackRequest",
    "SubmittedResponse",
]
