"""A company's account: its users, Account Administrators and contacts (DESIGN §4).

One aggregate per company, because its rules span users: 1–3 Account
Administrators, an SES Complaints Contact who holds Manage Complaints, e-mail
addresses unique within the company. Who may run each command is checked by the
service (``Action.MANAGE_COMPANY_USERS``, ``ASSIGN_COMPANY_CONTACT``, ...).

Choices where the spec is silent:

- The company's first user is created by an agency, pending activation and
  without the administrator designation; ``finish_enrollment`` makes them an
  Account Administrator. Until then the company has no administrator and the
  1–3 rule is not yet in force.
- "The last Account Administrator cannot be removed" counts administrators who
  can act: active and activated. Revoking or deactivating such an
  administrator is refused unless another one remains, so an administrator who
  has not activated yet cannot be the company's only way in. Pending
  administrators do count toward the limit of three, because they will act.
- An e-mail address names one account for good: it stays taken after the user
  is deactivated, so that history never mixes two people (compared ignoring
  case).
- The SES Complaints Contact may be a user who has not activated yet (during
  enrollment the first user often creates the contact's account); they must be
  active and hold Manage Complaints.
- Up to ``MAX_NOTIFICATION_ADDRESSES`` additional notification addresses;
  repeats (ignoring case) are dropped, the first spelling wins.
- An agency creates a company's users only until one of them activates (the first
  user, or another candidate if the first never did): from then on someone acts as the
  company's Account Administrator and creates its users (DESIGN §1 step 3). An agency
  adding people to an account a company already runs could plant a user who, once the
  company enrolls, reads the complaints every other agency sends it.
- Commands that would change nothing (the same permission, the same contact,
  the same addresses) raise no event and return ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import Field, field_validator

from ses_core.accounts._company import Company
from ses_core.accounts._email import check_email_address, email_key
from ses_core.accounts._events import (
    AccountsEvent,
    CompanyContactAssigned,
    NotificationAddressesChanged,
    UserCreated,
    UserDeactivated,
    UserRolesChanged,
)
from ses_core.accounts._kinds import CompanyContactType
from ses_core.accounts._tasks import OutstandingTask, outstanding_tasks
from ses_core.accounts._text import single_line
from ses_core.accounts._users import UserRecord
from ses_core.errors import AlreadyExists, NotFound, PreconditionFailed, ValidationFailed, quote
from ses_core.identity import ComplaintsPermission
from ses_core.lifecycle._time import require_aware
from ses_core.models import Aggregate
from ses_core.models._checks import new_id, required_id

MAX_ACCOUNT_ADMINS = 3
MAX_NOTIFICATION_ADDRESSES = 10

_MANAGE = ComplaintsPermission.MANAGE
EventT = TypeVar("EventT", bound=AccountsEvent)


class CompanyUser(UserRecord):
    """A user of one company. Change it only through its ``CompanyAccount``."""

    company_id: str
    complaints_permission: ComplaintsPermission = ComplaintsPermission.NONE
    is_account_admin: bool = False

    @property
    def can_act_as_admin(self) -> bool:
        return self.is_account_admin and self.active and self.activated


class CompanyAccount(Aggregate):
    company_id: str
    users: list[CompanyUser] = Field(default_factory=list)
    complaints_contact_id: str | None = None
    notification_addresses: list[str] = Field(default_factory=list)

    @field_validator("company_id")
    @classmethod
    def _company_id(cls, value: str) -> str:
        return required_id(value, "the company")

    @classmethod
    def open(cls, company_id: str) -> CompanyAccount:
        """The account of a company that has no users yet."""
        return cls(company_id=company_id)

    # -- queries -------------------------------------------------------------------------

    def user(self, user_id: str) -> CompanyUser:
        for user in self.users:
            if user.id == user_id:
                return user
        raise NotFound(
            f"There is no user {quote(user_id)} for your company.", reason="user_not_found"
        )

    def require_agency_may_add_users(self, company_name: str) -> None:
        """Refuse an agency's new user once a user of the company has activated."""
        if any(user.activated for user in self.users):
            raise PreconditionFailed(
                f"{self.company_id} ({company_name}) already has a user who signed in; its "
                "Account Administrators create its users from now on.",
                reason="company_account_taken_over",
            )

    def find_user_by_email(self, email: str) -> CompanyUser | None:
        key = email_key(email)
        return next((user for user in self.users if user.email_key == key), None)

    @property
    def active_users(self) -> list[CompanyUser]:
        return [user for user in self.users if user.active]

    @property
    def account_admins(self) -> list[CompanyUser]:
        """Active users designated Account Administrator (pending ones included)."""
        return [user for user in self.active_users if user.is_account_admin]

    @property
    def complaints_contact(self) -> CompanyUser | None:
        if self.complaints_contact_id is None:
            return None
        return self.user(self.complaints_contact_id)

    def outstanding_tasks(self, company: Company | None = None) -> list[OutstandingTask]:
        """What the company should still set up; ``company`` adds the directory's checks."""
        return outstanding_tasks(self, company)

    # -- commands ------------------------------------------------------------------------

    def add_user(
        self,
        *,
        email: str,
        given_name: str,
        family_name: str,
        now: datetime,
        by: str,
        phone: str = "",
        permission: ComplaintsPermission = ComplaintsPermission.NONE,
        account_admin: bool = False,
        user_id: str | None = None,
        tenant_id: str = "",
        activation_link: str = "",
        activation_expires_at: datetime | None = None,
    ) -> CompanyUser:
        """Create a user pending activation. ``tenant_id``: the agency creating a first user."""
        user = CompanyUser(
            id=user_id or new_id(),
            company_id=self.company_id,
            email=email,
            given_name=given_name,
            family_name=family_name,
            phone=phone,
            complaints_permission=permission,
            created_at=require_aware(now),
        )
        self._refuse_taken(user)
        if account_admin:
            self._require_admin_room()
            user.is_account_admin = True
        self.users.append(user)
        self._emit(
            UserCreated,
            now,
            tenant_id=tenant_id,
            user_id=user.id,
            email=user.email,
            given_name=user.given_name,
            family_name=user.family_name,
            complaints_permission=user.complaints_permission,
            account_administrator=user.is_account_admin,
            created_by_user_id=by,
            activation_link=activation_link,
            activation_expires_at=activation_expires_at,
        )
        return user

    def record_activation(self, user_id: str, now: datetime) -> None:
        self.user(user_id).record_activation(now)

    def change_roles(
        self,
        user_id: str,
        *,
        now: datetime,
        by: str,
        permission: ComplaintsPermission | None = None,
        account_admin: bool | None = None,
    ) -> UserRolesChanged | None:
        """Set the user's complaints permission and/or administrator designation.

        ``None`` keeps the current value (the proto's UNSPECIFIED / unset).
        """
        user = self.user(user_id)
        user.require_active()
        new_permission = user.complaints_permission if permission is None else permission
        new_admin = user.is_account_admin if account_admin is None else account_admin
        if (new_permission, new_admin) == (user.complaints_permission, user.is_account_admin):
            return None
        if new_permission is not _MANAGE and user.id == self.complaints_contact_id:
            raise PreconditionFailed(
                f"{user.display_name} is the company's SES Complaints Contact, who must hold "
                f"Manage Complaints; assign another contact first, then change "
                f"{user.display_name}'s permission.",
                reason="complaints_contact_needs_manage",
            )
        if user.is_account_admin and not new_admin:
            self._require_other_admin(user, "remove their Account Administrator designation")
        if new_admin and not user.is_account_admin:
            self._require_admin_room()
        user.complaints_permission, user.is_account_admin = new_permission, new_admin
        return self._roles_changed(user, now, by)

    def assign_contact(
        self,
        user_id: str,
        *,
        now: datetime,
        by: str,
        contact_type: CompanyContactType = CompanyContactType.SES_COMPLAINTS_CONTACT,
    ) -> CompanyContactAssigned | None:
        """Designate the user as the company's SES Complaints Contact, replacing the holder."""
        user = self.user(user_id)
        user.require_active()
        if user.complaints_permission is not _MANAGE:
            raise PreconditionFailed(
                f"{user.display_name} cannot be the SES Complaints Contact without Manage "
                f"Complaints permission; grant it to {user.display_name} first, or choose "
                "another user.",
                reason="contact_needs_manage",
            )
        previous = self.complaints_contact_id
        if previous == user.id:
            return None
        self.complaints_contact_id = user.id
        return self._emit(
            CompanyContactAssigned,
            now,
            contact_type=contact_type,
            user_id=user.id,
            previous_user_id=previous or "",
            assigned_by_user_id=by,
        )

    def deactivate_user(
        self, user_id: str, *, now: datetime, by: str, reason: str = ""
    ) -> UserDeactivated:
        """End the user's access for good; their sessions end with it."""
        user = self.user(user_id)
        user.require_active()
        if user.id == self.complaints_contact_id:
            raise PreconditionFailed(
                f"{user.display_name} is the company's SES Complaints Contact; assign another "
                "contact before deactivating them.",
                reason="complaints_contact_deactivation",
            )
        if user.is_account_admin:
            self._require_other_admin(user, "deactivate them")
        user._mark_deactivated(now)
        return self._emit(
            UserDeactivated,
            now,
            user_id=user.id,
            deactivated_by_user_id=by,
            reason=single_line(reason, "the deactivation reason", max_length=500),
        )

    def finish_enrollment(self, first_user_id: str, *, now: datetime) -> UserRolesChanged | None:
        """The activated first user finishes enrollment and becomes Account Administrator.

        Call it with ``CompanyEnrollment.complete``, passing that
        ``complaints_contact_id``, in the same unit of work.
        """
        user = self.user(first_user_id)
        user.require_active()
        if not user.activated:
            raise PreconditionFailed(
                "Activate the account from the welcome e-mail before finishing enrollment.",
                reason="enrollment_not_activated",
            )
        if self.complaints_contact_id is None:
            raise PreconditionFailed(
                "Assign the company's SES Complaints Contact before finishing enrollment.",
                reason="complaints_contact_required",
            )
        if user.is_account_admin:
            return None
        self._require_admin_room()
        user.is_account_admin = True
        return self._roles_changed(user, now, first_user_id)

    def set_notification_addresses(
        self, addresses: Iterable[str], *, now: datetime, by: str
    ) -> NotificationAddressesChanged | None:
        """Replace the additional addresses that receive the company's notifications."""
        cleaned: dict[str, str] = {}
        for address in addresses:
            valid = check_email_address(address, what="the notification address")
            cleaned.setdefault(email_key(valid), valid)
        if len(cleaned) > MAX_NOTIFICATION_ADDRESSES:
            raise ValidationFailed(
                f"A company may have at most {MAX_NOTIFICATION_ADDRESSES} notification "
                f"addresses; {len(cleaned)} were given. Use a shared mailbox for larger groups.",
                reason="too_many_notification_addresses",
            )
        new = list(cleaned.values())
        if new == self.notification_addresses:
            return None
        self.notification_addresses = new
        return self._emit(NotificationAddressesChanged, now, addresses=new, changed_by_user_id=by)

    # -- rules ---------------------------------------------------------------------------

    def _refuse_taken(self, new_user: CompanyUser) -> None:
        if any(user.id == new_user.id for user in self.users):
            raise AlreadyExists(
                f"The company already has a user with id {new_user.id}.", reason="user_exists"
            )
        holder = self.find_user_by_email(new_user.email)
        if holder is not None:
            state = "" if holder.active else ", whose account was deactivated"
            raise AlreadyExists(
                f"{new_user.email} already belongs to {holder.display_name}{state}; "
                "use another e-mail address.",
                reason="email_taken",
            )

    def _require_admin_room(self) -> None:
        admins = self.account_admins
        if len(admins) >= MAX_ACCOUNT_ADMINS:
            names = ", ".join(admin.display_name for admin in admins)
            raise PreconditionFailed(
                f"The company already has {MAX_ACCOUNT_ADMINS} Account Administrators "
                f"({names}), the most it may have; remove the designation from one of them "
                "first.",
                reason="too_many_account_admins",
            )

    def _require_other_admin(self, user: CompanyUser, what: str) -> None:
        if not user.can_act_as_admin:
            return
        others = [admin for admin in self.account_admins if admin.id != user.id]
        if any(admin.activated for admin in others):
            return
        if not others:
            message = (
                f"{user.display_name} is the company's only Account Administrator: make "
                f"another user administrator first, then {what}."
            )
        else:
            pending = ", ".join(admin.display_name for admin in others)
            message = (
                f"{user.display_name} is the company's only Account Administrator who has "
                f"activated their account: wait until {pending} has activated, or make "
                f"another activated user administrator first, then {what}."
            )
        raise PreconditionFailed(message, reason="last_account_admin")

    # -- plumbing ------------------------------------------------------------------------

    def _roles_changed(self, user: CompanyUser, now: datetime, by: str) -> UserRolesChanged:
        return self._emit(
            UserRolesChanged,
            now,
            user_id=user.id,
            complaints_permission=user.complaints_permission,
            account_administrator=user.is_account_admin,
            changed_by_user_id=by,
        )

    def _emit(self, event_type: type[EventT], now: datetime, **fields: Any) -> EventT:
        fields["company_id"] = self.company_id
        event = event_type(occurred_at=require_aware(now), **fields)
        self._record(event)
        return event
