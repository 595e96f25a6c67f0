"""Agencies (tenants) and their users.

A platform operator creates an agency and its first Agency Account
Administrator; from then on the agency's Account Administrators manage its
users. Each agency user holds exactly one ``AgencyRole`` (DESIGN §4).
Permission to manage users is checked by the service (``Action.MANAGE_AGENCY_USERS``);
the rules here are about the data.

Choice where the spec is silent: nobody changes their own role or deactivates
themselves. Since only an agency's Account Administrators manage its users, the
administrator making a change always remains one, so an agency can never lose
its last Account Administrator.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator

from ses_core.accounts._codes import check_agency_code, check_state_code
from ses_core.accounts._events import AgencyCreated, UserCreated, UserDeactivated, UserRolesChanged
from ses_core.accounts._text import required_line, single_line
from ses_core.accounts._users import UserRecord
from ses_core.errors import PreconditionFailed
from ses_core.identity import AgencyRole
from ses_core.lifecycle._time import require_aware
from ses_core.models import Aggregate
from ses_core.models._checks import new_id, required_id


class Agency(Aggregate):
    """A state agency: one tenant of the platform."""

    id: str
    code: str
    name: str
    state_code: str
    created_at: datetime

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return required_id(value, "the agency's id")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return check_agency_code(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return required_line(value, "the agency's name", reason="agency_name_required")

    @field_validator("state_code")
    @classmethod
    def _state(cls, value: str) -> str:
        return check_state_code(value)

    @classmethod
    def create(
        cls,
        *,
        code: str,
        name: str,
        state_code: str,
        now: datetime,
        by: str = "",
        agency_id: str | None = None,
    ) -> Agency:
        """A new agency; its code must be unique, which the service checks."""
        agency = cls(
            id=agency_id or new_id(),
            code=code,
            name=name,
            state_code=state_code,
            created_at=require_aware(now),
        )
        agency._record(
            AgencyCreated(
                occurred_at=now,
                tenant_id=agency.id,
                agency_id=agency.id,
                code=agency.code,
                name=agency.name,
                state_code=agency.state_code,
                created_by_user_id=by,
            )
        )
        return agency


class AgencyUser(UserRecord):
    """A user of one agency, holding one agency role."""

    agency_id: str
    role: AgencyRole

    @classmethod
    def create(
        cls,
        *,
        agency_id: str,
        email: str,
        given_name: str,
        family_name: str,
        role: AgencyRole,
        now: datetime,
        by: str = "",
        phone: str = "",
        user_id: str | None = None,
        activation_link: str = "",
        activation_expires_at: datetime | None = None,
    ) -> AgencyUser:
        """A new agency user, pending activation; the e-mail's uniqueness is the service's."""
        user = cls(
            id=user_id or new_id(),
            agency_id=required_id(agency_id, "the user's agency"),
            email=email,
            given_name=given_name,
            family_name=family_name,
            phone=phone,
            role=role,
            created_at=require_aware(now),
        )
        user._record(
            UserCreated(
                occurred_at=now,
                tenant_id=user.agency_id,
                user_id=user.id,
                agency_id=user.agency_id,
                email=user.email,
                given_name=user.given_name,
                family_name=user.family_name,
                agency_roles=[role],
                created_by_user_id=by,
                activation_link=activation_link,
                activation_expires_at=activation_expires_at,
            )
        )
        return user

    def change_role(self, role: AgencyRole, *, now: datetime, by: str) -> UserRolesChanged | None:
        """Give the user ``role`` instead of their current one; the same role changes nothing."""
        self.require_active()
        self._refuse_self(by, "change your own role")
        if role is self.role:
            return None
        self.role = role
        event = UserRolesChanged(
            occurred_at=require_aware(now),
            tenant_id=self.agency_id,
            user_id=self.id,
            agency_id=self.agency_id,
            agency_roles=[role],
            changed_by_user_id=by,
        )
        self._record(event)
        return event

    def deactivate(self, *, now: datetime, by: str, reason: str = "") -> UserDeactivated:
        """End the user's access for good; their sessions end with it."""
        self.require_active()
        self._refuse_self(by, "deactivate your own account")
        self._mark_deactivated(now)
        event = UserDeactivated(
            occurred_at=now,
            tenant_id=self.agency_id,
            user_id=self.id,
            agency_id=self.agency_id,
            deactivated_by_user_id=by,
            reason=single_line(reason, "the deactivation reason", max_length=500),
        )
        self._record(event)
        return event

    def _refuse_self(self, by: str, what: str) -> None:
        if by == self.id:
            raise PreconditionFailed(
                f"You cannot {what}; ask another Agency Account Administrator, so that the "
                "agency always keeps one.",
                reason="self_change_refused",
            )
