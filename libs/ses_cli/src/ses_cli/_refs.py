"""Naming complaints, information requests and users on the command line.

A complaint is named by its reference number (``DEMO-2026-000001``, what people quote) or
its id; an information request by its number on the complaint (``1``, ``2`` ...) or its
id, and by default the complaint's latest one; a user by e-mail or id.
"""

from __future__ import annotations

import re

from ses_cli._problems import UsageProblem
from ses_sdk import SesClient
from ses_sdk.complaints import Complaint, InformationRequest

_REFERENCE_NUMBER = re.compile(r"^[A-Za-z0-9]+-\d{4}-\d+$")


def complaint(ses: SesClient, ref: str) -> Complaint:
    """The complaint ``ref`` names, as the caller may see it."""
    if _REFERENCE_NUMBER.match(ref):
        found = ses.complaints.get_complaint(reference_number=ref.upper()).complaint
    else:
        found = ses.complaints.get_complaint(complaint_id=ref).complaint
    assert found is not None
    return found


def information_request(found: Complaint, ref: str | None) -> InformationRequest:
    """The complaint's IR numbered or identified by ``ref``; its latest when None."""
    requests = sorted(found.information_requests, key=lambda ir: ir.number)
    if not requests:
        raise UsageProblem(
            f"{found.reference_number} has no information request yet: add one with `ses ir add`."
        )
    if ref is None:
        return requests[-1]
    for ir in requests:
        if ref in (str(ir.number), ir.information_request_id):
            return ir
    numbers = ", ".join(str(ir.number) for ir in requests)
    raise UsageProblem(
        f"{found.reference_number} has no information request {ref}; its IRs are {numbers}."
    )


def user_id(ses: SesClient, who: str, *, company_id: str | None = None) -> str:
    """A user id from an e-mail address (looked up among the organisation's users) or an id."""
    if "@" not in who:
        return who
    for user in ses.enrollment.iter_users(company_id=company_id or None):
        if user.email.lower() == who.lower():
            return user.user_id
    raise UsageProblem(f"No user with the e-mail {who} is visible to you; give their user id.")
