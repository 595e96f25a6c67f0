"""The company-enrollment state machine (DESIGN §5).

``NOT_ENROLLED`` → ``INVITED`` → ``ENROLLED``; ``INVITED`` → ``EXPIRED`` (the
activation link went unused past its lifetime) → ``INVITED`` (re-invite).
``ENROLLED`` is final: a company enrolls once.

Choices where the spec is silent:

- Enrollment has two steps for the first user: redeeming the single-use
  activation link (``ACTIVATE``, a self-loop: password and authenticator are set)
  and finishing (``COMPLETE``). Only the link expires; once it was redeemed the
  enrollment no longer expires, and finishing needs a redeemed link and the
  SES Complaints Contact.
- ``EXPIRE`` is refused while the link is still valid or after it was redeemed,
  so a late sweep cannot expire a live enrollment. A link redeemed exactly at
  ``expires_at`` counts as expired.
- The agency's reminder (``SEND_REMINDER``) is allowed only while ``INVITED``; an
  expired enrollment needs a re-invite, which issues a new link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ses_core.errors import PreconditionFailed, ValidationFailed
from ses_core.lifecycle._machine import StateMachine, Transition


class EnrollmentStatus(StrEnum):
    NOT_ENROLLED = "NOT_ENROLLED"
    INVITED = "INVITED"
    ENROLLED = "ENROLLED"
    EXPIRED = "EXPIRED"


class EnrollmentAction(StrEnum):
    INVITE = "INVITE"
    SEND_REMINDER = "SEND_REMINDER"
    ACTIVATE = "ACTIVATE"
    COMPLETE = "COMPLETE"
    EXPIRE = "EXPIRE"
    REINVITE = "REINVITE"


@dataclass(frozen=True)
class EnrollmentContext:
    """What the enrollment's guards look at."""

    now: datetime
    expires_at: datetime | None = None
    token_hash: str = ""
    activated: bool = False
    complaints_contact_id: str = ""


def _invite_guard(ctx: EnrollmentContext) -> None:
    if not ctx.token_hash:
        raise ValidationFailed(
            "An invitation needs the hash of its activation token.", reason="token_required"
        )
    if ctx.expires_at is None or ctx.expires_at <= ctx.now:
        raise ValidationFailed(
            "The activation link must expire after the moment it is issued.",
            reason="expiry_not_in_future",
        )


def _link_expired(ctx: EnrollmentContext) -> bool:
    return ctx.expires_at is None or ctx.now >= ctx.expires_at


def _activate_guard(ctx: EnrollmentContext) -> None:
    if ctx.activated:
        raise PreconditionFailed(
            "This activation link was already used; sign in with your password and "
            "authenticator code instead.",
            reason="activation_link_used",
        )
    if _link_expired(ctx):
        raise PreconditionFailed(
            "This activation link has expired; ask the agency to send a new invitation.",
            reason="activation_link_expired",
        )


def _complete_guard(ctx: EnrollmentContext) -> None:
    if not ctx.activated:
        raise PreconditionFailed(
            "Activate the account from the welcome e-mail before finishing enrollment.",
            reason="enrollment_not_activated",
        )
    if not ctx.complaints_contact_id.strip():
        raise ValidationFailed(
            "Assign the company's SES Complaints Contact before finishing enrollment.",
            reason="complaints_contact_required",
        )


def _expire_guard(ctx: EnrollmentContext) -> None:
    if ctx.activated:
        raise PreconditionFailed(
            "The invited user already activated the account, so the enrollment cannot expire.",
            reason="enrollment_activated",
        )
    if not _link_expired(ctx):
        raise PreconditionFailed(
            "The activation link is still valid, so the enrollment cannot expire yet.",
            reason="activation_link_valid",
        )


_S = EnrollmentStatus
_A = EnrollmentAction

ENROLLMENT_MACHINE: StateMachine[EnrollmentStatus, EnrollmentAction, EnrollmentContext] = (
    StateMachine(
        "company enrollment",
        [
            Transition(_S.NOT_ENROLLED, _A.INVITE, _S.INVITED, _invite_guard),
            Transition(_S.INVITED, _A.SEND_REMINDER, _S.INVITED),
            Transition(_S.INVITED, _A.ACTIVATE, _S.INVITED, _activate_guard),
            Transition(_S.INVITED, _A.COMPLETE, _S.ENROLLED, _complete_guard),
            Transition(_S.INVITED, _A.EXPIRE, _S.EXPIRED, _expire_guard),
            Transition(_S.EXPIRED, _A.REINVITE, _S.INVITED, _invite_guard),
        ],
        final_states=[_S.ENROLLED],
        initial_states=[_S.NOT_ENROLLED],
    )
)
