"""Who is acting: the identity a token proves, and the actor every command is checked against.

An ``Identity`` is what a verified access token proves (DESIGN §6): which user is
calling and, for SES's own tokens, the organisation the token was issued for. It
says nothing about what the user may do. An ``Actor`` is that user's authority
as the directory states it at the time of the call (active, role, Manage/View,
designations), built once per request (``ses_core.accounts.UserAuthority``) and
then only read. Its shape follows DESIGN §4:

- an **agency** user belongs to one agency (``tenant_id``) and holds exactly one
  agency role;
- a **company** user belongs to one company (``company_id``), holds one
  complaints permission and may carry the company designations Account
  Administrator and SES Complaints Contact;
- a **platform** operator belongs to neither and runs the installation.

Designations that exist per complaint (Agency POC, Company POC, contributor)
are facts about the complaint, not the actor; they live on
``ses_core.permissions.Resource``.

Choices where the spec is silent:

- Fields that belong to another side must stay unset (an agency user with a
  ``company_id`` is rejected). A malformed actor is a bug in the token mapping,
  and failing loudly is safer than guessing which half is meant.
- ``is_platform_operator`` is true exactly when ``side`` is ``PLATFORM``; it may
  be omitted when constructing, and is filled in from ``side``.
- Agency users carry complaints permission ``NONE``: what they may do follows
  from their agency role.
- A company's first user acts as an Account Administrator from activation on,
  so that they can create users and assign contacts during enrollment
  (DESIGN §1 step 3 says they "become" one when they finish; the enrollment
  service states their authority with ``is_account_admin`` set).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

NonEmptyStr = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Side(StrEnum):
    """Which party an actor works for."""

    AGENCY = "agency"
    COMPANY = "company"
    PLATFORM = "platform"


class AgencyRole(StrEnum):
    """The single role an agency user holds (DESIGN §4)."""

    COMPLAINT_SUPERVISOR = "complaint_supervisor"
    COMPLAINT_MANAGER = "complaint_manager"
    COMPLAINT_VIEWER = "complaint_viewer"
    AGENCY_ACCOUNT_ADMIN = "agency_account_admin"


class ComplaintsPermission(StrEnum):
    """A company user's access to complaints."""

    MANAGE = "manage"
    VIEW = "view"
    NONE = "none"


@dataclass(frozen=True)
class Identity:
    """Who a verified access token says is calling: never what they may do.

    The user is named either by SES user id (``user_id``: SES's own tokens, and an
    external issuer configured to send SES user ids) or by e-mail address
    (``email``: an external issuer vouching for the address). ``side`` and
    ``organization_id`` are the organisation the token was issued for, when the
    token states one (SES's own tokens do; external issuers do not): the directory
    must agree with it. ``organization_id`` is the agency id, the company id, or
    empty for a platform operator.
    """

    user_id: str = ""
    email: str = ""
    side: Side | None = None
    organization_id: str = ""

    def __post_init__(self) -> None:
        if bool(self.user_id) == bool(self.email):
            raise ValueError("An identity names its user by user_id or by email: exactly one.")
        if self.side is None and self.organization_id:
            raise ValueError("An identity's organization_id needs the side it belongs to.")
        if self.side in (Side.AGENCY, Side.COMPANY) and not self.organization_id:
            raise ValueError(f"An identity on the {self.side} side needs its organization_id.")
        if self.side is Side.PLATFORM and self.organization_id:
            raise ValueError("A platform operator's identity names no organisation.")

    @property
    def described(self) -> str:
        """How a message names the user: "user <id>" or "<e-mail address>" (at most 100
        characters of it: a message never repeats a long input whole)."""
        name = f"user {self.user_id}" if self.user_id else self.email
        return name if len(name) <= 100 else name[:99] + "…"


class Actor(BaseModel):
    """An authenticated user, as the domain sees them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: NonEmptyStr
    side: Side
    tenant_id: NonEmptyStr | None = None
    company_id: NonEmptyStr | None = None
    agency_role: AgencyRole | None = None
    complaints_permission: ComplaintsPermission = ComplaintsPermission.NONE
    is_account_admin: bool = False
    is_complaints_contact: bool = False
    is_platform_operator: bool = False

    @model_validator(mode="before")
    @classmethod
    def _platform_flag_follows_side(cls, data: Any) -> Any:
        if isinstance(data, dict) and "is_platform_operator" not in data:
            return {**data, "is_platform_operator": data.get("side") == Side.PLATFORM}
        return data

    @model_validator(mode="after")
    def _fields_match_side(self) -> Self:
        problems = _side_problems(self)
        if problems:
            raise ValueError(
                f"Invalid {self.side.value} actor {self.user_id}: {'; '.join(problems)}."
            )
        return self

    @property
    def organization_id(self) -> str:
        """The agency id, the company id, or "" for a platform operator."""
        return self.tenant_id or self.company_id or ""

    def identity(self) -> Identity:
        """The identity a token issued to this actor proves (user and organisation)."""
        return Identity(user_id=self.user_id, side=self.side, organization_id=self.organization_id)

    @classmethod
    def agency_user(cls, user_id: str, tenant_id: str, role: AgencyRole) -> Actor:
        return cls(user_id=user_id, side=Side.AGENCY, tenant_id=tenant_id, agency_role=role)

    @classmethod
    def company_user(
        cls,
        user_id: str,
        company_id: str,
        permission: ComplaintsPermission = ComplaintsPermission.NONE,
        *,
        account_admin: bool = False,
        complaints_contact: bool = False,
    ) -> Actor:
        return cls(
            user_id=user_id,
            side=Side.COMPANY,
            company_id=company_id,
            complaints_permission=permission,
            is_account_admin=account_admin,
            is_complaints_contact=complaints_contact,
        )

    @classmethod
    def platform_operator(cls, user_id: str) -> Actor:
        return cls(user_id=user_id, side=Side.PLATFORM)


def _side_problems(actor: Actor) -> list[str]:
    problems: list[str] = []
    is_agency = actor.side is Side.AGENCY
    is_company = actor.side is Side.COMPANY
    if is_agency and actor.tenant_id is None:
        problems.append("an agency user needs the tenant_id of their agency")
    if is_agency and actor.agency_role is None:
        problems.append("an agency user needs an agency_role")
    if not is_agency and actor.tenant_id is not None:
        problems.append("only agency users have a tenant_id")
    if not is_agency and actor.agency_role is not None:
        problems.append("only agency users have an agency_role")
    if is_company and actor.company_id is None:
        problems.append("a company user needs the company_id of their company")
    if not is_company:
        problems.extend(_company_fields_set(actor))
    if is_company and actor.is_complaints_contact and not _can_manage(actor):
        problems.append("the SES Complaints Contact must hold Manage Complaints permission")
    if actor.is_platform_operator != (actor.side is Side.PLATFORM):
        problems.append("is_platform_operator is true exactly for platform-side actors")
    return problems


def _can_manage(actor: Actor) -> bool:
    return actor.complaints_permission is ComplaintsPermission.MANAGE


def _company_fields_set(actor: Actor) -> list[str]:
    wrong = [
        name
        for name, is_set in (
            ("company_id", actor.company_id is not None),
            ("complaints_permission", actor.complaints_permission is not ComplaintsPermission.NONE),
            ("is_account_admin", actor.is_account_admin),
            ("is_complaints_contact", actor.is_complaints_contact),
        )
        if is_set
    ]
    return [f"{name} belongs to company users only" for name in wrong]


__all__ = ["Actor", "AgencyRole", "ComplaintsPermission", "Identity", "Side"]
