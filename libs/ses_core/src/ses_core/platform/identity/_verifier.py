"""Verifying access tokens: signature, lifetime, issuer, audience, MFA, then the identity.

A verified token proves an ``Identity`` (who is calling); what they may do is read
from the directory afterwards (``ses_core.platform.authority``).

Algorithm confusion is closed off twice: the token header's ``alg`` must be
one of the accepted asymmetric algorithms (never ``none``, never ``HS*``), and
it must be an algorithm the *key* is for (an EC P-256 key verifies ES256 only),
whatever the header claims. The key comes only from the trusted key source,
looked up by ``kid``; keys embedded in the token (``jwk``, ``jku``, ``x5u``)
are never used.

Every refusal is ``ses_core.errors.Unauthenticated`` with a reason code
(``token_expired``, ``token_signature_invalid``, ...) and a sentence saying
what to do; the gRPC kit turns it into UNAUTHENTICATED.

Verified tokens are cached, keyed by the whole token (so by its signature too): a
client sends the same access token on every call for its lifetime, and checking an
ES256 signature each time cost ~0.4 ms of the event loop per call. A cached token is
answered only while it is still within its lifetime (``exp`` plus the leeway, exactly
as the full check allows; past that it is refused as expired) and while the trusted
key source still returns the very key that verified it (a withdrawn or rotated-out key
is noticed as soon as the source is, as without the cache). Refusals are never cached.
At most ``max_cached`` tokens are kept, least recently used first out.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from ses_core.errors import Unauthenticated
from ses_core.identity import Identity
from ses_core.platform.identity._claims import UserMatch, identity_from_claims
from ses_core.platform.identity._jwks import (
    Jwk,
    JwksSource,
    KeyRingFileJwks,
    OidcJwks,
    RemoteJwks,
)
from ses_core.platform.settings import IdentitySettings

# Asymmetric only. RS256/PS256 are here for external issuers (Okta and
# Keycloak sign with RSA by default); SES's own provider signs with ES256.
ACCEPTED_ALGORITHMS = frozenset({"ES256", "ES384", "EdDSA", "RS256", "PS256"})
# RFC 8176 methods that prove a second factor (see IdentitySettings.mfa_methods).
MFA_METHODS = frozenset({"otp", "mfa", "hwk", "swk", "sc"})

_ALGORITHMS_BY_KEY: dict[tuple[str, str | None], frozenset[str]] = {
    ("EC", "P-256"): frozenset({"ES256"}),
    ("EC", "P-384"): frozenset({"ES384"}),
    ("OKP", "Ed25519"): frozenset({"EdDSA"}),
    ("RSA", None): frozenset({"RS256", "PS256"}),
}


DEFAULT_MAX_CACHED_TOKENS = 4096


@dataclass(frozen=True)
class VerifiedToken:
    """A token that passed every check, and the identity it proves."""

    identity: Identity
    claims: Mapping[str, Any]
    token_id: str
    expires_at: datetime
    amr: tuple[str, ...]


@dataclass(frozen=True)
class _CachedToken:
    verified: VerifiedToken
    kid: str
    key: Jwk
    valid_until: float  # epoch seconds: exp + leeway


class TokenVerifier:
    """Checks bearer tokens against one trusted key source."""

    def __init__(
        self,
        keys: JwksSource,
        *,
        issuer: str,
        audience: str,
        require_mfa: bool = True,
        mfa_methods: frozenset[str] = MFA_METHODS,
        algorithms: frozenset[str] = ACCEPTED_ALGORITHMS,
        leeway: timedelta = timedelta(seconds=30),
        user_match: UserMatch = UserMatch.SES,
        max_cached: int = DEFAULT_MAX_CACHED_TOKENS,
        now: Callable[[], float] = time.time,
    ) -> None:
        """``now``: the wall clock (epoch seconds) the cache compares ``exp`` with."""
        unsafe = {alg for alg in algorithms if alg == "none" or alg.startswith("HS")}
        if unsafe:
            raise ValueError(f"Refusing symmetric or unsigned algorithms {sorted(unsafe)}.")
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.require_mfa = require_mfa
        self.mfa_methods = mfa_methods
        self.algorithms = algorithms
        self.leeway = leeway
        self.user_match = user_match
        self.max_cached = max_cached
        self._now = now
        self._cache: OrderedDict[str, _CachedToken] = OrderedDict()

    async def verify(self, token: str) -> VerifiedToken:
        cached = self._cache.get(token)
        if cached is not None:
            if self._now() >= cached.valid_until:
                del self._cache[token]
                raise _expired()
            if await self.keys.key_for(cached.kid) == cached.key:
                self._cache.move_to_end(token)
                return cached.verified
            del self._cache[token]  # the key changed: check the token afresh
        verified, kid, jwk = await self._verify(token)
        self._remember(token, _CachedToken(verified, kid, jwk, self._valid_until(verified)))
        return verified

    def _valid_until(self, verified: VerifiedToken) -> float:
        return float(verified.claims["exp"]) + self.leeway.total_seconds()

    def _remember(self, token: str, entry: _CachedToken) -> None:
        self._cache[token] = entry
        while len(self._cache) > self.max_cached:
            self._cache.popitem(last=False)

    async def _verify(self, token: str) -> tuple[VerifiedToken, str, Jwk]:
        header = _header(token)
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            raise _refuse(
                "token_algorithm_rejected",
                f"The access token is signed with algorithm {algorithm!r}, which SES does not "
                f"accept (accepted: {', '.join(sorted(self.algorithms))}); sign in again.",
            )
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _refuse(
                "token_malformed", "The access token names no signing key (kid); sign in again."
            )
        jwk = await self.keys.key_for(kid)
        if jwk is None:
            raise _refuse(
                "token_key_unknown",
                f"The access token was signed with key {kid!r}, which is not (or no longer) "
                "trusted; sign in again.",
            )
        if algorithm not in _algorithms_for(jwk):
            raise _refuse(
                "token_algorithm_rejected",
                f"The access token claims algorithm {algorithm!r}, but key {kid!r} is not an "
                f"{algorithm} key; sign in again.",
            )
        claims = self._decode(token, jwk, algorithm)
        amr = claims.get("amr", [])
        amr_values = tuple(str(value) for value in amr) if isinstance(amr, list) else ()
        if self.require_mfa and not self.mfa_methods.intersection(amr_values):
            raise _refuse(
                "mfa_required",
                "The access token was issued without a second factor; sign in again with your "
                "authenticator code.",
            )
        verified = VerifiedToken(
            identity=identity_from_claims(claims, self.user_match),
            claims=claims,
            token_id=str(claims.get("jti", "")),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            amr=amr_values,
        )
        return verified, kid, jwk

    def _decode(self, token: str, jwk: Jwk, algorithm: str) -> dict[str, Any]:
        try:
            key = jwt.PyJWK(dict(jwk), algorithm=algorithm)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise _expired() from None
        except jwt.ImmatureSignatureError:
            raise _refuse(
                "token_not_yet_valid",
                "The access token is not valid yet; check the clock of the machine that "
                "issued it, or sign in again.",
            ) from None
        except jwt.InvalidAudienceError:
            raise _refuse(
                "token_audience_wrong",
                f"The access token was issued for another audience, not {self.audience!r}; "
                "request a token for SES.",
            ) from None
        except jwt.InvalidIssuerError:
            raise _refuse(
                "token_issuer_wrong",
                f"The access token was issued by someone other than {self.issuer!r}; sign in "
                "through the SES identity provider.",
            ) from None
        except jwt.MissingRequiredClaimError as error:
            raise _refuse(
                "token_malformed",
                f"The access token lacks the {error.claim!r} claim; sign in again.",
            ) from None
        except jwt.InvalidSignatureError:
            raise _refuse(
                "token_signature_invalid",
                "The access token's signature does not verify (forged or altered); sign in again.",
            ) from None
        except (jwt.InvalidTokenError, jwt.PyJWKError):
            raise _refuse(
                "token_malformed", "The access token could not be read; sign in again."
            ) from None
        return claims


def _header(token: str) -> dict[str, Any]:
    try:
        header: dict[str, Any] = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise _refuse(
            "token_malformed", "The bearer token is not a well-formed JWT; sign in again."
        ) from None
    return header


def _algorithms_for(jwk: Jwk) -> frozenset[str]:
    kty = str(jwk.get("kty"))
    curve = None if kty == "RSA" else str(jwk.get("crv"))
    by_type = _ALGORITHMS_BY_KEY.get((kty, curve), frozenset())
    declared = jwk.get("alg")
    return by_type & {declared} if declared else by_type


def _refuse(reason: str, message: str) -> Unauthenticated:
    return Unauthenticated(message, reason=reason)


def _expired() -> Unauthenticated:
    return _refuse("token_expired", "The access token has expired; refresh it or sign in again.")


def jwks_source_from_settings(identity: IdentitySettings) -> JwksSource:
    """The key source the settings trust: OIDC issuer, else JWKS URL, else the local key file."""
    cache_seconds = identity.jwks_cache_seconds
    min_refresh = identity.jwks_min_refresh_seconds
    if identity.trust_source == "oidc":
        return OidcJwks(
            identity.oidc_issuer, cache_seconds=cache_seconds, min_refresh_interval=min_refresh
        )
    if identity.trust_source == "jwks_url":
        return RemoteJwks(
            identity.jwks_url, cache_seconds=cache_seconds, min_refresh_interval=min_refresh
        )
    if identity.signing_key_path is None:
        raise ValueError("identity.signing_key_path is unset; build settings with load_settings().")
    return KeyRingFileJwks(
        identity.signing_key_path,
        cache_seconds=cache_seconds,
        min_refresh_interval=min(min_refresh, 5.0),
    )


def verifier_from_settings(identity: IdentitySettings) -> TokenVerifier:
    external = identity.trust_source == "oidc"
    return TokenVerifier(
        jwks_source_from_settings(identity),
        issuer=identity.expected_issuer,
        audience=identity.audience,
        require_mfa=identity.require_mfa,
        mfa_methods=frozenset(identity.mfa_methods),
        leeway=timedelta(seconds=identity.clock_skew_seconds),
        user_match=UserMatch(identity.oidc_user_match) if external else UserMatch.SES,
    )
