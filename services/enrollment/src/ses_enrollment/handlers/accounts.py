"""A company's account after (or during) enrollment: contacts, tasks, notification addresses."""

from __future__ import annotations

from dataclasses import dataclass

from ses_core.accounts import CompanyAccount, CompanyContactType, OutstandingTask
from ses_core.errors import ValidationFailed
from ses_core.identity import Actor
from ses_core.permissions import Action, require
from ses_enrollment.handlers.common import Deps, company_id_of, company_resource, load_company
from ses_enrollment.handlers.directory import company_view
from ses_enrollment.handlers.users import account_for_update
from ses_enrollment.scopes import company_scope
from ses_enrollment.views import CompanyView


@dataclass(frozen=True)
class AssignCompanyContact:
    company_id: str
    contact_type: CompanyContactType | None
    user_id: str


@dataclass(frozen=True)
class UpdateNotificationAddresses:
    company_id: str
    addresses: tuple[str, ...]


def assign_company_contact(deps: Deps, actor: Actor, command: AssignCompanyContact) -> CompanyView:
    company_id = company_id_of(actor, command.company_id)
    require(actor, Action.ASSIGN_COMPANY_CONTACT, company_resource(company_id))
    if command.contact_type is None:
        raise ValidationFailed(
            "Choose the contact type (COMPANY_CONTACT_TYPE_SES_COMPLAINTS_CONTACT).",
            reason="contact_type_required",
            field="contact_type",
        )
    if not command.user_id.strip():
        raise ValidationFailed(
            "Name the user to designate (user_id); they need Manage Complaints permission.",
            reason="id_required",
            field="user_id",
        )
    with deps.unit_of_work(company_scope(company_id)) as uow:
        load_company(uow, actor, company_id)
        account = account_for_update(uow, company_id)
        account.assign_contact(
            command.user_id.strip(),
            now=deps.now(),
            by=actor.user_id,
            contact_type=command.contact_type,
        )
        uow.commit()
        return company_view(uow, actor, company_id)


def list_outstanding_tasks(deps: Deps, actor: Actor, company_id: str) -> list[OutstandingTask]:
    wanted = company_id_of(actor, company_id)
    require(actor, Action.VIEW_OUTSTANDING_TASKS, company_resource(wanted))
    with deps.unit_of_work(company_scope(wanted)) as uow:
        company = load_company(uow, actor, wanted)
        account = uow.accounts(wanted).find(wanted) or CompanyAccount.open(wanted)
        return account.outstanding_tasks(company)


def update_notification_addresses(
    deps: Deps, actor: Actor, command: UpdateNotificationAddresses
) -> CompanyView:
    company_id = company_id_of(actor, command.company_id)
    require(actor, Action.MANAGE_COMPANY_USERS, company_resource(company_id))
    with deps.unit_of_work(company_scope(company_id)) as uow:
        load_company(uow, actor, company_id)
        account = account_for_update(uow, company_id)
        account.set_notification_addresses(command.addresses, now=deps.now(), by=actor.user_id)
        uow.commit()
        return company_view(uow, actor, company_id)
