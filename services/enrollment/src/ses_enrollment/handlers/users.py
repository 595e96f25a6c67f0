"""Users of agencies and companies: create, list, change roles, deactivate, unlock, re-send links.

Agency users are managed by their agency's Account Administrators, company users by
their company's (``ses_core.permissions``). Before a company is enrolled, an agency
Complaint Manager or Supervisor creates its first user, with Manage Complaints unless
told otherwise and without the administrator designation (finishing enrollment grants
it); no link is sent then, because ``InitiateEnrollment`` sends the invitation.

Choices where the spec is silent: deactivation also ends the user's sessions (their
refresh tokens are revoked, and every service refuses their access tokens as soon as it
reads the deactivation from its directory); role changes apply to tokens already issued
the same way (``ses_enrollment.authority``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ses_core.accounts import (
    ActivationLinkIssued,
    AgencyUser,
    CompanyAccount,
    CompanyUser,
    LinkPurpose,
    UserUnlocked,
)
from ses_core.errors import PreconditionFailed, ValidationFailed
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission, Side
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_core.permissions import Action, ResourceKind, require
from ses_enrollment.handlers.agencies import NewUser, require_new_user, single_role, store_link
from ses_enrollment.handlers.common import (
    Deps,
    FoundUser,
    company_resource,
    find_user,
    load_company,
    requested_company_id,
    require_on_user,
)
from ses_enrollment.scopes import USERS, company_scope
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork
from ses_enrollment.views import UserView


@dataclass(frozen=True)
class CreateCompanyUser:
    company_id: str
    user: NewUser | None
    permission: ComplaintsPermission | None = None
    account_admin: bool = False


@dataclass(frozen=True)
class UpdateUserRoles:
    user_id: str
    agency_roles: tuple[AgencyRole, ...] = ()
    permission: ComplaintsPermission | None = None
    account_admin: bool | None = None


@dataclass(frozen=True)
class DeactivateUser:
    user_id: str
    reason: str = ""


@dataclass(frozen=True)
class LinkResent:
    user: UserView
    expires_at: datetime


def create_company_user(deps: Deps, actor: Actor, command: CreateCompanyUser) -> UserView:
    company_id = requested_company_id(command.company_id)
    require(
        actor, Action.CREATE_COMPANY_USER, company_resource(company_id, ResourceKind.COMPANY_USERS)
    )
    new_user = require_new_user(command.user, "user")
    now = deps.now()
    with deps.unit_of_work(company_scope(company_id)) as uow:
        company = load_company(uow, actor, company_id)
        account = account_for_update(uow, company_id)
        if actor.side is Side.AGENCY:
            _require_agency_may_create(uow, company_id, company.legal_name, company.can_be_enrolled)
            account.require_agency_may_add_users(company.legal_name)
            user = account.add_user(
                email=new_user.email,
                given_name=new_user.given_name,
                family_name=new_user.family_name,
                phone=new_user.phone,
                now=now,
                by=actor.user_id,
                permission=command.permission or ComplaintsPermission.MANAGE,
                tenant_id=actor.tenant_id or "",
            )
        else:
            link = deps.links.issue(now)
            user = account.add_user(
                email=new_user.email,
                given_name=new_user.given_name,
                family_name=new_user.family_name,
                phone=new_user.phone,
                now=now,
                by=actor.user_id,
                permission=command.permission or ComplaintsPermission.NONE,
                account_admin=command.account_admin,
                activation_link=link.url,
                activation_expires_at=link.expires_at,
            )
            store_link(uow, link, user.id, purpose="account")
        uow.identity.claim_email(
            user_id=user.id,
            email=user.email,
            side=Side.COMPANY,
            organization_id=company_id,
            now=now,
        )
        uow.commit()
    return UserView(user)


def update_user_roles(deps: Deps, actor: Actor, command: UpdateUserRoles) -> UserView:
    now = deps.now()
    user: AgencyUser | CompanyUser
    with deps.unit_of_work(USERS) as uow:
        found = find_user(uow, actor, command.user_id)
        require_on_user(actor, _manage_action(found), found)
        if found.side is Side.AGENCY:
            if command.permission is not None or command.account_admin is not None:
                raise ValidationFailed(
                    "Agency users have an agency role, not a complaints permission or the "
                    "company Account Administrator designation; send agency_roles only.",
                    reason="company_fields_for_agency_user",
                )
            user = uow.agency_users(found.credential.organization_id).get(found.credential.user_id)
            user.change_role(
                single_role(command.agency_roles, "agency_roles"), now=now, by=actor.user_id
            )
        else:
            if command.agency_roles:
                raise ValidationFailed(
                    "Company users have no agency role; send complaints_permission and/or "
                    "account_administrator instead.",
                    reason="agency_roles_for_company_user",
                )
            account = _account_of(found)
            account.change_roles(
                found.credential.user_id,
                now=now,
                by=actor.user_id,
                permission=command.permission,
                account_admin=command.account_admin,
            )
            user = account.user(found.credential.user_id)
        uow.commit()
    return UserView.of(user, found.credential, now)


def deactivate_user(deps: Deps, actor: Actor, command: DeactivateUser) -> UserView:
    now = deps.now()
    user: AgencyUser | CompanyUser
    with deps.unit_of_work(USERS) as uow:
        found = find_user(uow, actor, command.user_id)
        require_on_user(actor, _manage_action(found), found)
        user_id = found.credential.user_id
        if found.side is Side.AGENCY:
            user = uow.agency_users(found.credential.organization_id).get(user_id)
            user.deactivate(now=now, by=actor.user_id, reason=command.reason)
        else:
            account = _account_of(found)
            account.deactivate_user(user_id, now=now, by=actor.user_id, reason=command.reason)
            user = account.user(user_id)
        found.credential.deactivate(now)
        uow.identity.save(found.credential)
        uow.identity.revoke_user_sessions(user_id, now)
        uow.commit()
    return UserView.of(user, found.credential, now)


def unlock_user(deps: Deps, actor: Actor, user_id: str) -> UserView:
    now = deps.now()
    with deps.unit_of_work(USERS) as uow:
        found = find_user(uow, actor, user_id)
        require_on_user(actor, _manage_action(found), found)
        found.credential.unlock()
        uow.identity.save(found.credential)
        organization = found.credential.organization_id
        is_agency = found.side is Side.AGENCY
        uow.record(
            UserUnlocked(
                occurred_at=now,
                tenant_id=organization if is_agency else "",
                user_id=found.credential.user_id,
                agency_id=organization if is_agency else "",
                company_id="" if is_agency else organization,
                unlocked_by_user_id=actor.user_id,
            )
        )
        uow.commit()
    return UserView.of(found.user, found.credential, now)


def resend_activation_link(deps: Deps, actor: Actor, user_id: str) -> LinkResent:
    """A fresh link for a user who has not activated (the previous link stops working)."""
    now = deps.now()
    with deps.unit_of_work(USERS) as uow:
        found = find_user(uow, actor, user_id)
        require_on_user(actor, _manage_action(found), found)
        user = found.user
        name = f"{user.given_name} {user.family_name}"
        if found.credential.deactivated_at is not None:
            raise PreconditionFailed(
                f"{name}'s account was deactivated; create a new user instead.",
                reason="user_deactivated",
            )
        if found.credential.activated:
            raise PreconditionFailed(
                f"{name} already activated their account and signs in with their password and "
                "authenticator; no new link is needed.",
                reason="already_activated",
            )
        organization = found.credential.organization_id
        if found.side is Side.COMPANY:
            _refuse_first_user(uow, organization, found.credential.user_id, name)
        link = deps.links.issue(now)
        store_link(uow, link, found.credential.user_id, purpose="account")
        is_agency = found.side is Side.AGENCY
        uow.record(
            ActivationLinkIssued(
                occurred_at=now,
                tenant_id=organization if is_agency else "",
                user_id=found.credential.user_id,
                agency_id=organization if is_agency else "",
                company_id="" if is_agency else organization,
                email=user.email,
                given_name=user.given_name,
                family_name=user.family_name,
                purpose=LinkPurpose.LINK_RESENT,
                activation_link=link.url,
                activation_expires_at=link.expires_at,
                issued_by_user_id=actor.user_id,
            )
        )
        uow.commit()
    return LinkResent(UserView.of(user, found.credential, now), link.expires_at)


def account_for_update(uow: EnrollmentUnitOfWork, company_id: str) -> CompanyAccount:
    """The company's account, locked; opened (and stored) when it has no users yet."""
    accounts = uow.accounts(company_id)
    account = accounts.find(company_id)
    if account is None:
        account = CompanyAccount.open(company_id)
        accounts.add(account)
        return account
    return accounts.get(company_id)


def _require_agency_may_create(
    uow: EnrollmentUnitOfWork, company_id: str, name: str, can_be_enrolled: bool
) -> None:
    if not can_be_enrolled:
        raise PreconditionFailed(
            f"{company_id} ({name}) is an unregistered company: complaints may name it, but it "
            "cannot be enrolled, so it has no users. If it has registered since, an agency "
            "Complaint Manager can register it again with its kind.",
            reason="company_not_enrollable",
        )
    enrollment = uow.enrollments(company_id).find(company_id)
    if enrollment is not None and enrollment.status is EnrollmentStatus.ENROLLED:
        raise PreconditionFailed(
            f"{company_id} ({name}) is already enrolled; its Account Administrators create its "
            "users.",
            reason="company_enrolled",
        )


def _refuse_first_user(uow: EnrollmentUnitOfWork, company_id: str, user_id: str, name: str) -> None:
    enrollment = uow.enrollments(company_id).find(company_id)
    if (
        enrollment is not None
        and enrollment.invited_user_id == user_id
        and (enrollment.status is not EnrollmentStatus.ENROLLED)
    ):
        raise PreconditionFailed(
            f"{name} is the first user invited to enroll {company_id}; the agency sends them a "
            "new link with SendEnrollmentReminder (or InitiateEnrollment after it expired).",
            reason="first_user_reinvite",
        )


def _manage_action(found: FoundUser) -> Action:
    if found.side is Side.COMPANY:
        return Action.MANAGE_COMPANY_USERS
    return Action.MANAGE_AGENCY_USERS


def _account_of(found: FoundUser) -> CompanyAccount:
    assert found.account is not None
    return found.account
