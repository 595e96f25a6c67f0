"""Errors: every failed call raises an SesError subclass (one per gRPC status family) with
the server's stable reason, a sentence for a person, the request id to quote to support,
and, for a refused request, the fields it refused. Retries and deadlines are settings.

    SES_ADDRESS=127.0.0.1:50051 python handle_errors.py
"""

import json
import os
import uuid

from ses_sdk import (
    InvalidArgument,
    NotFound,
    PermissionDenied,
    RetryPolicy,
    SesClient,
    SesError,
    Unavailable,
)
from ses_sdk.common import AgencyRole
from ses_sdk.enrollment import NewUser

ADDRESS = os.environ.get("SES_ADDRESS", "127.0.0.1:50051")
EMAIL = os.environ.get("SES_EMAIL", "admin@demo-agency.example")
PASSWORD = os.environ.get("SES_PASSWORD", "demo-password-2025")
TOTP_SECRET = os.environ.get("SES_TOTP_SECRET", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
seen = {}

# Retries: UNAVAILABLE and DEADLINE_EXCEEDED, for reads and for mutations (which carry an
# idempotency key, the same on every retry); timeout is each attempt's deadline.
retry = RetryPolicy(max_attempts=5, initial_backoff=0.2, max_backoff=3.0)
with SesClient(ADDRESS, insecure=True, timeout=10, retry=retry) as client:
    client.sign_in(email=EMAIL, password=PASSWORD, totp_secret=TOTP_SECRET)

    try:
        client.enrollment.resend_activation_link(user_id=str(uuid.uuid4()), timeout=5)
    except NotFound as error:  # timeout=5: this call's deadline, in seconds
        print(f"not found ({error.reason}): {error.message} [request {error.request_id}]")
        seen["not_found"] = error.reason

    try:
        client.enrollment.create_agency_user(
            user=NewUser(email="not an e-mail address", given_name="A", family_name="B"),
            roles=[AgencyRole.COMPLAINT_VIEWER],
        )
    except InvalidArgument as error:
        print(f"invalid ({error.reason}): {error.message}")
        for violation in error.field_violations:  # the request fields named, when any
            print(f"  field {violation.field}: {violation.description}")
        seen["invalid"] = error.reason

    try:  # an Account Administrator manages users, not complaints or companies
        client.enrollment.get_company(company_id="SES-000001")
    except PermissionDenied as error:
        print(f"denied ({error.reason}): {error.message}")
        seen["denied"] = error.reason

    try:
        # During a maintenance window a mutation is refused at once (Unavailable, reason
        # "maintenance", retry_delay until it ends) unless the call waits for its end.
        client.enrollment.create_agency_user(
            user=NewUser(
                email=f"viewer-{uuid.uuid4().hex[:8]}@demo-agency.example",
                given_name="Vee",
                family_name="Viewer",
            ),
            roles=[AgencyRole.COMPLAINT_VIEWER],
            wait_for_maintenance=True,
        )
    except Unavailable as error:
        print(f"unavailable ({error.reason}), try again in {error.retry_delay}")
    except SesError as error:  # the base class of them all
        print(f"{type(error).__name__} ({error.reason}): {error.message}")
        seen["other"] = error.reason
    client.sign_out()

print(json.dumps(seen))
