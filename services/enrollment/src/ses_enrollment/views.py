"""What handlers return: aggregates with the facts a response needs beside them.

No transport types here; ``ses_enrollment.mappers`` turns these into protobuf messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ses_core.accounts import AgencyUser, Company, CompanyAccount, CompanyUser
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_core.models import CompanyEnrollment
from ses_enrollment.credentials import Credential
from ses_enrollment.identity_store import PlatformOperator

AnyUser = AgencyUser | CompanyUser | PlatformOperator


class EnrollmentStep(StrEnum):
    ACTIVATE_ACCOUNT = "activate_account"
    ASSIGN_SES_COMPLAINTS_CONTACT = "assign_ses_complaints_contact"
    CONFIRM_COMPANY = "confirm_company"


@dataclass(frozen=True)
class UserView:
    user: AnyUser
    locked_until: datetime | None = None
    last_signed_in_at: datetime | None = None

    @classmethod
    def of(cls, user: AnyUser, credential: Credential | None, now: datetime) -> UserView:
        if credential is None:
            return cls(user)
        return cls(user, credential.visible_lock(now), credential.last_signed_in_at)


@dataclass(frozen=True)
class CompanyView:
    company: Company
    enrollment: CompanyEnrollment | None = None
    account: CompanyAccount | None = None

    @property
    def status(self) -> EnrollmentStatus:
        return self.enrollment.status if self.enrollment else EnrollmentStatus.NOT_ENROLLED

    @property
    def contact(self) -> CompanyUser | None:
        return self.account.complaints_contact if self.account else None


@dataclass(frozen=True)
class EnrollmentView:
    company_id: str
    enrollment: CompanyEnrollment | None
    account: CompanyAccount | None

    @property
    def status(self) -> EnrollmentStatus:
        return self.enrollment.status if self.enrollment else EnrollmentStatus.NOT_ENROLLED

    @property
    def missing_steps(self) -> list[EnrollmentStep]:
        """What the first user still has to do while invited; nothing before or after.

        CONFIRM_COMPANY is the step ``CompleteEnrollment`` itself takes, so it is listed
        until enrollment is complete.
        """
        if self.enrollment is None or self.status is not EnrollmentStatus.INVITED:
            return []
        steps = []
        if self.enrollment.activated_at is None:
            steps.append(EnrollmentStep.ACTIVATE_ACCOUNT)
        if self.account is None or self.account.complaints_contact_id is None:
            steps.append(EnrollmentStep.ASSIGN_SES_COMPLAINTS_CONTACT)
        steps.append(EnrollmentStep.CONFIRM_COMPANY)
        return steps


@dataclass(frozen=True)
class Page:
    """One page of a keyset-paginated list."""

    items: list[UserView] = field(default_factory=list)
    next_page_token: str = ""


@dataclass(frozen=True)
class CompanyPage:
    items: list[CompanyView] = field(default_factory=list)
    next_page_token: str = ""
