"""What permissions read about a complaint, and which of its requests a reader knows of.

One place for both, because three callers must ask the same question: the complaints
service's handlers before a command (``require``), its projections when it shows a
complaint, and ``next_actions`` when it lists what the reader may do.
"""

from __future__ import annotations

from ses_core.identity import Actor, Side
from ses_core.models.complaint import Complaint
from ses_core.models.information_request import InformationRequest
from ses_core.permissions import Resource, ResourceKind


def complaint_resource(complaint: Complaint, *, restricted: bool = False) -> Resource:
    """The facts about ``complaint`` that permissions read; ``restricted`` for what is
    restricted to the Company POC and the agency (a restricted draft or response)."""
    pending = complaint.pending_referral
    return Resource(
        kind=ResourceKind.RESPONSE if restricted else ResourceKind.COMPLAINT,
        id=complaint.id,
        tenant_id=complaint.tenant_id,
        company_id=complaint.company_id,
        agency_poc_id=complaint.agency_poc_id,
        company_poc_id=complaint.company_poc_id,
        contributor_ids=frozenset(complaint.contributor_ids),
        restricted=restricted,
        referred_to_tenant_id=pending.to_agency_id if pending else None,
    )


def knows_information_request(actor: Actor, ir: InformationRequest) -> bool:
    """Whether a reader of the complaint knows ``ir`` exists: agency users know every
    request, a company only those sent to it (never the agency's unsent drafts)."""
    return actor.side is Side.AGENCY or ir.was_sent
