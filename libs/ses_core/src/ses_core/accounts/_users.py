"""What agency users and company users share: identity, sign-in name and lifecycle.

A user is created pending activation, becomes active when they redeem their
activation link (the enrollment service sets their password and authenticator
and then calls ``record_activation``), and may be deactivated. Deactivation is
final: a deactivated account cannot be changed or reactivated, so that its
history stays the history of one person; create a new user instead.

Activation raises no event of its own here: the enrollment service's
``EnrollmentActivated`` covers a company's first user, and nothing else
projects it.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator

from ses_core.accounts._email import check_email_address, email_key
from ses_core.accounts._kinds import UserStatus
from ses_core.accounts._text import required_line
from ses_core.errors import PreconditionFailed
from ses_core.lifecycle._time import require_aware
from ses_core.models import Aggregate
from ses_core.models._checks import check_phone, required_id

MAX_NAME_LENGTH = 100


class UserRecord(Aggregate):
    id: str
    email: str
    given_name: str
    family_name: str
    phone: str = ""
    created_at: datetime
    activated_at: datetime | None = None
    deactivated_at: datetime | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return required_id(value, "the user's id")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email_address(value, what="the user's e-mail")

    @field_validator("given_name")
    @classmethod
    def _given_name(cls, value: str) -> str:
        return required_line(
            value, "the user's given name", reason="given_name_required", max_length=MAX_NAME_LENGTH
        )

    @field_validator("family_name")
    @classmethod
    def _family_name(cls, value: str) -> str:
        return required_line(
            value,
            "the user's family name",
            reason="family_name_required",
            max_length=MAX_NAME_LENGTH,
        )

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return check_phone(value) if value.strip() else ""

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def email_key(self) -> str:
        return email_key(self.email)

    @property
    def active(self) -> bool:
        """Not deactivated (a user pending activation is active)."""
        return self.deactivated_at is None

    @property
    def activated(self) -> bool:
        """The user redeemed their activation link and may sign in."""
        return self.activated_at is not None

    @property
    def status(self) -> UserStatus:
        if not self.active:
            return UserStatus.DEACTIVATED
        return UserStatus.ACTIVE if self.activated else UserStatus.PENDING_ACTIVATION

    def record_activation(self, now: datetime) -> None:
        """The user set their password and authenticator from the activation link."""
        self.require_active()
        if self.activated:
            raise PreconditionFailed(
                f"{self.display_name} already activated their account; sign in with the "
                "password and authenticator code instead.",
                reason="already_activated",
            )
        self.activated_at = require_aware(now)

    def require_active(self) -> None:
        if not self.active:
            raise PreconditionFailed(
                f"{self.display_name}'s account was deactivated and cannot be changed; "
                "create a new user instead.",
                reason="user_deactivated",
            )

    def _mark_deactivated(self, now: datetime) -> None:
        self.require_active()
        self.deactivated_at = require_aware(now)
