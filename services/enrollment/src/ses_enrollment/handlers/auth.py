"""The embedded identity provider: sign-in, token refresh, sign-out, JWKS.

Activation is ``ses_enrollment.handlers.activation``.

Sign-in needs the password and a TOTP code (multi-factor is mandatory). A wrong answer
never says which part was wrong; lockouts follow ``ses_enrollment.credentials``.

A code works once (RFC 6238 §5.2). A code that was already used (a double submit, or
the code that confirmed the authenticator at activation) is answered "already used,
wait for the next code" — and that answer must not tell whether the password was
right. So the replay is recognised before the password is looked at, from the code
alone, and the answer is the same whatever password came with it; the password is
not verified (no guess is tested) and the attempt is not counted towards a lockout
(nothing was guessed). What the answer does reveal, that the code is one this
account already used, is known only to someone who saw the code, which can never
sign in again. Access
tokens are stamped with the wall clock, as every service verifies them against its own;
lockouts, links and codes follow the service's clock.

Refresh tokens rotate: each use returns a new pair and retires the old token. A retired
token presented again means it was copied, so every token of that sign-in (its
"family") is revoked and the user signs in again. A deactivated user's refresh tokens
stop working (deactivation revokes them, and a refresh checks the account again).

Access tokens name the user and their organisation only (``ses_enrollment.authority``):
what the user may do is read from the directory at every call, so a change of role,
designation or status applies to tokens already issued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ses_core.accounts import check_email_address
from ses_core.errors import (
    LimitExceeded,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
)
from ses_core.identity import Actor
from ses_core.limits import TextField, checked_text
from ses_core.platform.identity import refresh_token_digest
from ses_enrollment import totp
from ses_enrollment.authority import identity_of, user_of
from ses_enrollment.credentials import Credential
from ses_enrollment.handlers.common import Deps, Tokens, naming, required
from ses_enrollment.identity_store import StoredRefreshToken
from ses_enrollment.scopes import IDENTITY
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork
from ses_enrollment.views import UserView


@dataclass(frozen=True)
class SignIn:
    email: str
    password: str
    totp_code: str


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    tokens: TokenPair
    user: UserView


def sign_in(deps: Deps, command: SignIn) -> SignedIn:
    tokens = _tokens(deps)
    required(command.email, "your e-mail address", "email", reason="email_required")
    with naming("email"):
        email = check_email_address(command.email, what="the e-mail address")
    if not command.password:
        raise ValidationFailed("Enter your password.", reason="password_required", field="password")
    checked_text(TextField.PASSWORD, command.password)
    code = totp.normalized_code(command.totp_code)
    now = deps.now()
    with deps.unit_of_work(IDENTITY) as uow:
        credential = uow.identity.credential_by_email(email)
        if credential is None or not credential.activated:
            deps.passwords.verify(None, command.password)  # answer as slowly as for a real one
            raise _wrong_credentials(deps)
        if credential.locked(now):
            raise _locked(deps, credential)
        secret = credential.totp_secret or ""
        if totp.was_used(secret, code, now, last_used=credential.last_totp_step):
            raise _code_already_used(now)
        step = None
        if deps.passwords.verify(credential.password_hash, command.password):
            step = totp.matching_step(secret, code, now, after=credential.last_totp_step)
        if step is None:
            locked = credential.record_failure(now, deps.lockout)
            uow.identity.save(credential)
            uow.commit()
            raise _locked(deps, credential) if locked else _wrong_credentials(deps)
        if credential.deactivated_at is not None:
            raise Unauthenticated(
                "This account was deactivated and can no longer sign in; ask an Account "
                "Administrator of your organisation if you still need access.",
                reason="account_deactivated",
            )
        user = user_of(uow, credential)
        assert credential.password_hash is not None
        if deps.passwords.needs_rehash(credential.password_hash):
            credential.password_hash = deps.passwords.hash(command.password)
        credential.record_sign_in(now, step)
        pair = _issue(uow, tokens, credential, family_id=str(uuid.uuid4()))
        uow.identity.save(credential)
        uow.commit()
    return SignedIn(pair, UserView.of(user, credential, now))


def refresh(deps: Deps, refresh_token: str) -> TokenPair:
    tokens = _tokens(deps)
    if not refresh_token.strip():
        raise ValidationFailed(
            "Send the refresh token from your last sign-in.",
            reason="token_required",
            field="refresh_token",
        )
    now = tokens.issuer_now()
    with deps.unit_of_work(IDENTITY) as uow:
        stored = uow.identity.refresh_token(refresh_token_digest(refresh_token.strip()))
        if stored is None:
            raise _session_over("This refresh token is not valid", "refresh_token_invalid")
        if stored.revoked_at is not None:
            raise _session_over(
                "This session has ended (signed out or ended by an administrator)",
                "refresh_token_revoked",
            )
        if stored.rotated_at is not None:
            uow.identity.revoke_family(stored.family_id, now)
            uow.commit()
            raise _session_over(
                "This refresh token was already used once, which means a copy of it exists; "
                "to be safe every session of that sign-in was ended",
                "refresh_token_reused",
            )
        if now >= stored.expires_at:
            raise _session_over("This session expired", "refresh_token_expired")
        credential = uow.identity.credential(stored.user_id)
        if credential is None or credential.deactivated_at is not None:
            uow.identity.revoke_family(stored.family_id, now)
            uow.commit()
            raise _session_over("This account was deactivated", "account_deactivated")
        uow.identity.mark_rotated(stored.digest, now)
        pair = _issue(uow, tokens, credential, family_id=stored.family_id)
        uow.commit()
    return pair


def sign_out(deps: Deps, actor: Actor, refresh_token: str) -> None:
    """End the session of ``refresh_token``; idempotent, and only the caller's own."""
    if not refresh_token.strip():
        raise ValidationFailed(
            "Send the refresh token of the session to end.",
            reason="token_required",
            field="refresh_token",
        )
    with deps.unit_of_work(IDENTITY) as uow:
        stored = uow.identity.refresh_token(refresh_token_digest(refresh_token.strip()))
        if stored is not None and stored.user_id == actor.user_id:
            uow.identity.revoke_family(stored.family_id, deps.now())
            uow.commit()


def jwks(deps: Deps) -> tuple[dict[str, object], str]:
    tokens = _tokens(deps)
    return tokens.issuer.jwks(), tokens.issuer.issuer


# -- helpers -----------------------------------------------------------------------------


def _tokens(deps: Deps) -> Tokens:
    if deps.tokens is None:
        raise Unavailable(
            "This installation signs users in through its external identity provider "
            "(SES_IDENTITY__OIDC_ISSUER); sign in there.",
            reason="external_identity_provider",
            retry_after=None,
        )
    return deps.tokens


def _issue(
    uow: EnrollmentUnitOfWork, tokens: Tokens, credential: Credential, *, family_id: str
) -> TokenPair:
    identity = identity_of(credential)
    access = tokens.issuer.issue_access(identity, tokens.audience, ttl=tokens.access_ttl)
    refresh_token = tokens.issuer.issue_refresh(tokens.refresh_ttl)
    uow.identity.add_refresh_token(
        StoredRefreshToken(
            digest=refresh_token.digest,
            user_id=credential.user_id,
            family_id=family_id,
            issued_at=tokens.issuer_now(),
            expires_at=refresh_token.expires_at,
        )
    )
    return TokenPair(access.token, access.expires_at, refresh_token.value, refresh_token.expires_at)


def _wrong_credentials(deps: Deps) -> Unauthenticated:
    policy = deps.lockout
    minutes = int(policy.duration.total_seconds() // 60)
    return Unauthenticated(
        "The e-mail address, password or authenticator code is not right; check them and try "
        f"again. After {policy.threshold} failed attempts in a row, sign-in is locked for "
        f"{minutes} minutes.",
        reason="sign_in_failed",
    )


def _code_already_used(now: datetime) -> Unauthenticated:
    return Unauthenticated(
        "This authenticator code was already used; each code works once. Wait for your "
        "authenticator app to show the next code (a new one every 30 seconds) and sign in "
        "with it.",
        reason="totp_code_already_used",
        field="totp_code",
        retry_after=timedelta(seconds=totp.seconds_to_next_step(now)),
    )


def _locked(deps: Deps, credential: Credential) -> LimitExceeded:
    until = credential.locked_until
    assert until is not None
    return LimitExceeded(
        f"Sign-in to this account is locked after {deps.lockout.threshold} failed attempts in "
        f"a row, until {until:%Y-%m-%d %H:%M} UTC. Wait until then, or ask an Account "
        "Administrator of your agency or company to unlock it sooner.",
        reason="sign_in_locked",
        locked_until=until.isoformat(),
    )


def _session_over(what: str, reason: str) -> Unauthenticated:
    return Unauthenticated(f"{what}; sign in again.", reason=reason)
