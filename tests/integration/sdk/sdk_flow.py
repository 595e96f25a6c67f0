"""Steps of the job aid through the SDK, shared by the SDK's tests of later steps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ses_core.testing import wait_until
from ses_sdk import NotFound, PermissionDenied, SesClient
from ses_sdk.complaints import Complainant, Complaint, ComplaintDetails
from ses_sdk.testing import JobAidClients


def complaint_details(description: str = "A late fee was charged on time.") -> ComplaintDetails:
    return ComplaintDetails(
        complainant=Complainant(given_name="Jane", family_name="Consumer"),
        received_date=date.today(),
        products=("Mortgage servicing",),
        description=description,
    )


def record_complaint(manager: SesClient, company_id: str) -> Complaint:
    def created() -> Complaint | None:
        try:  # the complaints service learns of the company from enrollment's events
            response = manager.complaints.create_complaint(
                company_id=company_id, details=complaint_details()
            )
        except NotFound:
            return None
        return response.complaint

    complaint = wait_until(created, timeout=30, message="the company to reach complaints")
    assert complaint is not None
    return complaint


def ir_awaiting_the_poc(people: JobAidClients) -> tuple[str, str]:
    """A complaint against the people's company with an IR sent to it and its POC assigned
    by the Contact: (complaint id, information request id)."""
    complaint = record_complaint(people.agency_manager, people.company_id)
    request = people.agency_manager.complaints.add_information_request(
        complaint_id=complaint.complaint_id, request_text="Send the payment history."
    ).information_request
    assert request is not None
    people.agency_manager.complaints.send_information_requests(complaint_id=complaint.complaint_id)
    poc = people.people["company_poc"]

    def assigned() -> bool:
        try:  # the POC's account reaches complaints by events, moments after activation
            people.company_contact.complaints.assign_company_poc(
                complaint_id=complaint.complaint_id, user_id=poc.user_id
            )
        except (NotFound, PermissionDenied):
            return False
        return True

    wait_until(assigned, timeout=30, message="the POC to reach complaints")
    return complaint.complaint_id, request.information_request_id


def numbered_files(folder: Path, count: int, size: int = 2_000) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"scan-{index:03d}.tmp"
        path.write_bytes(bytes([index % 251]) * (size + index))
        paths.append(path)
    return paths
