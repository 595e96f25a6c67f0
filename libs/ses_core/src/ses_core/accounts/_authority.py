"""A user's authority: what the directory says they may do, read at every call (DESIGN §6).

A token proves an ``Identity`` (who, and for which organisation); this record, kept by
every service from the enrollment service's ``UserAuthorityChanged`` statements, turns
it into the ``Actor`` the permission rules check. So a deactivation, a role change or a
new designation takes effect on the next call, not when the user's token expires.

Rules (``UserAuthority.actor_for``), with the choices where the spec is silent:

- A deactivated user is refused as unauthenticated: the token is genuine but no longer
  names anyone who may act, and the user must ask their administrator, not retry.
- A token issued for another organisation than the one the directory names is refused
  the same way: it was issued before a change the directory knows about, or is wrong.
- Authority the directory cannot express as an actor (an agency user without a role;
  the SES Complaints Contact designation without Manage Complaints, which the enrollment
  service never states) grants nothing more than the rest of the record: the
  designation is dropped, or the user is refused when no actor can be built at all.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ses_core.accounts._email import email_key
from ses_core.accounts._events import UserAuthorityChanged
from ses_core.errors import Unauthenticated
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission, Identity, Side


class UserAuthority(BaseModel):
    """One user's authority, as the directory states it (``version`` orders statements)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str = Field(min_length=1)
    side: Side
    organization_id: str = ""
    email: str = ""
    active: bool = True
    agency_role: AgencyRole | None = None
    complaints_permission: ComplaintsPermission = ComplaintsPermission.NONE
    account_admin: bool = False
    complaints_contact: bool = False
    version: int = Field(default=0, ge=0)

    @classmethod
    def of(
        cls, actor: Actor, *, email: str, active: bool = True, version: int = 0
    ) -> UserAuthority:
        """The record that grants ``actor`` (``email`` is stored in its comparable form)."""
        return cls(
            user_id=actor.user_id,
            side=actor.side,
            organization_id=actor.organization_id,
            email=email_key(email) if email else "",
            active=active,
            agency_role=actor.agency_role,
            complaints_permission=actor.complaints_permission,
            account_admin=actor.is_account_admin,
            complaints_contact=actor.is_complaints_contact,
            version=version,
        )

    @classmethod
    def stated_by(cls, event: UserAuthorityChanged) -> UserAuthority:
        return cls(
            user_id=event.user_id,
            side=event.side,
            organization_id=event.agency_id or event.company_id,
            email=email_key(event.email) if event.email else "",
            active=event.active,
            agency_role=event.agency_roles[0] if event.agency_roles else None,
            complaints_permission=event.complaints_permission,
            account_admin=event.account_administrator,
            complaints_contact=event.complaints_contact,
            version=event.version,
        )

    def statement(self, *, tenant_id: str = "") -> UserAuthorityChanged:
        """The event stating this record (``version`` must already be the new one)."""
        return UserAuthorityChanged(
            tenant_id=tenant_id,
            user_id=self.user_id,
            side=self.side,
            agency_id=self.organization_id if self.side is Side.AGENCY else "",
            company_id=self.organization_id if self.side is Side.COMPANY else "",
            email=self.email,
            active=self.active,
            agency_roles=[self.agency_role] if self.agency_role is not None else [],
            complaints_permission=self.complaints_permission,
            account_administrator=self.account_admin,
            complaints_contact=self.complaints_contact,
            version=self.version,
        )

    def actor_for(self, identity: Identity) -> Actor:
        """The actor ``identity`` acts as now; ``Unauthenticated`` when it may not act at all."""
        if not self.active:
            raise Unauthenticated(
                "Your SES account was deactivated, so it can no longer be used; ask an Account "
                "Administrator of your organisation if you still need access.",
                reason="account_deactivated",
            )
        stated = (identity.side, identity.organization_id)
        if identity.side is not None and stated != (self.side, self.organization_id):
            raise Unauthenticated(
                "Your access token was issued for another organisation than the one your SES "
                "account belongs to now; sign in again.",
                reason="token_organization_mismatch",
            )
        return self._actor()

    def _actor(self) -> Actor:
        is_company = self.side is Side.COMPANY
        manages = self.complaints_permission is ComplaintsPermission.MANAGE
        try:
            return Actor(
                user_id=self.user_id,
                side=self.side,
                tenant_id=self.organization_id if self.side is Side.AGENCY else None,
                company_id=self.organization_id if is_company else None,
                agency_role=self.agency_role if self.side is Side.AGENCY else None,
                complaints_permission=(
                    self.complaints_permission if is_company else ComplaintsPermission.NONE
                ),
                is_account_admin=is_company and self.account_admin,
                is_complaints_contact=is_company and self.complaints_contact and manages,
            )
        except ValidationError:
            raise Unauthenticated(
                "Your SES account is incomplete (it has no role or no organisation), so it "
                "cannot act; ask an Account Administrator of your organisation to check it.",
                reason="account_incomplete",
            ) from None


__all__ = ["UserAuthority"]
