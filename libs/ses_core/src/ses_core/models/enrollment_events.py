"""Events of the enrollment context raised by ``CompanyEnrollment``.

``tenant_id`` is the agency that initiated (or last re-initiated) the enrollment,
so that agency can be notified. No event carries the activation token: only its
hash is stored, and the link reaches the invited user by the enrollment
service's own means.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from ses_core.events import DomainEvent


class EnrollmentEvent(DomainEvent):
    context: ClassVar[str] = "enrollment"

    company_id: str
    actor_id: str = ""


class EnrollmentInitiated(EnrollmentEvent):
    invited_user_id: str
    expires_at: datetime
    reinvitation: bool = False


class EnrollmentActivated(EnrollmentEvent):
    user_id: str


class EnrollmentReminderSent(EnrollmentEvent):
    invited_user_id: str
    link_reissued: bool = False
    expires_at: datetime


class EnrollmentExpired(EnrollmentEvent):
    invited_user_id: str


class EnrollmentCompleted(EnrollmentEvent):
    user_id: str
    complaints_contact_id: str


__all__ = [
    "EnrollmentActivated",
    "EnrollmentCompleted",
    "EnrollmentEvent",
    "EnrollmentExpired",
    "EnrollmentInitiated",
    "EnrollmentReminderSent",
]
