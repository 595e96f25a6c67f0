"""Where a client's access token comes from.

A client asks its provider for a token before every call (and every retry), so a provider
may hand out a new one whenever it likes. Three kinds:

* a session from ``client.sign_in(...)`` (``Session``/``AsyncSession``): SES's own tokens,
  refreshed before they expire;
* :class:`StaticToken`: one token held by the caller (a platform secret, a test);
* :class:`CallableToken` / :class:`AsyncCallableToken`: a function returning a current
  token, e.g. from an external OIDC issuer (Okta, Keycloak) when the deployment trusts one.

Anything with an ``access_token()`` method returning the token (or, for the asyncio
client, an awaitable of it) is a provider too.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable


@runtime_checkable
class TokenProvider(Protocol):
    """Gives the current access token (without the ``Bearer`` prefix, or with it)."""

    def access_token(self) -> str: ...


@runtime_checkable
class AsyncTokenProvider(Protocol):
    """Gives the current access token from a coroutine (for ``AsyncSesClient``)."""

    def access_token(self) -> Awaitable[str]: ...


class StaticToken:
    """The same token for every call."""

    def __init__(self, token: str) -> None:
        if not token.strip():
            raise ValueError("Give a token; an empty one authenticates nobody.")
        self._token = token

    def access_token(self) -> str:
        return self._token


class CallableToken:
    """A token from ``supplier()``, called before every call."""

    def __init__(self, supplier: Callable[[], str]) -> None:
        self._supplier = supplier

    def access_token(self) -> str:
        return self._supplier()


class AsyncCallableToken:
    """A token from ``await supplier()``, before every call of an ``AsyncSesClient``."""

    def __init__(self, supplier: Callable[[], Awaitable[str]]) -> None:
        self._supplier = supplier

    async def access_token(self) -> str:
        return await self._supplier()


Credentials = str | Callable[[], str] | TokenProvider
AsyncCredentials = Credentials | Callable[[], Awaitable[str]] | AsyncTokenProvider


def as_provider(credentials: Credentials | None) -> TokenProvider | None:
    if credentials is None or isinstance(credentials, TokenProvider):
        return credentials
    if isinstance(credentials, str):
        return StaticToken(credentials)
    return CallableToken(credentials)


def as_async_provider(
    credentials: AsyncCredentials | None,
) -> TokenProvider | AsyncTokenProvider | None:
    if credentials is None or isinstance(credentials, str | TokenProvider | AsyncTokenProvider):
        return as_provider(credentials) if isinstance(credentials, str) else credentials
    if inspect.iscoroutinefunction(credentials):
        return AsyncCallableToken(credentials)
    return _MaybeAsyncCallable(credentials)


class _MaybeAsyncCallable:
    def __init__(self, supplier: Callable[[], str | Awaitable[str]]) -> None:
        self._supplier = supplier

    async def access_token(self) -> str:
        value = self._supplier()
        return await value if inspect.isawaitable(value) else value


async def current_token(provider: TokenProvider | AsyncTokenProvider) -> str:
    value = provider.access_token()
    return await value if inspect.isawaitable(value) else value


def bearer(token: str) -> str:
    """The ``authorization`` value: ``Bearer <token>`` (a token given with it is kept)."""
    return token if token.lower().startswith("bearer ") else f"Bearer {token}"
