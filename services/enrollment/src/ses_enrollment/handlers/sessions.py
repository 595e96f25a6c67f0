"""Recording an activation on the user it belongs to.

Who a credential belongs to and what they may do is ``ses_enrollment.authority``.
"""

from __future__ import annotations

from datetime import datetime

from ses_core.identity import Side
from ses_enrollment.credentials import Credential
from ses_enrollment.identity_store import ActivationLink
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork


def mark_activated(
    uow: EnrollmentUnitOfWork, credential: Credential, link: ActivationLink, now: datetime
) -> None:
    """Record the activation on the user (and, for a first user, on the enrollment)."""
    organization, user_id = credential.organization_id, credential.user_id
    side = Side(credential.side)
    if side is Side.AGENCY:
        uow.agency_users(organization).get(user_id).record_activation(now)
    elif side is Side.COMPANY:
        # Enrollment before account: the order every enrollment command locks them in.
        if link.purpose == "enrollment":
            uow.enrollments(organization).get(organization).activate(link.token_hash, now)
        uow.accounts(organization).get(organization).record_activation(user_id, now)
