"""The verifier's cache of verified tokens: a signature is checked once per token, and a
cached token is still refused once it expires or its key is no longer trusted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from ses_core.errors import Unauthenticated
from ses_core.identity import Identity, Side
from ses_core.platform.identity import KeyRing, StaticJwks, TokenIssuer, TokenVerifier

ISSUER = "urn:ses:test-identity"
USER = Identity(user_id="u-1", side=Side.AGENCY, organization_id="agency-ny")


class SwitchableJwks:
    """A key source whose keys a test can withdraw, counting the look-ups."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.source = StaticJwks(document)
        self.trusted = True
        self.lookups = 0

    async def key_for(self, kid: str) -> Any:
        self.lookups += 1
        return await self.source.key_for(kid) if self.trusted else None


class WallClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.at


def _setup(**options: Any) -> tuple[TokenVerifier, TokenIssuer, SwitchableJwks, WallClock]:
    ring = KeyRing.generate()
    keys = SwitchableJwks(ring.jwks())
    clock = WallClock()
    verifier = TokenVerifier(keys, issuer=ISSUER, audience="ses", now=clock, **options)
    return verifier, TokenIssuer(ring, ISSUER), keys, clock


async def test_a_token_is_checked_once_then_answered_from_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier, issuer, _, _ = _setup()
    token = issuer.issue_access(USER, "ses").token
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        decoded.append(args[0])
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    first = await verifier.verify(token)
    second = await verifier.verify(token)
    assert second == first
    assert second.identity == USER
    assert decoded == [token]


async def test_a_cached_token_is_refused_once_it_has_expired() -> None:
    verifier, issuer, _, clock = _setup(leeway=timedelta(seconds=30))
    issued = issuer.issue_access(USER, "ses", ttl=timedelta(minutes=5))
    await verifier.verify(issued.token)
    clock.at = issued.expires_at.timestamp() + 29  # still inside the leeway
    assert (await verifier.verify(issued.token)).identity == USER
    clock.at = issued.expires_at.timestamp() + 30
    with pytest.raises(Unauthenticated) as refused:
        await verifier.verify(issued.token)
    assert refused.value.reason == "token_expired"


async def test_a_cached_token_is_refused_once_its_key_is_withdrawn() -> None:
    verifier, issuer, keys, _ = _setup()
    token = issuer.issue_access(USER, "ses").token
    await verifier.verify(token)
    keys.trusted = False
    with pytest.raises(Unauthenticated) as refused:
        await verifier.verify(token)
    assert refused.value.reason == "token_key_unknown"


async def test_an_altered_token_is_not_answered_from_the_cache() -> None:
    verifier, issuer, _, _ = _setup()
    token = issuer.issue_access(USER, "ses").token
    await verifier.verify(token)
    header, payload, signature = token.split(".")
    altered = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(Unauthenticated) as refused:
        await verifier.verify(altered)
    assert refused.value.reason in {"token_signature_invalid", "token_malformed"}


async def test_the_cache_keeps_at_most_max_cached_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier, issuer, _, _ = _setup(max_cached=2)
    tokens = [issuer.issue_access(USER, "ses").token for _ in range(3)]
    for token in tokens:
        await verifier.verify(token)
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        decoded.append(args[0])
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    for token in reversed(tokens):
        await verifier.verify(token)
    assert decoded == [tokens[0]]  # the least recently used was dropped, the rest kept
