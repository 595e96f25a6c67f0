"""The complaint's data and plumbing; its commands live in the subclasses.

Split from ``complaint.py`` only to keep each module readable at once; use
``ses_core.models.Complaint``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from ses_core.errors import NotFound, quote
from ses_core.lifecycle.complaint import ComplaintStatus
from ses_core.models import complaint_events as ev
from ses_core.models._aggregate import Aggregate, stamp
from ses_core.models.complaint_parts import (
    AllegedViolation,
    Cancellation,
    Closure,
    Complainant,
    Interaction,
    Referral,
    ResearchNote,
)
from ses_core.models.information_request import InformationRequest


class ComplaintRecord(Aggregate):
    id: str
    reference_number: str
    """The readable, unique name of the complaint (``complaint_reference``); never changes."""
    tenant_id: str
    company_id: str
    status: ComplaintStatus = Field(default=ComplaintStatus.OPEN, frozen=True)
    complainant: Complainant
    complainant_restricted: bool = False
    """When true the company sees no complainant details at all."""
    received_date: date
    cfpb_id: str | None = None
    products: list[str] = Field(default_factory=list)
    internal_categories: list[str] = Field(default_factory=list)
    desired_outcome: str = ""
    description: str
    document_file_ids: list[str] = Field(default_factory=list)
    agency_poc_id: str
    company_poc_id: str | None = None
    contributor_ids: list[str] = Field(default_factory=list)
    information_requests: list[InformationRequest] = Field(default_factory=list)
    alleged_violations: list[AllegedViolation] = Field(default_factory=list)
    research_notes: list[ResearchNote] = Field(default_factory=list)
    interactions: list[Interaction] = Field(default_factory=list)
    referrals: list[Referral] = Field(default_factory=list)
    closure: Closure | None = None
    cancellation: Cancellation | None = None
    created_by: str
    created_at: datetime

    def model_post_init(self, context: Any, /) -> None:
        for ir in self.information_requests:
            ir._record_into(self._events)
            ir._complaint_reference_number = self.reference_number

    # -- derived ---------------------------------------------------------------------

    @property
    def any_information_request_sent(self) -> bool:
        return any(ir.was_sent for ir in self.information_requests)

    @property
    def pending_referral(self) -> Referral | None:
        last = self.referrals[-1] if self.referrals else None
        return last if last is not None and last.accepted is None else None

    def information_request(self, ir_id: str) -> InformationRequest:
        for ir in self.information_requests:
            if ir.id == ir_id:
                return ir
        raise NotFound(
            f"This complaint has no information request {quote(ir_id)}; check the request id.",
            reason="information_request_not_found",
        )

    # -- plumbing ----------------------------------------------------------------------

    def _emit(
        self, event_type: type[ev.ComplaintEvent], now: datetime, by: str, **fields: Any
    ) -> None:
        self._record(
            event_type(
                tenant_id=self.tenant_id,
                complaint_id=self.id,
                reference_number=self.reference_number,
                company_id=self.company_id,
                **stamp(now, by),
                **fields,
            )
        )
