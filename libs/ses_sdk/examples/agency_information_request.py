"""As an agency: sign in, record a complaint, send it an information request (IR), and
page through the agency's complaints.

Run it against `ses up` (which prints the address and the demo credentials):

    SES_ADDRESS=127.0.0.1:50051 python agency_information_request.py
"""

import json
import os
from datetime import date

from ses_sdk import SesClient
from ses_sdk.complaints import Complainant, ComplaintDetails, ComplaintStatus

ADDRESS = os.environ.get("SES_ADDRESS", "127.0.0.1:50051")
EMAIL = os.environ.get("SES_EMAIL", "manager@demo-agency.example")
PASSWORD = os.environ.get("SES_PASSWORD", "demo-password-2025")
TOTP_SECRET = os.environ.get("SES_TOTP_SECRET", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

# TLS is the default; insecure=True only for a server on this machine.
with SesClient(ADDRESS, insecure=True) as client:
    # Password + TOTP (the secret, or totp_code="123456"); the session refreshes itself.
    session = client.sign_in(email=EMAIL, password=PASSWORD, totp_secret=TOTP_SECRET)
    print("signed in as", session.user.email if session.user else EMAIL)

    # The company, from the SES directory.
    company = next(client.enrollment.iter_companies(query="Demo Mortgage"))

    # Record the complaint: the caller becomes its Agency POC.
    complaint = client.complaints.create_complaint(
        company_id=company.company_id,
        details=ComplaintDetails(
            complainant=Complainant(given_name="Jane", family_name="Consumer"),
            received_date=date.today(),
            products=("Mortgage servicing",),
            description="A late fee was charged although the payment was on time.",
        ),
    ).complaint
    print("recorded", complaint.reference_number)

    # Add an IR (due in the default number of business days) and send it to the company.
    request = client.complaints.add_information_request(
        complaint_id=complaint.complaint_id,
        request_text="Send the payment history and your fee waiver policy.",
    ).information_request
    client.complaints.send_information_requests(complaint_id=complaint.complaint_id)

    # Page through the agency's complaints: pages of 20 are fetched as the loop needs them.
    open_complaints = [
        c.reference_number
        for c in client.complaints.iter_complaints(statuses=[ComplaintStatus.OPEN], page_size=20)
    ]
    print(len(open_complaints), "open complaints")
    client.sign_out()

print(
    json.dumps(
        {
            "reference_number": complaint.reference_number,
            "complaint_id": complaint.complaint_id,
            "information_request_id": request.information_request_id,
            "listed": complaint.reference_number in open_complaints,
        }
    )
)
