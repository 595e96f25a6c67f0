"""Token claims ⇄ ``Actor``.

Claim names (besides the registered ``iss``, ``aud``, ``sub``, ``exp``, ``iat``,
``nbf``, ``jti`` and RFC 8176 ``amr``):

* ``side``: ``agency`` | ``company`` | ``platform``;
* ``tenant``: the agency id (agency users only);
* ``company``: the company id (company users only);
* ``roles``: the agency role, or the company designations ``account_admin`` and
  ``complaints_contact``, or ``platform_operator``;
* ``permission``: the company user's complaints permission.

An external OIDC issuer (Okta, Keycloak) must be configured to emit these
claims (custom claim mappers); a token without them does not describe a SES
user and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ses_core.errors import Unauthenticated
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission, Side

ACCOUNT_ADMIN_ROLE = "account_admin"
COMPLAINTS_CONTACT_ROLE = "complaints_contact"
PLATFORM_OPERATOR_ROLE = "platform_operator"


def actor_claims(actor: Actor) -> dict[str, Any]:
    """The SES-specific claims describing ``actor`` (registered claims are added by the issuer)."""
    roles: list[str] = []
    if actor.agency_role is not None:
        roles.append(actor.agency_role.value)
    if actor.is_account_admin:
        roles.append(ACCOUNT_ADMIN_ROLE)
    if actor.is_complaints_contact:
        roles.append(COMPLAINTS_CONTACT_ROLE)
    if actor.is_platform_operator:
        roles.append(PLATFORM_OPERATOR_ROLE)
    claims: dict[str, Any] = {"sub": actor.user_id, "side": actor.side.value, "roles": roles}
    if actor.tenant_id is not None:
        claims["tenant"] = actor.tenant_id
    if actor.company_id is not None:
        claims["company"] = actor.company_id
    if actor.side is Side.COMPANY:
        claims["permission"] = actor.complaints_permission.value
    return claims


def actor_from_claims(claims: Mapping[str, Any]) -> Actor:
    """The actor a verified token describes; Unauthenticated if the claims do not make one."""
    try:
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
            raise ValueError("'roles' must be a list of strings")
        agency_roles = [role for role in roles if role in AgencyRole._value2member_map_]
        if len(agency_roles) > 1:
            raise ValueError(f"an agency user holds one role, the token names {agency_roles}")
        return Actor(
            user_id=claims.get("sub", ""),
            side=Side(claims.get("side", "")),
            tenant_id=claims.get("tenant"),
            company_id=claims.get("company"),
            agency_role=AgencyRole(agency_roles[0]) if agency_roles else None,
            complaints_permission=ComplaintsPermission(
                claims.get("permission", ComplaintsPermission.NONE.value)
            ),
            is_account_admin=ACCOUNT_ADMIN_ROLE in roles,
            is_complaints_contact=COMPLAINTS_CONTACT_ROLE in roles,
            is_platform_operator=PLATFORM_OPERATOR_ROLE in roles,
        )
    except ValidationError as error:
        raise _not_a_user("; ".join(str(detail["msg"]) for detail in error.errors())) from None
    except ValueError as error:
        raise _not_a_user(str(error)) from None


def _not_a_user(summary: str) -> Unauthenticated:
    return Unauthenticated(
        f"The access token does not describe a SES user ({summary}); sign in again, or "
        "have the identity provider emit the SES claims side, tenant/company and roles.",
        reason="token_claims_invalid",
    )
