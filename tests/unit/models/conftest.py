"""Builders for the aggregate tests: a fixed clock and complaints in chosen states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from model_test_support import (  # type: ignore[import-not-found]
    AGENCY,
    COMPANY,
    DUE,
    MANAGER,
    NOW,
    POC,
    REFERENCE,
)

from ses_core.models import Complainant, Complaint, InformationRequest, ResponseContent


@pytest.fixture
def new_complaint() -> Callable[..., Complaint]:
    def build(**overrides: object) -> Complaint:
        fields: dict[str, object] = {
            "reference_number": REFERENCE,
            "tenant_id": AGENCY,
            "company_id": COMPANY,
            "complainant": Complainant(
                first_name="Ada", last_name="Lovelace", email="ada@example.com"
            ),
            "received_date": date(2025, 4, 28),
            "description": "Escrow payment applied twice.",
            "now": NOW,
            "by": MANAGER,
        }
        fields.update(overrides)
        complaint = Complaint.create(**fields)  # type: ignore[arg-type]
        complaint.pull_events()
        return complaint

    return build


@pytest.fixture
def complaint(new_complaint: Callable[..., Complaint]) -> Complaint:
    """An open complaint with no events pending."""
    return new_complaint()


@pytest.fixture
def sent_request(complaint: Complaint) -> InformationRequest:
    """An information request sent to the company (due 15 May), its POC assigned."""
    ir = complaint.add_information_request("Send the payment history.", NOW, by=MANAGER)
    complaint.send_information_requests(NOW, by=MANAGER, default_due_date=DUE)
    complaint.assign_company_poc(POC, NOW, by="contact-1")
    complaint.pull_events()
    return ir


@pytest.fixture
def answered_request(complaint: Complaint, sent_request: InformationRequest) -> InformationRequest:
    """A request whose response awaits the agency."""
    sent_request.submit_response(
        NOW, by=POC, content=ResponseContent(text="Refunded on 2 May.", file_ids=("file-1",))
    )
    complaint.pull_events()
    return sent_request
