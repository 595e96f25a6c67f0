"""Account activation from a single-use link, in two calls with the same link and password.

The first call (no code) checks the link and the password and creates a TOTP
authenticator, returned as an ``otpauth://`` URI; the link stays unused. The second call
(with the authenticator's current code) proves the app was set up, sets the password
(argon2id) and uses up the link. The link is used up only once the authenticator provably
works, so a person who loses the secret before confirming simply starts again (a new
first call replaces the authenticator). The confirming code cannot also be used to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ses_core.errors import PreconditionFailed, ValidationFailed
from ses_core.limits import TextField, checked_text
from ses_enrollment import totp
from ses_enrollment.authority import user_of
from ses_enrollment.credentials import Credential
from ses_enrollment.handlers.common import Deps
from ses_enrollment.handlers.sessions import mark_activated
from ses_enrollment.identity_store import ActivationLink
from ses_enrollment.links import token_from, token_hash
from ses_enrollment.passwords import MIN_LENGTH, check_password
from ses_enrollment.scopes import IDENTITY


@dataclass(frozen=True)
class ActivateAccount:
    activation_token: str
    password: str
    totp_code: str = ""


@dataclass(frozen=True)
class Activation:
    user_id: str
    email: str
    otpauth_uri: str = ""
    totp_secret: str = ""
    activated: bool = False


def activate_account(deps: Deps, command: ActivateAccount) -> Activation:
    """First call (no code): check link and password, create an authenticator to confirm.
    Second call (with the code): confirm it, set the password, use up the link."""
    digest = token_hash(token_from(command.activation_token))
    if not command.password:
        raise ValidationFailed(
            f"Choose a password of at least {MIN_LENGTH} characters for your account.",
            reason="password_required",
            field="password",
        )
    now = deps.now()
    with deps.unit_of_work(IDENTITY) as uow:
        link = uow.identity.link(digest)
        credential = uow.identity.credential(link.user_id) if link else None
        if link is None or credential is None:
            raise ValidationFailed(
                "This activation link is not valid; open the link from your most recent SES "
                "e-mail (copy all of it), or ask the agency or your Account Administrator to "
                "send a new invitation.",
                reason="activation_link_invalid",
            )
        _require_usable(link, credential, now)
        user = user_of(uow, credential)
        checked_text(TextField.PASSWORD, command.password)
        check_password(command.password, email=user.email)
        if not command.totp_code.strip():
            link.pending_totp_secret = totp.new_secret()
            uow.identity.save_link(link)
            uow.commit()
            return Activation(
                user_id=credential.user_id,
                email=user.email,
                otpauth_uri=totp.provisioning_uri(link.pending_totp_secret, user.email),
                totp_secret=link.pending_totp_secret,
            )
        secret = link.pending_totp_secret
        if secret is None:
            raise PreconditionFailed(
                "Set up your authenticator first: send the link and password without a code, "
                "add the returned secret to your authenticator app, then send its code.",
                reason="authenticator_not_set_up",
            )
        step = totp.matching_step(secret, totp.normalized_code(command.totp_code), now)
        if step is None:
            raise ValidationFailed(
                "That code does not match the authenticator set up for this account; check "
                "that your phone's clock is right and enter the code it shows now.",
                reason="totp_code_wrong",
            )
        credential.activate(
            password_hash=deps.passwords.hash(command.password), totp_secret=secret, now=now
        )
        credential.last_totp_step = step  # this code cannot also sign in
        link.used_at = now
        mark_activated(uow, credential, link, now)
        uow.identity.save(credential)
        uow.identity.save_link(link)
        uow.commit()
    return Activation(user_id=credential.user_id, email=user.email, activated=True)


def _require_usable(link: ActivationLink, credential: Credential, now: datetime) -> None:
    ask = (
        "ask the agency to send your company a new invitation"
        if link.purpose == "enrollment"
        else "ask an Account Administrator of your organisation to send a new link"
    )
    if credential.deactivated_at is not None:
        raise PreconditionFailed(
            "This account was deactivated, so it cannot be activated; ask an Account "
            "Administrator of your organisation if you still need access.",
            reason="user_deactivated",
        )
    if link.used_at is not None or credential.activated:
        raise PreconditionFailed(
            "This activation link was already used; sign in with your e-mail address, password "
            "and authenticator code instead.",
            reason="activation_link_used",
        )
    if link.superseded_at is not None:
        raise PreconditionFailed(
            "A newer activation link was sent after this one, so this one no longer works; "
            f"open the link in your most recent SES e-mail, or {ask}.",
            reason="activation_link_replaced",
        )
    if now >= link.expires_at:
        raise PreconditionFailed(
            f"This activation link expired on {link.expires_at:%Y-%m-%d %H:%M} UTC; {ask}.",
            reason="activation_link_expired",
        )
