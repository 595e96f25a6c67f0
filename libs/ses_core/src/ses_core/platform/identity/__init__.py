"""Identity tokens shared by every service: signing keys, issuing, JWKS, verifying.

A token proves an ``Identity`` (who is calling); authority comes from the directory
(``ses_core.platform.authority``).

The embedded identity provider (enrollment service) holds a ``KeyRing``, signs
with a ``TokenIssuer`` and publishes ``TokenIssuer.jwks()``. Every service
verifies with a ``TokenVerifier`` over one ``JwksSource``; which one is a
single setting (``verifier_from_settings``): an external OIDC issuer, a JWKS
URL, or the local key ring file.
"""

from ses_core.platform.identity._claims import UserMatch, identity_claims, identity_from_claims
from ses_core.platform.identity._issuer import (
    DEFAULT_ACCESS_TTL,
    DEFAULT_REFRESH_TTL,
    IssuedToken,
    RefreshToken,
    TokenIssuer,
    refresh_token_digest,
    refresh_token_matches,
)
from ses_core.platform.identity._jwks import (
    Jwk,
    JwksSource,
    KeyRingFileJwks,
    OidcJwks,
    RemoteJwks,
    StaticJwks,
    fetch_json,
    signing_keys,
)
from ses_core.platform.identity._keys import SIGNING_ALGORITHM, KeyRing, SigningKey
from ses_core.platform.identity._verifier import (
    ACCEPTED_ALGORITHMS,
    TokenVerifier,
    VerifiedToken,
    jwks_source_from_settings,
    verifier_from_settings,
)

__all__ = [
    "ACCEPTED_ALGORITHMS",
    "DEFAULT_ACCESS_TTL",
    "DEFAULT_REFRESH_TTL",
    "SIGNING_ALGORITHM",
    "IssuedToken",
    "Jwk",
    "JwksSource",
    "KeyRing",
    "KeyRingFileJwks",
    "OidcJwks",
    "RefreshToken",
    "RemoteJwks",
    "SigningKey",
    "StaticJwks",
    "TokenIssuer",
    "TokenVerifier",
    "UserMatch",
    "VerifiedToken",
    "fetch_json",
    "identity_claims",
    "identity_from_claims",
    "jwks_source_from_settings",
    "refresh_token_digest",
    "refresh_token_matches",
    "signing_keys",
    "verifier_from_settings",
]
