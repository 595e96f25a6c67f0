"""The enrollment service is the directory's source of authority (DESIGN §6).

A token proves who a user is; what they may do is each user's ``UserAuthority``
(``ses_core.accounts``), which this service derives from its own records and states:

- in the same transaction as any change that can alter it (``EnrollmentUnitOfWork``
  commits call :func:`state_authority_of` for the users its events name), it writes the
  user's row of its own ``user_authority`` table, the one its authentication reads (so
  this service sees a change the moment it commits), and records a
  ``UserAuthorityChanged`` statement that every other service projects;
- when asked (``ses authority restate``) or on start for users who have no row yet
  (an installation upgraded to this release), it restates them (:func:`restate`).

The authority follows ``actor_for``: an agency user's role; a company user's complaints
permission and designations; a company's first user acts as Account Administrator from
activation on, before finishing enrollment makes it permanent (``ses_core.identity``), so
that they can create users and assign the SES Complaints Contact. A user is active until
deactivated; an account never activated is still "active" here, since it cannot sign in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from ses_core.accounts import (
    AgencyUser,
    CompanyContactAssigned,
    CompanyUser,
    UserAuthority,
    UserAuthorityChanged,
    UserCreated,
    UserDeactivated,
    UserRolesChanged,
)
from ses_core.errors import Unauthenticated
from ses_core.events import DomainEvent
from ses_core.identity import Actor, Identity, Side
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_core.models.enrollment_events import EnrollmentActivated, EnrollmentCompleted
from ses_core.platform.authority import state_authority, user_authority_table
from ses_enrollment import tables
from ses_enrollment.credentials import Credential
from ses_enrollment.scopes import IDENTITY
from ses_enrollment.views import AnyUser

if TYPE_CHECKING:
    from ses_enrollment.handlers.common import Deps
    from ses_enrollment.unit_of_work import EnrollmentUnitOfWork


def identity_of(credential: Credential) -> Identity:
    """The identity a token issued to ``credential``'s user proves."""
    return Identity(
        user_id=credential.user_id,
        side=Side(credential.side),
        organization_id=credential.organization_id,
    )


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
    """What ``credential``'s user may do now, and their record."""
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


def users_named_by(event: DomainEvent) -> tuple[str, ...]:
    """The users whose authority ``event`` may have changed."""
    if isinstance(event, UserCreated | UserRolesChanged | UserDeactivated | EnrollmentActivated):
        return (event.user_id,)
    if isinstance(event, CompanyContactAssigned):
        return tuple(user for user in (event.user_id, event.previous_user_id) if user)
    if isinstance(event, EnrollmentCompleted):
        return (event.user_id, event.complaints_contact_id)
    return ()


def state_authority_of(
    uow: EnrollmentUnitOfWork, user_ids: Iterable[str], now: datetime
) -> list[UserAuthorityChanged]:
    """Write each user's current authority to ``user_authority`` and return the statements
    to publish (users without a credential, or whose record is damaged, are skipped)."""
    statements: list[UserAuthorityChanged] = []
    for user_id in dict.fromkeys(user_ids):
        credential = uow.identity.credential(user_id)
        if credential is None:
            continue
        try:
            actor, _ = actor_for(uow, credential)
        except Unauthenticated:
            continue
        authority = UserAuthority.of(
            actor, email=credential.email_key, active=credential.deactivated_at is None
        )
        stated = state_authority(uow.session, authority, now)
        tenant = stated.organization_id if stated.side is Side.AGENCY else ""
        statements.append(stated.statement(tenant_id=tenant))
    return statements


def restate(deps: Deps, *, everyone: bool = False) -> int:
    """State the authority of every user without a ``user_authority`` row (of every user,
    with ``everyone``) and publish it; returns how many were stated."""
    credentials = tables.credentials
    statement = select(credentials.c.user_id).order_by(credentials.c.user_id)
    if not everyone:
        stated = select(user_authority_table.c.user_id).where(
            user_authority_table.c.user_id == credentials.c.user_id
        )
        statement = statement.where(~stated.exists())
    with deps.unit_of_work(IDENTITY) as uow:
        user_ids = list(uow.session.execute(statement).scalars())
        for user_id in user_ids:
            uow.restate_authority(user_id)
        uow.commit()
    return len(user_ids)
