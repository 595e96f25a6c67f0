"""Issuing access and refresh tokens (the embedded identity provider uses this).

An access token names an ``Identity`` (user and organisation) and how the user signed
in (``amr``); what the user may do is read from the directory at each call.

Refresh tokens are opaque random strings, not JWTs. The provider stores only
their SHA-256 digest with the user, expiry and family, so it can revoke them
(sign-out, deactivation), rotate them on every use and detect reuse; and a
leaked refresh token can never be mistaken for an access token by a service,
since services accept only signed JWTs. The ``sesrt_`` prefix makes them easy
to spot in logs and secret scanners.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from ses_core.identity import Identity
from ses_core.platform.identity._claims import identity_claims
from ses_core.platform.identity._keys import SIGNING_ALGORITHM, KeyRing

DEFAULT_ACCESS_TTL = timedelta(minutes=10)
DEFAULT_REFRESH_TTL = timedelta(hours=12)
REFRESH_TOKEN_PREFIX = "sesrt_"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class IssuedToken:
    """A signed access token and what a sign-in response reports about it."""

    token: str
    token_id: str
    expires_at: datetime


@dataclass(frozen=True)
class RefreshToken:
    """An opaque refresh token: give ``value`` to the client, store only ``digest``."""

    value: str
    digest: str
    expires_at: datetime


def refresh_token_digest(value: str) -> str:
    """The stored form of a refresh token (SHA-256, hex)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def refresh_token_matches(value: str, digest: str) -> bool:
    return hmac.compare_digest(refresh_token_digest(value), digest)


class TokenIssuer:
    """Signs access tokens with the ring's current key and publishes the ring's JWKS.

    ``keyring`` may be replaced on a running issuer to rotate keys.
    """

    def __init__(
        self,
        keyring: KeyRing,
        issuer: str,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.keyring = keyring
        self.issuer = issuer
        self._clock = clock

    def issue_access(
        self,
        identity: Identity,
        audience: str | Sequence[str],
        amr: Sequence[str] = ("pwd", "otp"),
        ttl: timedelta = DEFAULT_ACCESS_TTL,
    ) -> IssuedToken:
        if ttl <= timedelta(0):
            raise ValueError(f"An access token needs a positive lifetime, got {ttl}.")
        now = self._clock().replace(microsecond=0)
        expires_at = now + ttl
        token_id = str(uuid.uuid4())
        claims: dict[str, Any] = {
            **identity_claims(identity),
            "iss": self.issuer,
            "aud": audience if isinstance(audience, str) else list(audience),
            "iat": now,
            "nbf": now,
            "exp": expires_at,
            "jti": token_id,
            "amr": list(amr),
        }
        key = self.keyring.current
        token = jwt.encode(
            claims, key.private_key, algorithm=SIGNING_ALGORITHM, headers={"kid": key.kid}
        )
        return IssuedToken(token=token, token_id=token_id, expires_at=expires_at)

    def issue_refresh(self, ttl: timedelta = DEFAULT_REFRESH_TTL) -> RefreshToken:
        value = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)
        return RefreshToken(
            value=value, digest=refresh_token_digest(value), expires_at=self._clock() + ttl
        )

    def jwks(self) -> dict[str, Any]:
        return self.keyring.jwks()
