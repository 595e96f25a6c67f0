"""A user's sign-in state: password, authenticator, failed attempts and lockout.

Lockout (choices where the spec is silent): ``threshold`` consecutive failed sign-ins
(wrong password or wrong code, counted together so that neither can be guessed on its
own) lock the account for ``duration``; a successful sign-in resets the count, and so
does a lockout running out. While locked, even the right password and code are refused,
so guessing cannot continue. An Account Administrator of the user's organisation may
lift a lockout sooner (``UnlockUser``). Failures against an e-mail address that has no
account are not counted anywhere: there is nothing to lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int = 5
    duration: timedelta = timedelta(minutes=15)


@dataclass
class Credential:
    user_id: str
    email_key: str
    side: str
    organization_id: str
    created_at: datetime
    password_hash: str | None = None
    totp_secret: str | None = None
    last_totp_step: int | None = None
    failed_attempts: int = 0
    locked_until: datetime | None = None
    last_signed_in_at: datetime | None = None
    activated_at: datetime | None = None
    deactivated_at: datetime | None = None

    @property
    def activated(self) -> bool:
        return self.activated_at is not None and self.password_hash is not None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def visible_lock(self, now: datetime) -> datetime | None:
        """``locked_until`` while the lockout lasts, else None (what screens show)."""
        return self.locked_until if self.locked(now) else None

    def record_failure(self, now: datetime, policy: LockoutPolicy) -> bool:
        """Count a failed sign-in; True when this failure locked the account."""
        if self.locked_until is not None and now >= self.locked_until:
            self.locked_until = None
            self.failed_attempts = 0
        self.failed_attempts += 1
        if self.failed_attempts >= policy.threshold:
            self.locked_until = now + policy.duration
            self.failed_attempts = 0
            return True
        return False

    def record_sign_in(self, now: datetime, totp_step: int) -> None:
        self.failed_attempts = 0
        self.locked_until = None
        self.last_signed_in_at = now
        self.last_totp_step = totp_step

    def unlock(self) -> None:
        self.failed_attempts = 0
        self.locked_until = None

    def activate(self, *, password_hash: str, totp_secret: str, now: datetime) -> None:
        self.password_hash = password_hash
        self.totp_secret = totp_secret
        self.last_totp_step = None
        self.activated_at = now
        self.unlock()

    def deactivate(self, now: datetime) -> None:
        self.deactivated_at = now
