"""Who a credential belongs to, and what their tokens say about them.

The token's claims are rebuilt from the current data at every sign-in and refresh, so
role changes reach a user's tokens within one access-token lifetime. A company's first
user acts as an Account Administrator from activation on, before finishing enrollment
makes it permanent (``ses_core.identity``), so that they can create users and assign the
SES Complaints Contact.
"""

from __future__ import annotations

from datetime import datetime

from ses_core.accounts import AgencyUser, CompanyUser
from ses_core.errors import Unauthenticated
from ses_core.identity import Actor, Side
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_enrollment.credentials import Credential
from ses_enrollment.identity_store import ActivationLink
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork
from ses_enrollment.views import AnyUser


def user_of(uow: EnrollmentUnitOfWork, credential: Credential) -> AnyUser:
    """The user record behind a credential (agency user, company user or operator)."""
    organization, user_id = credential.organization_id, credential.user_id
    side = Side(credential.side)
    found: AnyUser | None = None
    if side is Side.AGENCY:
        found = uow.agency_users(organization).find(user_id)
    elif side is Side.COMPANY:
        account = uow.accounts(organization).find(organization)
        found = (
            next((user for user in account.users if user.id == user_id), None) if account else None
        )
    else:
        found = uow.identity.operator(user_id)
    if found is None:  # a credential without its user: data damage, refuse to sign in
        raise Unauthenticated(
            "This account is incomplete and cannot sign in; ask SES support to check it.",
            reason="account_incomplete",
        )
    return found


def actor_for(uow: EnrollmentUnitOfWork, credential: Credential) -> tuple[Actor, AnyUser]:
    user = user_of(uow, credential)
    organization, user_id = credential.organization_id, credential.user_id
    if isinstance(user, AgencyUser):
        return Actor.agency_user(user_id, organization, user.role), user
    if not isinstance(user, CompanyUser):
        return Actor.platform_operator(user_id), user
    account = uow.accounts(organization).find(organization)
    enrollment = uow.enrollments(organization).find(organization)
    enrolling_first_user = (
        enrollment is not None
        and enrollment.status is EnrollmentStatus.INVITED
        and enrollment.invited_user_id == user_id
        and enrollment.activated_at is not None
    )
    actor = Actor.company_user(
        user_id,
        organization,
        user.complaints_permission,
        account_admin=user.is_account_admin or enrolling_first_user,
        complaints_contact=account is not None and account.complaints_contact_id == user_id,
    )
    return actor, user


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
