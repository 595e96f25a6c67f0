"""Company enrollment: invite, remind, read, finish; and the expiry sweep.

Choices where the spec is silent:

- Unregistered companies cannot be enrolled (``CompanyProfile.can_be_enrolled``): they
  can receive no information requests, so an account would have nothing to do.
- Any agency's Complaint Manager or Supervisor may invite a company or remind it: the
  enrollment is the company's, shared by every agency. The agency that sent the latest
  invitation is the one notified (the events' ``tenant_id``).
- A reminder always carries a new link (the old one cannot be rebuilt from its hash and
  stops working), unless the first user already activated; then it only reminds them to
  finish.
- Invitations that ran out unused are marked EXPIRED by a background sweep, so that
  agencies see it and re-invite (``InitiateEnrollment`` again).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ses_core.accounts import (
    ActivationLinkIssued,
    Company,
    CompanyAccount,
    CompanyUser,
    LinkPurpose,
)
from ses_core.errors import (
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    SesError,
    ValidationFailed,
    quote,
)
from ses_core.identity import Actor
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_core.models import CompanyEnrollment
from ses_core.permissions import Action, Resource, ResourceKind, require
from ses_enrollment.handlers.agencies import store_link
from ses_enrollment.handlers.common import (
    Deps,
    company_id_of,
    company_resource,
    load_company,
    requested_company_id,
    required,
)
from ses_enrollment.handlers.users import account_for_update
from ses_enrollment.links import IssuedLink
from ses_enrollment.scopes import DIRECTORY, company_scope
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork
from ses_enrollment.views import EnrollmentView

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InitiateEnrollment:
    company_id: str
    first_user_id: str


def initiate_enrollment(deps: Deps, actor: Actor, command: InitiateEnrollment) -> EnrollmentView:
    company_id = requested_company_id(command.company_id)
    require(actor, Action.INITIATE_ENROLLMENT, _enrollment_resource(company_id))
    first_user_id = required(command.first_user_id, "the company's first user", "first_user_id")
    agency_id = actor.tenant_id or ""
    now = deps.now()
    with deps.unit_of_work(company_scope(company_id)) as uow:
        company = load_company(uow, actor, company_id)
        if not company.can_be_enrolled:
            raise PreconditionFailed(
                f"{company_id} ({company.legal_name}) is an unregistered company: it can be "
                "named in complaints but cannot be enrolled or receive information requests.",
                reason="company_not_enrollable",
            )
        enrollment, is_new = _enrollment_for_update(uow, company_id)
        _require_invitable(enrollment, company)
        account = account_for_update(uow, company_id)
        user = _first_user(account, first_user_id, company)
        link = deps.links.issue(now)
        if enrollment.status is EnrollmentStatus.NOT_ENROLLED:
            purpose = LinkPurpose.ENROLLMENT_INVITATION
            enrollment.initiate(
                agency_id=agency_id,
                invited_user_id=user.id,
                token_hash=link.token_hash,
                expires_at=link.expires_at,
                now=now,
                by=actor.user_id,
            )
        else:
            purpose = LinkPurpose.ENROLLMENT_REINVITATION
            enrollment.reinvite(
                token_hash=link.token_hash,
                expires_at=link.expires_at,
                now=now,
                by=actor.user_id,
                agency_id=agency_id,
                invited_user_id=user.id,
            )
        if is_new:
            uow.enrollments(company_id).add(enrollment)
        _send_link(uow, actor, enrollment, company, user, link, purpose)
        uow.commit()
    return EnrollmentView(company_id, enrollment, account)


def send_enrollment_reminder(deps: Deps, actor: Actor, company_id: str) -> EnrollmentView:
    wanted = requested_company_id(company_id)
    require(actor, Action.SEND_ENROLLMENT_REMINDER, _enrollment_resource(wanted))
    now = deps.now()
    with deps.unit_of_work(company_scope(wanted)) as uow:
        company = load_company(uow, actor, wanted)
        enrollment, _ = _enrollment_for_update(uow, wanted)
        _require_invited(enrollment, company)
        account = uow.accounts(wanted).get(wanted)
        if enrollment.activated_at is not None:
            enrollment.send_reminder(now, by=actor.user_id)
        else:
            link = deps.links.issue(now)
            enrollment.send_reminder(
                now, by=actor.user_id, token_hash=link.token_hash, expires_at=link.expires_at
            )
            user = account.user(enrollment.invited_user_id or "")
            _send_link(uow, actor, enrollment, company, user, link, LinkPurpose.ENROLLMENT_REMINDER)
        uow.commit()
    return EnrollmentView(wanted, enrollment, account)


def get_enrollment(deps: Deps, actor: Actor, company_id: str) -> EnrollmentView:
    wanted = requested_company_id(company_id)
    require(actor, Action.VIEW_ENROLLMENT, _enrollment_resource(wanted))
    with deps.unit_of_work(company_scope(wanted)) as uow:
        load_company(uow, actor, wanted)
        return EnrollmentView(
            wanted, uow.enrollments(wanted).find(wanted), uow.accounts(wanted).find(wanted)
        )


@dataclass(frozen=True)
class CompleteEnrollment:
    company_id: str
    company_confirmed: bool


@dataclass(frozen=True)
class EnrollmentCompleted:
    enrollment: EnrollmentView
    company: Company


def complete_enrollment(
    deps: Deps, actor: Actor, command: CompleteEnrollment
) -> EnrollmentCompleted:
    """The invited first user confirms the company and becomes its Account Administrator.

    The confirmation is a required field of the request, so its absence is refused before
    anything is loaded, like every other missing field (whatever state the company is in).
    """
    company_id = company_id_of(actor, command.company_id)
    if not command.company_confirmed:
        raise ValidationFailed(
            f"Confirm that you act for {company_id} (company_confirmed) to finish enrollment.",
            reason="company_not_confirmed",
            field="company_confirmed",
        )
    require(actor, Action.COMPLETE_ENROLLMENT, _enrollment_resource(company_id))
    now = deps.now()
    with deps.unit_of_work(company_scope(company_id)) as uow:
        company = load_company(uow, actor, company_id)
        enrollment, _ = _enrollment_for_update(uow, company_id)
        if enrollment.status is EnrollmentStatus.ENROLLED:
            raise PreconditionFailed(
                f"{company.legal_name} already finished enrollment; nothing is left to do.",
                reason="company_enrolled",
            )
        account = uow.accounts(company_id).get(company_id)
        if enrollment.invited_user_id != actor.user_id:
            invited = _display_name(account, enrollment.invited_user_id)
            raise PermissionDenied(
                f"Only {invited}, the first user the agency invited, can finish enrollment; "
                "ask them to do it.",
                reason="not_first_user",
            )
        account.finish_enrollment(actor.user_id, now=now)
        enrollment.complete(
            now, by=actor.user_id, complaints_contact_id=account.complaints_contact_id or ""
        )
        uow.commit()
    return EnrollmentCompleted(EnrollmentView(company_id, enrollment, account), company)


def expire_invitations(deps: Deps) -> int:
    """Mark every invitation that ran out unused EXPIRED; returns how many."""
    now = deps.now()
    with deps.unit_of_work(DIRECTORY) as uow:
        due = uow.lookups.expired_invitations(now)
    expired = 0
    for company_id in due:
        try:
            with deps.unit_of_work(company_scope(company_id)) as uow:
                uow.enrollments(company_id).get(company_id).expire(now)
                uow.commit()
                expired += 1
        except SesError as error:  # activated or re-invited meanwhile: nothing to expire
            _log.info("Enrollment of %s not expired: %s", company_id, error.message)
    return expired


# -- helpers -----------------------------------------------------------------------------


def _enrollment_resource(company_id: str) -> Resource:
    return company_resource(company_id, ResourceKind.ENROLLMENT)


def _enrollment_for_update(
    uow: EnrollmentUnitOfWork, company_id: str
) -> tuple[CompanyEnrollment, bool]:
    enrollments = uow.enrollments(company_id)
    if enrollments.find(company_id) is None:
        return CompanyEnrollment.for_company(company_id), True
    return enrollments.get(company_id), False


def _require_invitable(enrollment: CompanyEnrollment, company: Company) -> None:
    name = f"{company.company_id} ({company.legal_name})"
    if enrollment.status is EnrollmentStatus.ENROLLED:
        raise PreconditionFailed(
            f"{name} is already enrolled; every agency can work with it, and its Account "
            "Administrators manage its users.",
            reason="company_enrolled",
        )
    if enrollment.status is EnrollmentStatus.INVITED:
        expires = enrollment.expires_at.strftime("%Y-%m-%d") if enrollment.expires_at else "?"
        raise PreconditionFailed(
            f"{name} was already invited and its link works until {expires}; send a reminder "
            "(SendEnrollmentReminder) instead, or re-invite once the invitation has expired.",
            reason="enrollment_in_progress",
        )


def _require_invited(enrollment: CompanyEnrollment, company: Company) -> None:
    name = f"{company.company_id} ({company.legal_name})"
    if enrollment.status is EnrollmentStatus.NOT_ENROLLED:
        raise PreconditionFailed(
            f"{name} has not been invited yet; create its first user and initiate enrollment.",
            reason="enrollment_not_initiated",
        )
    if enrollment.status is EnrollmentStatus.EXPIRED:
        raise PreconditionFailed(
            f"The invitation of {name} expired unused; re-invite the company "
            "(InitiateEnrollment), which sends a new link.",
            reason="enrollment_expired",
        )
    if enrollment.status is EnrollmentStatus.ENROLLED:
        raise PreconditionFailed(
            f"{name} is already enrolled; no reminder is needed.", reason="company_enrolled"
        )


def _first_user(account: CompanyAccount, user_id: str, company: Company) -> CompanyUser:
    user = next((user for user in account.users if user.id == user_id), None)
    if user is None:
        raise NotFound(
            f"{company.company_id} ({company.legal_name}) has no user {quote(user_id)}; create the "
            "first user with CreateCompanyUser and pass the id it returns.",
            reason="user_not_found",
        )
    user.require_active()
    return user


def _send_link(
    uow: EnrollmentUnitOfWork,
    actor: Actor,
    enrollment: CompanyEnrollment,
    company: Company,
    user: CompanyUser,
    link: IssuedLink,
    purpose: LinkPurpose,
) -> None:
    store_link(uow, link, user.id, purpose="enrollment")
    agency_id = enrollment.agency_id or ""
    agency = uow.agencies(agency_id).find(agency_id) if agency_id else None
    uow.record(
        ActivationLinkIssued(
            occurred_at=link.issued_at,
            tenant_id=agency_id,
            user_id=user.id,
            company_id=company.company_id,
            email=user.email,
            given_name=user.given_name,
            family_name=user.family_name,
            purpose=purpose,
            activation_link=link.url,
            activation_expires_at=link.expires_at,
            issued_by_user_id=actor.user_id,
            company_name=company.legal_name,
            inviting_agency_name=agency.name if agency else "",
        )
    )


def _display_name(account: CompanyAccount, user_id: str | None) -> str:
    user = next((user for user in account.users if user.id == user_id), None)
    return user.display_name if user else "the invited first user"
