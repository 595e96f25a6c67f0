"""Where a verifier finds public keys: a fixed JWKS, a JWKS URL, an OIDC issuer, the key file.

Remote key sets are cached. A token naming a key id the cache does not hold
triggers a refetch (that is how a rotation reaches every service), but at most
once per ``min_refresh_interval``: otherwise anybody could make every service
hammer the identity provider by sending tokens with made-up key ids. When the
provider cannot be reached, the last key set fetched keeps working; with none
at all, calls fail with UNAVAILABLE rather than UNAUTHENTICATED, because the
client's token may well be fine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from ses_core.errors import Unavailable
from ses_core.platform.identity._keys import KeyRing

logger = logging.getLogger(__name__)

Jwk = Mapping[str, Any]
JsonFetcher = Callable[[str], Awaitable[Mapping[str, Any]]]

DISCOVERY_PATH = "/.well-known/openid-configuration"


class JwksSource(Protocol):
    """Finds the public signing key (a JWK) a token's ``kid`` names."""

    async def key_for(self, kid: str) -> Jwk | None: ...


def signing_keys(document: Mapping[str, Any]) -> dict[str, Jwk]:
    """The JWKS document's signature keys by id; encryption and symmetric keys are ignored."""
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise ValueError("a JWKS document needs a 'keys' list")
    usable: dict[str, Jwk] = {}
    for jwk in keys:
        if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("use", "sig") != "sig" or jwk.get("kty") == "oct":
            continue
        usable[jwk["kid"]] = dict(jwk)
    return usable


async def fetch_json(url: str, request_timeout: float = 5.0) -> Mapping[str, Any]:
    """GET ``url`` and parse JSON, off the event loop."""

    def get() -> Any:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=request_timeout) as response:
            return json.loads(response.read().decode("utf-8"))

    document = await asyncio.to_thread(get)
    if not isinstance(document, Mapping):
        raise ValueError(f"{url} did not answer with a JSON object")
    return document


class StaticJwks:
    """A JWKS given up front (tests; a deployment that pins its keys)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._keys = signing_keys(document)

    async def key_for(self, kid: str) -> Jwk | None:
        return self._keys.get(kid)


class _RefreshingJwks:
    """The caching and rate-limited refresh shared by the URL and file sources."""

    def __init__(self, *, cache_seconds: float, min_refresh_interval: float) -> None:
        self._cache_seconds = cache_seconds
        self._min_refresh_interval = min_refresh_interval
        self._keys: dict[str, Jwk] | None = None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _load(self) -> dict[str, Jwk]:
        raise NotImplementedError

    def _describe(self) -> str:
        raise NotImplementedError

    async def key_for(self, kid: str) -> Jwk | None:
        keys = self._keys
        stale = time.monotonic() - self._fetched_at > self._cache_seconds
        if keys is not None and kid in keys and not stale:
            return keys[kid]
        async with self._lock:
            since_fetch = time.monotonic() - self._fetched_at
            may_refresh = since_fetch >= self._min_refresh_interval
            if (self._keys is None or stale or kid not in self._keys) and may_refresh:
                await self._refresh()
            return self._keys.get(kid) if self._keys is not None else None

    async def _refresh(self) -> None:
        try:
            self._keys = await self._load()
        except (OSError, ValueError) as error:
            if self._keys is None:
                raise Unavailable(
                    f"Cannot load the token signing keys from {self._describe()} ({error}); "
                    "the call can be retried once the identity provider answers.",
                    reason="jwks_unavailable",
                ) from error
            logger.warning(
                "keeping cached signing keys: cannot refresh from %s: %s", self._describe(), error
            )
        finally:
            # Failures count too: a provider that is down is not asked again at once.
            self._fetched_at = time.monotonic()


class RemoteJwks(_RefreshingJwks):
    """A JWKS published at a URL (another SES service, or an identity provider)."""

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float = 300.0,
        min_refresh_interval: float = 30.0,
        fetch: JsonFetcher = fetch_json,
    ) -> None:
        super().__init__(cache_seconds=cache_seconds, min_refresh_interval=min_refresh_interval)
        self.url = url
        self._fetch = fetch

    async def _load(self) -> dict[str, Jwk]:
        return signing_keys(await self._fetch(self.url))

    def _describe(self) -> str:
        return self.url


class OidcJwks:
    """The JWKS of an OpenID Connect issuer, found through its discovery document.

    The discovery document must name the same issuer it is served for (OpenID
    Connect Discovery §4.3), which stops a misconfigured URL from quietly
    trusting somebody else's keys.
    """

    def __init__(
        self,
        issuer: str,
        *,
        cache_seconds: float = 300.0,
        min_refresh_interval: float = 30.0,
        fetch: JsonFetcher = fetch_json,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self._fetch = fetch
        self._cache_seconds = cache_seconds
        self._min_refresh_interval = min_refresh_interval
        self._jwks: RemoteJwks | None = None
        self._last_failure: tuple[float, Unavailable] | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> Jwk | None:
        return await (await self._remote()).key_for(kid)

    async def _remote(self) -> RemoteJwks:
        async with self._lock:
            if self._jwks is None:
                jwks_uri = await self._discover_jwks_uri_rate_limited()
                self._jwks = RemoteJwks(
                    jwks_uri,
                    cache_seconds=self._cache_seconds,
                    min_refresh_interval=self._min_refresh_interval,
                    fetch=self._fetch,
                )
            return self._jwks

    async def _discover_jwks_uri_rate_limited(self) -> str:
        if self._last_failure is not None:
            failed_at, failure = self._last_failure
            if time.monotonic() - failed_at < self._min_refresh_interval:
                raise Unavailable(failure.message, reason=failure.reason)
        try:
            return await self._discover_jwks_uri()
        except Unavailable as failure:
            self._last_failure = (time.monotonic(), failure)
            raise

    async def _discover_jwks_uri(self) -> str:
        url = self.issuer + DISCOVERY_PATH
        try:
            document = await self._fetch(url)
        except (OSError, ValueError) as error:
            raise Unavailable(
                f"Cannot read the OpenID discovery document at {url} ({error}); the call can "
                "be retried once the identity provider answers.",
                reason="oidc_discovery_unavailable",
            ) from error
        named_issuer = str(document.get("issuer", "")).rstrip("/")
        jwks_uri = document.get("jwks_uri")
        if named_issuer != self.issuer or not isinstance(jwks_uri, str):
            raise Unavailable(
                f"The discovery document at {url} names issuer {named_issuer!r} and jwks_uri "
                f"{jwks_uri!r}; expected issuer {self.issuer!r} and a jwks_uri. Check "
                "SES_IDENTITY__OIDC_ISSUER.",
                reason="oidc_discovery_mismatch",
            )
        return jwks_uri


class KeyRingFileJwks(_RefreshingJwks):
    """The public half of the key ring file the embedded identity provider writes.

    For processes sharing one data directory with the provider; the file is
    re-read when a token names a key it does not hold, so rotations reach them.
    """

    def __init__(
        self, path: Path, *, cache_seconds: float = 300.0, min_refresh_interval: float = 5.0
    ) -> None:
        super().__init__(cache_seconds=cache_seconds, min_refresh_interval=min_refresh_interval)
        self.path = path

    async def _load(self) -> dict[str, Jwk]:
        ring = await asyncio.to_thread(KeyRing.load, self.path)
        return signing_keys(ring.jwks())

    def _describe(self) -> str:
        return str(self.path)
