"""A complaint's history in each reader's projection, derived from the events it raised.

Every domain event the service commits is kept (``complaint_history``); reading
it, each event becomes one entry with one sentence for this reader, or is left
out when the reader's side must not learn of it:

- agency only: preliminary review ending, unsent IRs being added or edited,
  alleged violations, notes, referrals, quick-look marks, and a cascade ending an
  IR the company never received;
- company only: drafting inside the company (drafts saved, drafts sent to the
  Company POC): the agency sees what the POC submits;
- both sides, worded for each: everything else. Details the company must not see
  stay out of its sentences (the cancellation reason, close notes, agency-only
  fields named by an update, restricted-response content).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ses_complaints.visibility import Viewer
from ses_core.lifecycle import CloseReason

# Domain field names an update may name → the visible_fields names they stand for.
_UPDATE_FIELDS: dict[str, tuple[str, ...]] = {
    "complainant": ("complainant_given_name", "complainant_family_name", "complainant_address"),
    "internal_categories": ("internal_categories",),
    "desired_outcome": ("desired_outcome",),
}
_FIELD_LABELS = {
    "complainant": "complainant details",
    "complainant_restricted": "complainant restriction",
    "received_date": "received date",
    "cfpb_id": "CFPB complaint ID",
    "products": "products",
    "internal_categories": "categories",
    "desired_outcome": "desired outcome",
    "description": "description",
    "document_file_ids": "documents",
}
_AGENCY_ONLY = frozenset(
    {
        "complaint_opened",
        "information_request_added",
        "information_request_updated",
        "alleged_violation_added",
        "research_note_added",
        "research_note_edited",
        "complaint_referred",
        "referral_decided",
        "quick_look_marked",
    }
)
_COMPANY_ONLY = frozenset({"response_drafted", "draft_sent_to_poc"})


@dataclass(frozen=True)
class HistoryEntryView:
    entry_id: str
    occurred_at: datetime
    actor_id: str
    action: str
    information_request_id: str
    summary: str


def describe(
    viewer: Viewer,
    *,
    event_id: str,
    occurred_at: datetime,
    action: str,
    actor_id: str,
    information_request_id: str | None,
    payload: Mapping[str, Any],
    names: Mapping[str, str],
) -> HistoryEntryView | None:
    """The entry ``viewer`` reads for one event, or None when it is not theirs to see."""
    if not _shown(viewer, action, information_request_id, payload):
        return None
    sentence = _SENTENCES.get(action)
    summary = sentence(viewer, payload, names) if sentence else action.replace("_", " ") + "."
    if summary is None:
        return None
    return HistoryEntryView(
        entry_id=event_id,
        occurred_at=occurred_at,
        actor_id=actor_id,
        action=action,
        information_request_id=information_request_id or "",
        summary=summary,
    )


def _shown(viewer: Viewer, action: str, ir_id: str | None, payload: Mapping[str, Any]) -> bool:
    if viewer.is_agency:
        return action not in _COMPANY_ONLY
    if action in _AGENCY_ONLY:
        return False
    if ir_id:
        return any(
            ir.id == ir_id and viewer.sees_request(ir)
            for ir in viewer.complaint.information_requests
        )
    return True


def _name(names: Mapping[str, str], user_id: Any) -> str:
    return names.get(str(user_id or ""), "") or str(user_id or "someone")


Sentence = Callable[[Viewer, Mapping[str, Any], Mapping[str, str]], str | None]


def _updated(viewer: Viewer, payload: Mapping[str, Any], names: Mapping[str, str]) -> str | None:
    shown = [
        field
        for field in payload.get("changed_fields", ())
        if all(viewer.sees(name) for name in _UPDATE_FIELDS.get(field, ()))
    ]
    if not shown:
        return None
    labels = ", ".join(_FIELD_LABELS.get(field, field.replace("_", " ")) for field in shown)
    return f"Complaint details changed: {labels}."


def _closed(viewer: Viewer, payload: Mapping[str, Any], names: Mapping[str, str]) -> str:
    reason = CloseReason(payload["close_reason"]).label
    text = f"Complaint closed: {reason}."
    if payload.get("relief_amount"):
        text += f" Monetary relief of ${payload['relief_amount']} on {payload['relief_date']}."
    if payload.get("shared_with_company"):
        text += " Closing comments were shared with the company."
    return text


def _canceled(viewer: Viewer, payload: Mapping[str, Any], names: Mapping[str, str]) -> str:
    if viewer.sees("cancel_reason"):
        return f"Complaint canceled: {payload.get('reason', '')}"
    return "Complaint canceled by the agency."


def _ir_canceled(viewer: Viewer, payload: Mapping[str, Any], names: Mapping[str, str]) -> str:
    if payload.get("cascaded"):
        return "Information request ended with the complaint."
    return f"Information request canceled: {payload.get('reason', '')}".rstrip(": ") + "."


def _submitted(viewer: Viewer, payload: Mapping[str, Any], names: Mapping[str, str]) -> str:
    kind = "Restricted response" if payload.get("restricted") else "Response"
    number = payload.get("submission_number", 1)
    return f"{kind} submitted to the agency (submission {number})."


def _interaction(viewer: Viewer, payload: Mapping[str, Any], names: Mapping[str, str]) -> str:
    side = "agency" if payload.get("party") == "AGENCY" else "company"
    files = payload.get("file_count", 0)
    suffix = f" with {files} file{'s' if files != 1 else ''}" if files else ""
    return f"Message from the {side} posted on the Interactions tab{suffix}."


_SENTENCES: dict[str, Sentence] = {
    "complaint_created": lambda v, p, n: f"Complaint recorded; received {p['received_date']}.",
    "complaint_opened": lambda v, p, n: "Preliminary review finished; complaint opened.",
    "complaint_updated": _updated,
    "agency_poc_assigned": lambda v, p, n: f"Agency POC is now {_name(n, p['agency_poc_id'])}.",
    "alleged_violation_added": lambda v, p, n: f"Alleged violation added: {p['citation']}.",
    "research_note_added": lambda v, p, n: f"{p['kind'].capitalize()} note added.",
    "research_note_edited": lambda v, p, n: "Note edited.",
    "complaint_referred": lambda v, p, n: f"Referred to agency {p['to_agency_id']}.",
    "referral_decided": lambda v, p, n: (
        f"Referral to agency {p['to_agency_id']} "
        + ("accepted; the complaint moved there." if p["accepted"] else "rejected.")
    ),
    "complaint_closed": _closed,
    "complaint_canceled": _canceled,
    "company_poc_assigned": lambda v, p, n: f"Company POC is now {_name(n, p['company_poc_id'])}.",
    "contributor_added": lambda v, p, n: f"{_name(n, p['contributor_id'])} added as contributor.",
    "interaction_posted": _interaction,
    "information_request_added": lambda v, p, n: "Information request drafted.",
    "information_request_updated": lambda v, p, n: "Unsent information request edited.",
    "information_request_sent": lambda v, p, n: (
        f"Information request sent to the company, due {p['due_date']}."
    ),
    "due_date_extended": lambda v, p, n: (
        f"Due date extended from {p['previous_due_date']} to {p['due_date']} "
        f"(originally {p['original_due_date']})."
    ),
    "reminder_sent": lambda v, p, n: f"Reminder sent; due {p['due_date']}.",
    "information_request_canceled": _ir_canceled,
    "response_drafted": lambda v, p, n: "Response draft saved.",
    "draft_sent_to_poc": lambda v, p, n: "Draft sent to the Company POC for review.",
    "response_submitted": _submitted,
    "quick_look_marked": lambda v, p, n: "Response marked reviewed (quick look).",
    "send_back_requested": lambda v, p, n: f"Company POC asked for a send-back: {p['reason']}",
    "response_sent_back": lambda v, p, n: (
        f"Response sent back for updates, now due {p['due_date']}"
        + (f" (was {p['previous_due_date']})" if p.get("previous_due_date") else "")
        + f": {p['reason']}"
    ),
    "information_request_completed": lambda v, p, n: (
        "Information request completed with the complaint's closure."
        if p.get("cascaded")
        else "Response accepted; information request completed."
    ),
}
