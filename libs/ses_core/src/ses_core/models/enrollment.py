"""Company enrollment: the one-time invitation of a company's first user.

One aggregate per company, whichever agency started it. Its status changes only
through ``ENROLLMENT_MACHINE``; each command raises one past-tense event
(``enrollment_events``). Only the hash of the activation token is held: the
service hashes the token it mails and the token it gets back.

Choices where the spec is silent:

- The first user redeems the link (``activate``), then finishes (``complete``)
  after assigning at least the SES Complaints Contact; see
  ``ses_core.lifecycle.enrollment`` for what expires when.
- A reminder may reissue the link (new token hash, optionally a new expiry),
  because the original link cannot be rebuilt from its hash; the old link then
  stops working. Reissuing after the link was redeemed is refused.
- A re-invite may name a different first user and records the agency that sent
  it, which from then on is the one notified.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from pydantic import Field

from ses_core.errors import PreconditionFailed, Unauthenticated, ValidationFailed
from ses_core.lifecycle._time import require_aware
from ses_core.lifecycle.enrollment import (
    ENROLLMENT_MACHINE,
    EnrollmentAction,
    EnrollmentContext,
    EnrollmentStatus,
)
from ses_core.models import enrollment_events as ev
from ses_core.models._aggregate import Aggregate, stamp
from ses_core.models._checks import required_id

_Action = EnrollmentAction


class CompanyEnrollment(Aggregate):
    company_id: str
    status: EnrollmentStatus = Field(default=EnrollmentStatus.NOT_ENROLLED, frozen=True)
    agency_id: str | None = None
    invited_user_id: str | None = None
    invited_by: str | None = None
    invited_at: datetime | None = None
    token_hash: str | None = None
    expires_at: datetime | None = None
    activated_at: datetime | None = None
    reminders_sent_at: list[datetime] = Field(default_factory=list)
    expired_at: datetime | None = None
    completed_at: datetime | None = None
    complaints_contact_id: str | None = None

    @classmethod
    def for_company(cls, company_id: str) -> CompanyEnrollment:
        """A company nobody has invited yet."""
        return cls(company_id=required_id(company_id, "the company"))

    def link_is_valid(self, now: datetime) -> bool:
        """The activation link can still be redeemed at ``now``."""
        return ENROLLMENT_MACHINE.can(self.status, _Action.ACTIVATE) and (
            self.activated_at is None and self.expires_at is not None and now < self.expires_at
        )

    def initiate(
        self,
        *,
        agency_id: str,
        invited_user_id: str,
        token_hash: str,
        expires_at: datetime,
        now: datetime,
        by: str,
    ) -> None:
        """Invite the company's first user; refused once the company is enrolled."""
        self._invite(_Action.INVITE, agency_id, invited_user_id, token_hash, expires_at, now, by)

    def reinvite(
        self,
        *,
        token_hash: str,
        expires_at: datetime,
        now: datetime,
        by: str,
        agency_id: str | None = None,
        invited_user_id: str | None = None,
    ) -> None:
        """Issue a new link after the old one expired, optionally to another first user."""
        self._invite(
            _Action.REINVITE,
            agency_id or self.agency_id or "",
            invited_user_id or self.invited_user_id or "",
            token_hash,
            expires_at,
            now,
            by,
        )

    def send_reminder(
        self,
        now: datetime,
        *,
        by: str,
        token_hash: str | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        """Remind the invited user; with ``token_hash`` the link is reissued."""
        with self._transition(ENROLLMENT_MACHINE, _Action.SEND_REMINDER):
            if token_hash is not None:
                self._reissue(token_hash, expires_at or self.expires_at, now)
            self.reminders_sent_at.append(now)
            self._emit(
                ev.EnrollmentReminderSent,
                now,
                by,
                invited_user_id=self.invited_user_id,
                link_reissued=token_hash is not None,
                expires_at=self.expires_at,
            )

    def activate(self, token_hash: str, now: datetime) -> str:
        """Redeem the single-use link; returns the invited user's id."""
        with self._transition(ENROLLMENT_MACHINE, _Action.ACTIVATE, self._context(now)):
            if self.token_hash is None or not hmac.compare_digest(self.token_hash, token_hash):
                raise Unauthenticated(
                    "This activation link is not valid; open the most recent link the agency "
                    "sent, or ask the agency for a new invitation.",
                    reason="activation_link_invalid",
                )
            user_id = self.invited_user_id or ""
            self.activated_at = now
            self._emit(ev.EnrollmentActivated, now, user_id, user_id=user_id)
            return user_id

    def complete(self, now: datetime, *, by: str, complaints_contact_id: str) -> None:
        """The first user finishes; they become the company's Account Administrator."""
        context = self._context(now, complaints_contact_id=complaints_contact_id)
        with self._transition(ENROLLMENT_MACHINE, _Action.COMPLETE, context):
            self.complaints_contact_id = complaints_contact_id.strip()
            self.completed_at = now
            self._emit(
                ev.EnrollmentCompleted,
                now,
                by,
                user_id=self.invited_user_id,
                complaints_contact_id=self.complaints_contact_id,
            )

    def expire(self, now: datetime) -> None:
        """The system's sweep: the link went unused past its lifetime."""
        with self._transition(ENROLLMENT_MACHINE, _Action.EXPIRE, self._context(now)):
            self.expired_at = now
            self.token_hash = None
            self._emit(ev.EnrollmentExpired, now, "", invited_user_id=self.invited_user_id)

    # -- plumbing ----------------------------------------------------------------------

    def _invite(
        self,
        action: EnrollmentAction,
        agency_id: str,
        invited_user_id: str,
        token_hash: str,
        expires_at: datetime,
        now: datetime,
        by: str,
    ) -> None:
        context = EnrollmentContext(
            require_aware(now), expires_at=require_aware(expires_at), token_hash=token_hash
        )
        with self._transition(ENROLLMENT_MACHINE, action, context):
            agency = required_id(agency_id, "the inviting agency")
            user = required_id(invited_user_id, "the invited user")
            self.agency_id, self.invited_user_id, self.invited_by = agency, user, by
            self.invited_at, self.token_hash, self.expires_at = now, token_hash, expires_at
            self.activated_at = self.expired_at = None
            self._emit(
                ev.EnrollmentInitiated,
                now,
                by,
                invited_user_id=user,
                expires_at=expires_at,
                reinvitation=action is _Action.REINVITE,
            )

    def _reissue(self, token_hash: str, expires_at: datetime | None, now: datetime) -> None:
        if self.activated_at is not None:
            raise PreconditionFailed(
                "The invited user already activated the account; a new activation link is "
                "not needed, only the reminder.",
                reason="enrollment_activated",
            )
        if not token_hash or expires_at is None or expires_at <= now:
            raise ValidationFailed(
                "A reissued activation link needs a token hash and an expiry after now.",
                reason="reissue_invalid",
            )
        self.token_hash, self.expires_at = token_hash, expires_at

    def _context(self, now: datetime, **overrides: Any) -> EnrollmentContext:
        return EnrollmentContext(
            require_aware(now),
            expires_at=self.expires_at,
            token_hash=self.token_hash or "",
            activated=self.activated_at is not None,
            **overrides,
        )

    def _emit(
        self, event_type: type[ev.EnrollmentEvent], now: datetime, by: str, **fields: Any
    ) -> None:
        self._record(
            event_type(
                tenant_id=self.agency_id or "",
                company_id=self.company_id,
                **stamp(now, by),
                **fields,
            )
        )
