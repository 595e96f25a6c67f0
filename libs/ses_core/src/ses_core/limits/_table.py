"""How long each free-text field may be: the table, one row per field.

Limits are counted in Unicode code points after CRLF→LF (as the response text
of DESIGN §2, whose 4,000-character limit is configurable per deployment and
lives in ``ses_core.uploads``), after surrounding blanks are trimmed. Chosen
where the spec is silent: generous for prose a person types (a narrative,
notes), tighter for a reason or a short message, 200 for anything on one line
(names, titles, addresses, labels). Each field's proto comment states its limit
(``tests/contract`` checks that they agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SINGLE_LINE_MAX_CHARS = 200


class Lines(StrEnum):
    ONE = "one"  # inner whitespace (line breaks included) collapses to single spaces
    MANY = "many"  # line breaks kept, as LF
    EXACT = "exact"  # counted and kept as sent (passwords)


@dataclass(frozen=True)
class TextLimit:
    """``field``: the request field, as a dotted path of proto field names (what a
    ``BadRequest`` field violation names); ``what``: how a sentence names it."""

    field: str
    what: str
    max_chars: int
    lines: Lines = Lines.MANY


class TextField(StrEnum):
    COMPLAINT_DESCRIPTION = "complaint_description"
    DESIRED_OUTCOME = "desired_outcome"
    COMPLAINANT_GIVEN_NAME = "complainant_given_name"
    COMPLAINANT_FAMILY_NAME = "complainant_family_name"
    CFPB_COMPLAINT_ID = "cfpb_complaint_id"
    PRODUCT = "product"
    CATEGORY = "category"
    INFORMATION_REQUEST_TEXT = "information_request_text"
    REMINDER_MESSAGE = "reminder_message"
    DUE_DATE_CHANGE_REASON = "due_date_change_reason"
    INFORMATION_REQUEST_CANCEL_REASON = "information_request_cancel_reason"
    SEND_BACK_REASON = "send_back_reason"
    SEND_BACK_REQUEST_REASON = "send_back_request_reason"
    DRAFT_NOTE_TO_POC = "draft_note_to_poc"
    INTERNAL_COMMENT = "internal_comment"
    ALLEGED_VIOLATION_CITATION = "alleged_violation_citation"
    ALLEGED_VIOLATION_DESCRIPTION = "alleged_violation_description"
    RESEARCH_NOTE = "research_note"
    INTERACTION_MESSAGE = "interaction_message"
    REFERRAL_REASON = "referral_reason"
    REFERRAL_DECISION_REASON = "referral_decision_reason"
    CLOSE_SHARED_COMMENTS = "close_shared_comments"
    CLOSE_NOTES = "close_notes"
    CANCEL_REASON = "cancel_reason"
    DEACTIVATION_REASON = "deactivation_reason"
    MAINTENANCE_DESCRIPTION = "maintenance_description"
    PASSWORD = "password"
    COMPANY_SEARCH_QUERY = "company_search_query"


_ONE = Lines.ONE
TEXT_LIMITS: dict[TextField, TextLimit] = {
    TextField.COMPLAINT_DESCRIPTION: TextLimit(
        "details.description", "the complaint's description", 20_000
    ),
    TextField.DESIRED_OUTCOME: TextLimit("details.desired_outcome", "the desired outcome", 4_000),
    TextField.COMPLAINANT_GIVEN_NAME: TextLimit(
        "details.complainant.given_name", "the complainant's first name", 200, _ONE
    ),
    TextField.COMPLAINANT_FAMILY_NAME: TextLimit(
        "details.complainant.family_name", "the complainant's last name", 200, _ONE
    ),
    TextField.CFPB_COMPLAINT_ID: TextLimit(
        "details.cfpb_complaint_id", "the CFPB complaint number", 64, _ONE
    ),
    TextField.PRODUCT: TextLimit("details.products", "a product", 200, _ONE),
    TextField.CATEGORY: TextLimit("details.categories", "a category", 200, _ONE),
    TextField.INFORMATION_REQUEST_TEXT: TextLimit(
        "request_text", "the information request's text", 4_000
    ),
    TextField.REMINDER_MESSAGE: TextLimit("message", "the reminder's message", 2_000),
    TextField.DUE_DATE_CHANGE_REASON: TextLimit("reason", "the reason for the new due date", 2_000),
    TextField.INFORMATION_REQUEST_CANCEL_REASON: TextLimit(
        "reason", "the reason for canceling the request", 2_000
    ),
    TextField.SEND_BACK_REASON: TextLimit("reason", "the reason for sending it back", 2_000),
    TextField.SEND_BACK_REQUEST_REASON: TextLimit(
        "reason", "the reason for asking for a send-back", 2_000
    ),
    TextField.DRAFT_NOTE_TO_POC: TextLimit("message", "the message to the POC", 2_000),
    TextField.INTERNAL_COMMENT: TextLimit("internal_comment", "the internal comment", 4_000),
    TextField.ALLEGED_VIOLATION_CITATION: TextLimit("citation", "the citation", 200, _ONE),
    TextField.ALLEGED_VIOLATION_DESCRIPTION: TextLimit(
        "description", "the violation's description", 4_000
    ),
    TextField.RESEARCH_NOTE: TextLimit("text", "the note's text", 10_000),
    TextField.INTERACTION_MESSAGE: TextLimit("text", "the message", 4_000),
    TextField.REFERRAL_REASON: TextLimit("reason", "the reason for the referral", 2_000),
    TextField.REFERRAL_DECISION_REASON: TextLimit("reason", "the reason for the decision", 2_000),
    TextField.CLOSE_SHARED_COMMENTS: TextLimit(
        "shared_comments", "the comments for the company", 4_000
    ),
    TextField.CLOSE_NOTES: TextLimit("notes", "the close notes", 10_000),
    TextField.CANCEL_REASON: TextLimit("reason", "the reason for canceling", 2_000),
    TextField.DEACTIVATION_REASON: TextLimit("reason", "the deactivation reason", 500, _ONE),
    TextField.MAINTENANCE_DESCRIPTION: TextLimit(
        "description", "the maintenance description", 500, _ONE
    ),
    TextField.PASSWORD: TextLimit("password", "the password", 256, Lines.EXACT),
    TextField.COMPANY_SEARCH_QUERY: TextLimit("query", "the search", 200, _ONE),
}

MAX_SEARCH_TERMS = 20
