"""As a company: find the complaint by its reference number, assign the Company POC, and
respond with 30 files and the restricted flag. One upload takes at most 25 files, so the
SDK uploads them in batches and saves the draft after each ("upload 25, save, repeat").

    SES_ADDRESS=127.0.0.1:50051 python company_response_with_files.py DEMO-2026-000001
"""

import json
import os
import sys
import tempfile
from pathlib import Path

from ses_sdk import AttachProgress, SesClient

ADDRESS = os.environ.get("SES_ADDRESS", "127.0.0.1:50051")
EMAIL = os.environ.get("SES_EMAIL", "owner@demo-mortgage.example")
PASSWORD = os.environ.get("SES_PASSWORD", "demo-password-2025")
TOTP_SECRET = os.environ.get("SES_TOTP_SECRET", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
reference_number = sys.argv[1]


def show(progress: AttachProgress) -> None:
    if progress.file is None:  # a batch was saved to the draft
        print(
            f"batch {progress.batch}/{progress.batches} saved: "
            f"{progress.files_attached}/{progress.files_total} files on the draft"
        )


with SesClient(ADDRESS, insecure=True) as client, tempfile.TemporaryDirectory() as folder:
    session = client.sign_in(email=EMAIL, password=PASSWORD, totp_secret=TOTP_SECRET)
    me = session.user

    complaint = client.complaints.get_complaint(reference_number=reference_number).complaint
    request = complaint.information_requests[-1]

    # The SES Complaints Contact assigns the Company POC (here: themselves).
    client.complaints.assign_company_poc(complaint_id=complaint.complaint_id, user_id=me.user_id)

    # The draft's text first; saving files later keeps it (a save changes what it names).
    client.complaints.save_response_draft(
        complaint_id=complaint.complaint_id,
        information_request_id=request.information_request_id,
        text="The fee was reversed on 3 March; the payment history is attached.",
    )

    # 30 local files, shown in SES under names of our choosing.
    paths = []
    for number in range(1, 31):
        path = Path(folder) / f"scan-{number:04d}.bin"
        path.write_bytes(f"page {number} of the payment history\n".encode() * 100)
        paths.append(path)
    names = [f"Payment history, page {number}.pdf" for number in range(1, 31)]

    attached = client.complaints.attach_files_to_draft(
        complaint_id=complaint.complaint_id,
        information_request_id=request.information_request_id,
        paths=paths,
        names=names,
        restricted=True,  # only the Company POC and the agency will see the response
        progress=show,
        journal=Path(folder) / "attach.journal",  # run again after a crash: it resumes
    )

    # Submit: the agency receives the response.
    submitted = client.complaints.submit_response(
        complaint_id=complaint.complaint_id,
        information_request_id=request.information_request_id,
    ).information_request
    client.sign_out()

print(
    json.dumps(
        {
            "files": len(attached.files),
            "restricted": attached.draft.restricted,
            "status": submitted.status.name,
        }
    )
)
