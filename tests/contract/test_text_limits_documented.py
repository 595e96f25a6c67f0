"""Each free-text field's limit (``ses_core.limits``) is stated on the field in the protos.

Clients in other languages learn limits from the contract, so the comment of every
field below must say "At most N characters" with the number the service enforces.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ses_core.limits import MAX_SEARCH_TERMS, TEXT_LIMITS, TextField

PROTOS = Path(__file__).resolve().parents[2] / "protos" / "ses"
_C = "complaints/v1/complaints.proto"
_E = "enrollment/v1/enrollment.proto"
_N = "notify/v1/notify.proto"

DOCUMENTED: dict[TextField, list[tuple[str, str, str]]] = {
    TextField.COMPLAINT_DESCRIPTION: [(_C, "ComplaintDetails", "description")],
    TextField.DESIRED_OUTCOME: [(_C, "ComplaintDetails", "desired_outcome")],
    TextField.COMPLAINANT_GIVEN_NAME: [(_C, "Complainant", "given_name")],
    TextField.COMPLAINANT_FAMILY_NAME: [(_C, "Complainant", "family_name")],
    TextField.CFPB_COMPLAINT_ID: [(_C, "ComplaintDetails", "cfpb_complaint_id")],
    TextField.PRODUCT: [(_C, "ComplaintDetails", "products")],
    TextField.CATEGORY: [(_C, "ComplaintDetails", "categories")],
    TextField.INFORMATION_REQUEST_TEXT: [(_C, "AddInformationRequestRequest", "request_text")],
    TextField.REMINDER_MESSAGE: [(_C, "SendReminderRequest", "message")],
    TextField.DUE_DATE_CHANGE_REASON: [(_C, "ExtendDueDateRequest", "reason")],
    TextField.INFORMATION_REQUEST_CANCEL_REASON: [
        (_C, "CancelInformationRequestRequest", "reason")
    ],
    TextField.SEND_BACK_REASON: [(_C, "SendBackResponseRequest", "reason")],
    TextField.SEND_BACK_REQUEST_REASON: [(_C, "RequestSendBackRequest", "reason")],
    TextField.DRAFT_NOTE_TO_POC: [(_C, "SendDraftToPocRequest", "message")],
    TextField.INTERNAL_COMMENT: [(_C, "SaveResponseDraftRequest", "internal_comment")],
    TextField.ALLEGED_VIOLATION_CITATION: [(_C, "AddAllegedViolationRequest", "citation")],
    TextField.ALLEGED_VIOLATION_DESCRIPTION: [(_C, "AddAllegedViolationRequest", "description")],
    TextField.RESEARCH_NOTE: [
        (_C, "AddResearchNoteRequest", "text"),
        (_C, "UpdateResearchNoteRequest", "text"),
    ],
    TextField.INTERACTION_MESSAGE: [(_C, "PostInteractionRequest", "text")],
    TextField.REFERRAL_REASON: [(_C, "ReferComplaintRequest", "reason")],
    TextField.REFERRAL_DECISION_REASON: [(_C, "DecideReferralRequest", "reason")],
    TextField.CLOSE_SHARED_COMMENTS: [(_C, "CloseComplaintRequest", "shared_comments")],
    TextField.CLOSE_NOTES: [(_C, "CloseComplaintRequest", "notes")],
    TextField.CANCEL_REASON: [(_C, "CancelComplaintRequest", "reason")],
    TextField.DEACTIVATION_REASON: [(_E, "DeactivateUserRequest", "reason")],
    TextField.MAINTENANCE_DESCRIPTION: [(_N, "ScheduleMaintenanceRequest", "description")],
    TextField.PASSWORD: [
        (_E, "SignInRequest", "password"),
        (_E, "ActivateAccountRequest", "password"),
    ],
    TextField.COMPANY_SEARCH_QUERY: [(_E, "SearchCompaniesRequest", "query")],
}


def field_comment(path: str, message: str, field: str) -> str:
    """The ``//`` lines right above ``field`` in ``message`` of the proto file at ``path``."""
    lines = (PROTOS / path).read_text().splitlines()
    start = lines.index(f"message {message} {{")
    comment: list[str] = []
    for line in lines[start + 1 :]:
        stripped = line.strip()
        if stripped == "}":
            break
        if stripped.startswith("//"):
            comment.append(stripped.removeprefix("//").strip())
        elif re.fullmatch(rf"(repeated |optional )?[\w.]+ {field} = \d+( \[.+\])?;", stripped):
            return " ".join(comment)
        else:
            comment = []
    raise AssertionError(f"{message}.{field} not found in {path}")


def test_every_limited_field_is_listed() -> None:
    assert set(DOCUMENTED) == set(TEXT_LIMITS)


@pytest.mark.parametrize(
    ("field", "place"),
    [(field, place) for field, places in DOCUMENTED.items() for place in places],
    ids=lambda value: ".".join(value[1:]) if isinstance(value, tuple) else str(value),
)
def test_the_field_comment_states_the_enforced_limit(
    field: TextField, place: tuple[str, str, str]
) -> None:
    comment = field_comment(*place)
    assert f"at most {TEXT_LIMITS[field].max_chars:,} characters" in comment.lower(), comment


def test_the_search_comment_states_the_word_limit() -> None:
    comment = field_comment(_E, "SearchCompaniesRequest", "query")
    assert f"at most {MAX_SEARCH_TERMS} words" in comment, comment
