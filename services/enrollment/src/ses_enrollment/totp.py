"""TOTP authenticators (RFC 6238 with the usual authenticator-app parameters).

SHA-1, 6 digits, 30-second steps: what every authenticator app understands from an
``otpauth://`` URI. A code is accepted for the current step and one step either side
(clock drift of up to 30 s), and never twice: a sign-in records the step it used, and
a later sign-in must use a later step (RFC 6238 §5.2).
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

from ses_core.errors import ValidationFailed

ISSUER = "SES"
DRIFT_STEPS = 1
STEP_SECONDS = 30


def new_secret() -> str:
    """160 random bits in base32, as RFC 4226 recommends."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def normalized_code(code: str) -> str:
    """The code without blanks; ``ValidationFailed`` unless it is six digits."""
    cleaned = "".join(code.split())
    if len(cleaned) != 6 or not cleaned.isdigit():
        raise ValidationFailed(
            "Enter the six-digit code your authenticator app shows for SES.",
            reason="totp_code_malformed",
            field="totp_code",
        )
    return cleaned


def matching_step(secret: str, code: str, at: datetime, *, after: int | None = None) -> int | None:
    """The time step ``code`` belongs to near ``at``, or None; steps up to ``after`` are used."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        step = current + offset
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def was_used(secret: str, code: str, at: datetime, *, last_used: int | None) -> bool:
    """Whether ``code`` is the code of an accepted step near ``at`` that was already used
    (at or before ``last_used``): a replay, as opposed to a wrong code."""
    if last_used is None:
        return False
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at)
    return any(
        hmac.compare_digest(totp.generate_otp(step), code)
        for step in range(current - DRIFT_STEPS, min(current + DRIFT_STEPS, last_used) + 1)
    )


def seconds_to_next_step(at: datetime) -> float:
    """How long until authenticators show their next code."""
    return STEP_SECONDS - at.timestamp() % STEP_SECONDS


def code_at(secret: str, at: datetime) -> str:
    """The code an authenticator shows at ``at`` (demo instructions, tests)."""
    return pyotp.TOTP(secret).at(at)
