"""An activation link was sent: the event the notify service e-mails.

``UserCreated`` carries the link of a user invited right away, but a company's first
user is invited later, by ``InitiateEnrollment``, and links are sent again by reminders
and re-invitations; the enrollment aggregate's events carry no link (only a hash of the
token is stored). The enrollment service raises this event; notify e-mails its link.

The link is a bearer secret with a limited lifetime: only the notify service should
read it, and nothing should log it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Self

from pydantic import model_validator

from ses_core.events import DomainEvent


class LinkPurpose(StrEnum):
    ENROLLMENT_INVITATION = "enrollment_invitation"
    ENROLLMENT_REINVITATION = "enrollment_reinvitation"
    ENROLLMENT_REMINDER = "enrollment_reminder"
    LINK_RESENT = "link_resent"


class ActivationLinkIssued(DomainEvent):
    context: ClassVar[str] = "enrollment"

    user_id: str
    agency_id: str = ""
    company_id: str = ""
    email: str
    given_name: str
    family_name: str
    purpose: LinkPurpose
    activation_link: str
    activation_expires_at: datetime
    issued_by_user_id: str = ""
    company_name: str = ""
    inviting_agency_name: str = ""

    @model_validator(mode="after")
    def _one_organization(self) -> Self:
        if bool(self.agency_id) == bool(self.company_id):
            raise ValueError("An activation link names exactly one of agency_id and company_id.")
        return self
