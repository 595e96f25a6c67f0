"""Listing an organisation's users, a page at a time, ordered by e-mail address.

Who may list (``ses_core.permissions``): any user of an agency lists that agency's
users; any user of a company lists its users, and so may an agency Complaint Manager or
Supervisor (choosing a company's first user, or checking who is invited).
"""

from __future__ import annotations

from dataclasses import dataclass

from ses_core.accounts import AgencyUser, CompanyUser, check_company_id
from ses_core.errors import NotFound, ValidationFailed, quote
from ses_core.identity import Actor, Side
from ses_core.permissions import Action, Resource, ResourceKind, authorize, refusal
from ses_enrollment.handlers.common import Deps, company_resource, naming
from ses_enrollment.paging import decode_token, encode_token, filters_hash, page_size
from ses_enrollment.scopes import agency_scope, company_scope
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork
from ses_enrollment.views import Page, UserView


@dataclass(frozen=True)
class ListUsers:
    agency_id: str = ""
    company_id: str = ""
    include_deactivated: bool = False
    page_size: int = 0
    page_token: str = ""


def list_users(deps: Deps, actor: Actor, command: ListUsers) -> Page:
    if command.agency_id.strip() and command.company_id.strip():
        raise ValidationFailed(
            "Name either an agency or a company, not both.", reason="one_organization"
        )
    size = page_size(command.page_size)
    if command.company_id.strip() or (not command.agency_id.strip() and actor.company_id):
        with naming("company_id"):
            company_id = check_company_id(command.company_id or actor.company_id or "")
        _require_company_users(actor, company_id)
        scope, key = company_scope(company_id), ("company", company_id)
    else:
        agency_id = command.agency_id.strip() or actor.tenant_id or ""
        if not agency_id:
            raise ValidationFailed(
                "Name the agency (agency_id) or the company (company_id) whose users to list.",
                reason="organization_required",
            )
        _require_agency_users(actor, agency_id)
        scope, key = agency_scope(agency_id), ("agency", agency_id)
    filters = filters_hash(*key, command.include_deactivated)
    after = decode_token(command.page_token, filters, str)
    with deps.unit_of_work(scope) as uow:
        users = [
            user
            for user in _users(uow, actor, *key)
            if (command.include_deactivated or user.active)
            and (after is None or user.email_key > after)
        ]
        page = users[:size]
        credentials = uow.identity.credentials_of([user.id for user in page])
    now = deps.now()
    views = [UserView.of(user, credentials.get(user.id), now) for user in page]
    token = encode_token(page[-1].email_key, filters) if len(users) > size else ""
    return Page(views, token)


def _users(
    uow: EnrollmentUnitOfWork, actor: Actor, kind: str, organization_id: str
) -> list[AgencyUser] | list[CompanyUser]:
    if kind == "agency":
        if uow.agencies(organization_id).find(organization_id) is None:
            raise _no_organization(actor, "agency", organization_id)
        return uow.agency_users(organization_id).all_users()
    if uow.directory.find(organization_id) is None:
        raise _no_organization(actor, "company", organization_id)
    account = uow.accounts(organization_id).find(organization_id)
    return sorted(account.users, key=lambda user: user.email_key) if account else []


def _require_agency_users(actor: Actor, agency_id: str) -> None:
    resource = Resource(kind=ResourceKind.AGENCY_USERS, tenant_id=agency_id)
    _require(actor, Action.VIEW_AGENCY_USERS, resource, "agency", agency_id)


def _require_company_users(actor: Actor, company_id: str) -> None:
    resource = company_resource(company_id, ResourceKind.COMPANY_USERS)
    action = Action.VIEW_COMPANY_USERS
    if actor.side is Side.AGENCY:
        action = Action.CREATE_COMPANY_USER  # Complaint Managers and Supervisors
    _require(actor, action, resource, "company", company_id)


def _require(
    actor: Actor, action: Action, resource: Resource, kind: str, organization_id: str
) -> None:
    decision = authorize(actor, action, resource)
    if not decision.allowed:
        hidden_as = _no_organization(actor, kind, organization_id)
        raise refusal(actor, action, resource, decision, hidden_as=hidden_as)


def _no_organization(actor: Actor, kind: str, organization_id: str) -> NotFound:
    return NotFound(
        f"There is no {kind} {quote(organization_id)} whose users you can list.",
        reason=f"{kind}_not_found",
    )
