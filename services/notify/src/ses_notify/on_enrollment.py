"""Enrollment-context events: keep the people and company projection, announce what matters.

Completing enrollment (or assigning the first SES Complaints Contact) also announces the
IRs that were sent to the company before it could be told (``pre_enrollment``).
"""

from __future__ import annotations

from typing import Any

from ses_core.accounts import (
    ActivationLinkIssued,
    AgencyCreated,
    CompanyContactAssigned,
    CompanyContactType,
    CompanyRegistered,
    CompanyUpdated,
    LinkPurpose,
    NotificationAddressesChanged,
    UserCreated,
    UserDeactivated,
    UserRolesChanged,
)
from ses_core.models.enrollment_events import (
    EnrollmentCompleted,
    EnrollmentInitiated,
    EnrollmentReminderSent,
)
from ses_core.notifications import AudienceFacts, OrganizationKind, Topic
from ses_notify.notices import Notice, facts
from ses_notify.pre_enrollment import announce_held_requests
from ses_notify.registry import handles
from ses_notify.unit_of_work import NotifyUnitOfWork


def _organization(event: Any) -> tuple[str, str]:
    if event.company_id:
        return OrganizationKind.COMPANY.value, event.company_id
    return OrganizationKind.AGENCY.value, event.agency_id


@handles(AgencyCreated)
def _agency_created(event: AgencyCreated, uow: NotifyUnitOfWork) -> None:
    uow.projection.save_agency(event.agency_id, event.code, event.name)


@handles(CompanyRegistered)
def _company_registered(event: CompanyRegistered, uow: NotifyUnitOfWork) -> None:
    uow.projection.save_company(
        event.company_id, legal_name=event.legal_name, nmls_id=event.nmls_id
    )


@handles(CompanyUpdated)
def _company_updated(event: CompanyUpdated, uow: NotifyUnitOfWork) -> None:
    uow.projection.save_company(
        event.company_id, legal_name=event.legal_name, nmls_id=event.nmls_id
    )


@handles(UserCreated)
def _user_created(event: UserCreated, uow: NotifyUnitOfWork) -> Notice | None:
    kind, organization_id = _organization(event)
    uow.projection.save_user(
        {
            "user_id": event.user_id,
            "organization_kind": kind,
            "organization_id": organization_id,
            "email": event.email,
            "given_name": event.given_name,
            "family_name": event.family_name,
            "agency_role": event.agency_roles[0].value if event.agency_roles else None,
            "complaints_permission": event.complaints_permission.value,
            "account_admin": event.account_administrator,
            "active": True,
        }
    )
    if not event.activation_link:
        return None  # a company's first user: the link comes with ActivationLinkIssued
    name = uow.projection.agency_name(event.agency_id) if event.agency_id else ""
    return Notice(
        topic=Topic.ACCOUNT_ACTIVATION,
        facts=facts(
            organization_name=name or uow.projection.company_name(event.company_id),
            expires_at=event.activation_expires_at,
            action_url=event.activation_link,
            action_label="Activate your account",
        ),
        audience=AudienceFacts(named_user_ids=(event.user_id,)),
        secret=True,
    )


@handles(ActivationLinkIssued)
def _activation_link_issued(event: ActivationLinkIssued, uow: NotifyUnitOfWork) -> Notice:
    kind, organization_id = _organization(event)
    if uow.projection.person(event.user_id) is None:
        uow.projection.save_user(
            {
                "user_id": event.user_id,
                "organization_kind": kind,
                "organization_id": organization_id,
                "email": event.email,
                "given_name": event.given_name,
                "family_name": event.family_name,
                "active": True,
            }
        )
    else:
        uow.projection.update_user(event.user_id, email=event.email)
    reminder = event.purpose is LinkPurpose.ENROLLMENT_REMINDER
    organization_name = event.company_name or (
        uow.projection.company_name(event.company_id)
        if event.company_id
        else uow.projection.agency_name(event.agency_id)
    )
    return Notice(
        topic=Topic.ENROLLMENT_REMINDER if reminder else Topic.ACCOUNT_ACTIVATION,
        facts=facts(
            organization_name=organization_name,
            inviting_agency_name=event.inviting_agency_name,
            expires_at=event.activation_expires_at,
            action_url=event.activation_link,
            action_label="Activate your account",
        ),
        audience=AudienceFacts(named_user_ids=(event.user_id,)),
        secret=True,
    )


@handles(UserRolesChanged)
def _user_roles_changed(event: UserRolesChanged, uow: NotifyUnitOfWork) -> None:
    uow.projection.update_user(
        event.user_id,
        agency_role=event.agency_roles[0].value if event.agency_roles else None,
        complaints_permission=event.complaints_permission.value,
        account_admin=event.account_administrator,
    )


@handles(UserDeactivated)
def _user_deactivated(event: UserDeactivated, uow: NotifyUnitOfWork) -> None:
    uow.projection.update_user(event.user_id, active=False)


@handles(CompanyContactAssigned)
def _contact_assigned(event: CompanyContactAssigned, uow: NotifyUnitOfWork) -> list[Notice]:
    if event.contact_type is not CompanyContactType.SES_COMPLAINTS_CONTACT:
        return []
    uow.projection.save_company(event.company_id, complaints_contact_id=event.user_id)
    return announce_held_requests(uow, event.company_id)


@handles(NotificationAddressesChanged)
def _addresses_changed(event: NotificationAddressesChanged, uow: NotifyUnitOfWork) -> None:
    uow.preferences.set_company_addresses(event.company_id, event.addresses, uow.clock.now())


@handles(EnrollmentInitiated)
def _enrollment_initiated(event: EnrollmentInitiated, uow: NotifyUnitOfWork) -> None:
    uow.projection.save_enrollment(
        event.company_id,
        tenant_id=event.tenant_id,
        initiated_by_user_id=event.actor_id or None,
        invited_user_id=event.invited_user_id,
    )


@handles(EnrollmentReminderSent)
def _enrollment_reminder(event: EnrollmentReminderSent, uow: NotifyUnitOfWork) -> Notice | None:
    if event.link_reissued:
        return None  # the new link arrives with ActivationLinkIssued, which e-mails it
    enrollment = uow.projection.enrollment(event.company_id)
    agency_id = event.tenant_id or (enrollment["tenant_id"] if enrollment else "")
    return Notice(
        topic=Topic.ENROLLMENT_REMINDER,
        facts=facts(
            organization_name=uow.projection.company_name(event.company_id),
            inviting_agency_name=uow.projection.agency_name(agency_id) if agency_id else "",
            expires_at=event.expires_at,
        ),
        audience=AudienceFacts(actor_id=event.actor_id, named_user_ids=(event.invited_user_id,)),
    )


@handles(EnrollmentCompleted)
def _enrollment_completed(event: EnrollmentCompleted, uow: NotifyUnitOfWork) -> list[Notice]:
    projection = uow.projection
    contact = {"complaints_contact_id": event.complaints_contact_id}
    projection.save_company(
        event.company_id, enrolled=True, **(contact if event.complaints_contact_id else {})
    )
    projection.update_user(event.user_id, account_admin=True)
    enrollment = projection.enrollment(event.company_id)
    agency_id = event.tenant_id or (enrollment["tenant_id"] if enrollment else "")
    completed = Notice(
        topic=Topic.ENROLLMENT_COMPLETED,
        facts=facts(company_name=projection.company_name(event.company_id)),
        audience=AudienceFacts(
            actor_id=event.actor_id,
            enrollment_initiator_id=enrollment["initiated_by_user_id"] if enrollment else None,
            enrollment_agency_id=agency_id or None,
        ),
    )
    return [completed, *announce_held_requests(uow, event.company_id)]
