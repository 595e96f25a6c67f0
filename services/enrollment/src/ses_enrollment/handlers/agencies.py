"""Agencies (tenants) and their users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ses_core.accounts import Agency, AgencyUser, check_agency_code
from ses_core.errors import AlreadyExists, ValidationFailed
from ses_core.identity import Actor, AgencyRole, Side
from ses_core.permissions import Action, Resource, ResourceKind, require
from ses_enrollment.handlers.common import Deps, naming, required
from ses_enrollment.identity_store import ActivationLink, unique_or
from ses_enrollment.links import IssuedLink
from ses_enrollment.scopes import agency_scope
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork
from ses_enrollment.views import UserView


@dataclass(frozen=True)
class NewUser:
    email: str
    given_name: str
    family_name: str
    phone: str = ""


@dataclass(frozen=True)
class CreateAgency:
    code: str
    name: str
    state_code: str
    first_administrator: NewUser | None


@dataclass(frozen=True)
class CreateAgencyUser:
    user: NewUser | None
    roles: tuple[AgencyRole, ...]


@dataclass(frozen=True)
class AgencyCreated:
    agency: Agency
    administrator: UserView
    # The administrator's activation link: e-mailed by notify; printed by `ses tenants create`.
    link: IssuedLink


def create_agency(deps: Deps, actor: Actor, command: CreateAgency) -> AgencyCreated:
    """A new agency and its first Agency Account Administrator, who gets an activation link."""
    require(actor, Action.CREATE_AGENCY, Resource(kind=ResourceKind.AGENCY))
    required(command.code, "the agency's code, e.g. NY-DFS", "code", reason="agency_code_required")
    required(command.name, "the agency's name", "name", reason="agency_name_required")
    required(
        command.state_code,
        "the two-letter code of the agency's state",
        "state_code",
        reason="state_code_required",
    )
    new_user = require_new_user(command.first_administrator, "first_administrator")
    agency_id = str(uuid.uuid4())
    now = deps.now()
    with deps.unit_of_work(agency_scope(agency_id)) as uow:
        with naming("code"):
            code = check_agency_code(command.code)
        holder = uow.lookups.agency_with_code(code)
        if holder is not None:
            raise _code_taken(code, holder.name)
        agency = Agency.create(
            code=code,
            name=command.name,
            state_code=command.state_code,
            now=now,
            by=actor.user_id,
            agency_id=agency_id,
        )
        with unique_or(_code_taken(code, "another agency")):  # created concurrently
            uow.agencies(agency_id).add(agency)
        user, link = _add_agency_user(
            deps, uow, actor, agency_id, new_user, AgencyRole.AGENCY_ACCOUNT_ADMIN
        )
        uow.commit()
    return AgencyCreated(agency, UserView(user), link)


def create_agency_user(deps: Deps, actor: Actor, command: CreateAgencyUser) -> UserView:
    """A user of the caller's agency, holding one role, invited by an activation link."""
    agency_id = actor.tenant_id or ""
    require(
        actor,
        Action.MANAGE_AGENCY_USERS,
        Resource(kind=ResourceKind.AGENCY_USERS, tenant_id=agency_id or None),
    )
    new_user = require_new_user(command.user, "user")
    role = single_role(command.roles, "roles")
    with deps.unit_of_work(agency_scope(agency_id)) as uow:
        user, _ = _add_agency_user(deps, uow, actor, agency_id, new_user, role)
        uow.commit()
    return UserView(user)


def _code_taken(code: str, holder: str) -> AlreadyExists:
    return AlreadyExists(
        f"The agency code {code} is already used by {holder}; choose another code.",
        reason="agency_code_taken",
    )


def require_new_user(user: NewUser | None, field: str) -> NewUser:
    """The new user a request gives in ``field``, with the parts the protos mark REQUIRED."""
    if user is None:
        raise ValidationFailed(
            f"Give the new user's e-mail, given name and family name ({field}).",
            reason="user_required",
            field=field,
        )
    required(user.email, "the new user's e-mail address", f"{field}.email", reason="email_required")
    required(
        user.given_name,
        "the new user's given name",
        f"{field}.given_name",
        reason="given_name_required",
    )
    required(
        user.family_name,
        "the new user's family name",
        f"{field}.family_name",
        reason="family_name_required",
    )
    return user


def single_role(roles: tuple[AgencyRole, ...], field: str) -> AgencyRole:
    """The one role of an agency user, as the request's ``field`` lists it."""
    distinct = list(dict.fromkeys(roles))
    if len(distinct) != 1:
        named = ", ".join(role.value for role in distinct) or "none"
        raise ValidationFailed(
            f"An agency user holds exactly one role; {len(distinct)} were given ({named}). "
            "Someone who administers users and also works complaints needs two accounts.",
            reason="one_agency_role",
            field=field,
        )
    return distinct[0]


def _add_agency_user(
    deps: Deps,
    uow: EnrollmentUnitOfWork,
    actor: Actor,
    agency_id: str,
    new_user: NewUser,
    role: AgencyRole,
) -> tuple[AgencyUser, IssuedLink]:
    now = deps.now()
    link = deps.links.issue(now)
    user = AgencyUser.create(
        agency_id=agency_id,
        email=new_user.email,
        given_name=new_user.given_name,
        family_name=new_user.family_name,
        phone=new_user.phone,
        role=role,
        now=now,
        by=actor.user_id,
        activation_link=link.url,
        activation_expires_at=link.expires_at,
    )
    uow.identity.claim_email(
        user_id=user.id, email=user.email, side=Side.AGENCY, organization_id=agency_id, now=now
    )
    uow.agency_users(agency_id).add(user)
    store_link(uow, link, user.id, purpose="account")
    return user, link


def store_link(uow: EnrollmentUnitOfWork, link: IssuedLink, user_id: str, *, purpose: str) -> None:
    uow.identity.issue_link(
        ActivationLink(
            token_hash=link.token_hash,
            user_id=user_id,
            purpose=purpose,
            issued_at=link.issued_at,
            expires_at=link.expires_at,
        )
    )
