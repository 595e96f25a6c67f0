"""Token claims ⇄ ``Identity``: a token names who is calling, never what they may do.

SES's own tokens (the embedded provider, and any issuer trusted through
``SES_IDENTITY__JWKS_URL``) carry, besides the registered ``iss``, ``aud``, ``sub``,
``exp``, ``iat``, ``nbf``, ``jti`` and RFC 8176 ``amr``:

* ``sub``: the SES user id;
* ``side``: ``agency`` | ``company`` | ``platform``;
* ``tenant``: the agency id (agency users only); ``company``: the company id (company
  users only).

Roles, the complaints permission and designations are not claims: every service reads
them from the directory at each call (``ses_core.platform.authority``), so that a change
takes effect within seconds instead of when the token expires. Claims that tokens issued
before this carried (``roles``, ``permission``) are ignored.

An external OIDC issuer (``SES_IDENTITY__OIDC_ISSUER``) needs no SES claims at all. It
names the user either by e-mail address (``UserMatch.EMAIL``, the default: the
``email`` claim, refused when ``email_verified`` is false) or by SES user id in ``sub``
(``UserMatch.SUBJECT``); SES maps that to its own directory user.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from ses_core.errors import Unauthenticated
from ses_core.identity import Identity, Side


class UserMatch(StrEnum):
    """How a token's claims name the SES user."""

    SES = "ses"  # SES's own tokens: sub is the user id, side/tenant/company the organisation
    SUBJECT = "subject"  # an external issuer whose sub is the SES user id
    EMAIL = "email"  # an external issuer vouching for the user's e-mail address


def identity_claims(identity: Identity) -> dict[str, Any]:
    """The SES claims naming ``identity`` (registered claims are added by the issuer)."""
    if not identity.user_id or identity.side is None:
        raise ValueError("SES tokens name a user id and the organisation it was issued for.")
    claims: dict[str, Any] = {"sub": identity.user_id, "side": identity.side.value}
    if identity.side is Side.AGENCY:
        claims["tenant"] = identity.organization_id
    elif identity.side is Side.COMPANY:
        claims["company"] = identity.organization_id
    return claims


def identity_from_claims(claims: Mapping[str, Any], match: UserMatch = UserMatch.SES) -> Identity:
    """The identity a verified token proves; Unauthenticated if its claims name nobody."""
    if match is UserMatch.EMAIL:
        return _by_email(claims)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise _not_a_user("it names no user ('sub')")
    if match is UserMatch.SUBJECT:
        return Identity(user_id=subject)
    try:
        side = Side(claims.get("side", ""))
    except ValueError:
        raise _not_a_user("its 'side' is not agency, company or platform") from None
    organization = {Side.AGENCY: "tenant", Side.COMPANY: "company"}.get(side)
    organization_id = claims.get(organization, "") if organization else ""
    if organization is not None and (not isinstance(organization_id, str) or not organization_id):
        raise _not_a_user(f"an {side.value} user's token needs the '{organization}' claim")
    try:
        return Identity(user_id=subject, side=side, organization_id=str(organization_id))
    except ValueError as error:
        raise _not_a_user(str(error)) from None


def _by_email(claims: Mapping[str, Any]) -> Identity:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise Unauthenticated(
            "The identity provider's token carries no e-mail address ('email' claim), which "
            "SES needs to find your account; ask your administrator to release that claim to "
            "SES.",
            reason="token_email_missing",
        )
    if claims.get("email_verified") is False:
        raise Unauthenticated(
            "The identity provider has not verified your e-mail address, so SES cannot match "
            "it to an account; verify it with the identity provider, then sign in again.",
            reason="token_email_unverified",
        )
    return Identity(email=email.strip())


def _not_a_user(summary: str) -> Unauthenticated:
    return Unauthenticated(
        f"The access token does not name a SES user ({summary}); sign in again.",
        reason="token_claims_invalid",
    )
