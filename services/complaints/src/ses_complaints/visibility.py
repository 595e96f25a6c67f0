"""What one reader may see of one complaint: the agency view and the company view.

The rules come from ``ses_core.permissions``: ``visible_fields`` for the fields
DESIGN §4 lists (complainant contact details, desired outcome, close notes,
internal categories, quick-look marks, company-internal comments, and every
complainant field when the complainant is restricted), ``authorize`` for
restricted responses and for the agency-only parts that list does not name.

Choices where the spec is silent:

- The company sees nothing of a complaint until an information request has been
  sent to it *and* it has finished enrollment (DESIGN §5: IRs sent earlier become
  visible once it enrolls). Until then a company user gets NOT_FOUND, as for a
  complaint that does not exist.
- The company sees sent IRs only, never the agency's unsent drafts.
- Alleged violations, research and communication notes, referrals and the
  cancellation reason are agency-only (``ses_core.permissions.AGENCY_ONLY_FIELDS``).
- Response drafts (and the files on them) are company-only: the agency sees what
  the Company POC submits. A restricted draft is for the Company POC only
  (``Action.VIEW_RESPONSE_DRAFT``; the rule and its reasons are in
  ``ses_core.permissions``).
- Closure comments and documents reach the company only when the agency shared them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ses_core.identity import Actor, Side
from ses_core.models import Complaint, InformationRequest
from ses_core.models.complaint_access import complaint_resource, knows_information_request
from ses_core.permissions import (
    AGENCY_ONLY_FIELDS,
    COMPANY_ONLY_FIELDS,
    Action,
    authorize,
    complaint_reaches_company,
    visible_fields,
)

COMPLAINANT_FIELDS = frozenset(
    {
        "complainant_given_name",
        "complainant_family_name",
        "complainant_address",
        "complainant_email",
        "complainant_phone",
    }
)
_ALL_FIELDS = COMPLAINANT_FIELDS | AGENCY_ONLY_FIELDS | COMPANY_ONLY_FIELDS


def visible_to_company(complaint: Complaint, *, company_enrolled: bool) -> bool:
    """Whether the complaint has reached its company at all (see the module docstring)."""
    return complaint_reaches_company(
        information_request_sent=complaint.any_information_request_sent,
        company_enrolled=company_enrolled,
    )


def restricted_file_ids(complaint: Complaint) -> set[str]:
    """The files of the complaint's restricted responses and restricted drafts."""
    found: set[str] = set()
    for ir in complaint.information_requests:
        for response in ir.responses:
            if response.restricted:
                found.update(response.content.file_ids)
        if ir.draft is not None and ir.draft.restricted:
            found.update(ir.draft.content.file_ids)
    return found


@dataclass(frozen=True)
class Viewer:
    """One actor reading one complaint."""

    actor: Actor
    complaint: Complaint

    @property
    def is_agency(self) -> bool:
        return self.actor.side is Side.AGENCY

    @cached_property
    def _fields(self) -> frozenset[str]:
        shown = visible_fields(
            self.actor, _ALL_FIELDS, complainant_restricted=self.complaint.complainant_restricted
        )
        resource = complaint_resource(self.complaint)
        if not authorize(self.actor, Action.VIEW_AGENCY_ONLY_FIELDS, resource).allowed:
            # Defence in depth: an agency reader outside the complaint's scope sees no
            # agency-only part even if a caller forgot to check VIEW_COMPLAINT first.
            shown -= AGENCY_ONLY_FIELDS
        return shown

    def sees(self, field: str) -> bool:
        return field in self._fields

    @cached_property
    def sees_restricted(self) -> bool:
        resource = complaint_resource(self.complaint, restricted=True)
        return authorize(self.actor, Action.VIEW_RESTRICTED_RESPONSE, resource).allowed

    def sees_request(self, ir: InformationRequest) -> bool:
        return knows_information_request(self.actor, ir)

    def sees_submission(self, restricted: bool) -> bool:
        return not restricted or self.sees_restricted

    def sees_draft(self, ir: InformationRequest) -> bool:
        if ir.draft is None:
            return False
        resource = complaint_resource(self.complaint, restricted=ir.draft.restricted)
        return authorize(self.actor, Action.VIEW_RESPONSE_DRAFT, resource).allowed

    def sees_closure_sharing(self) -> bool:
        closure = self.complaint.closure
        return closure is not None and (self.is_agency or closure.shared_with_company)

    def visible_file_ids(self) -> set[str]:
        """Every file of the complaint this reader may download."""
        complaint = self.complaint
        found = set(complaint.document_file_ids)
        for ir in complaint.information_requests:
            if not self.sees_request(ir):
                continue
            found.update(ir.document_file_ids)
            for response in ir.responses:
                if self.sees_submission(response.restricted):
                    found.update(response.content.file_ids)
            if self.sees_draft(ir) and ir.draft is not None:
                found.update(ir.draft.content.file_ids)
        for interaction in complaint.interactions:
            found.update(interaction.file_ids)
        if self.sees_closure_sharing() and complaint.closure is not None:
            found.update(complaint.closure.document_file_ids)
        return found
