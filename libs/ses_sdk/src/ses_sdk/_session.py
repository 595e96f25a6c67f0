"""A signed-in user's session: SES's own tokens, refreshed before they expire.

``client.sign_in(...)`` returns one and makes it the client's token provider. Before each
call the session checks the access token's expiry (``TokenPair.access_token_expires_at``)
against the client's clock and, when less than the refresh margin is left, exchanges the
refresh token for a new pair (``AuthService.RefreshToken``) first. The margin is the
smaller of ``refresh_margin`` (60 s by default) and half the token's lifetime as this
client saw it, so short-lived tokens are not refreshed on every call. Refreshes are
serialized: a refresh token works once, so two threads (or tasks) refreshing at the same
time would end the session.

The expiry is the server's clock; a client clock far behind it (more than the margin) may
send a token the server already finds expired, which answers UNAUTHENTICATED
(``token_expired``): fix the clock, or give a larger margin.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from ses_sdk._errors import Unauthenticated
from ses_sdk._generated.enrollment import TokenPair, User

DEFAULT_REFRESH_MARGIN = timedelta(seconds=60)


class _Tokens:
    """The current pair and when to refresh it."""

    def __init__(
        self,
        tokens: TokenPair,
        clock: Callable[[], datetime],
        margin: timedelta,
    ) -> None:
        self._clock = clock
        self._margin = margin
        self.replace(tokens)

    def replace(self, tokens: TokenPair) -> None:
        if not tokens.access_token or tokens.access_token_expires_at is None:
            raise Unauthenticated(
                "The server answered without an access token and its expiry.",
                reason="token_missing",
            )
        obtained = self._clock()
        lifetime = tokens.access_token_expires_at - obtained
        margin = min(self._margin, max(lifetime / 2, timedelta(0)))
        self.pair = tokens
        self.refresh_at = tokens.access_token_expires_at - margin

    def due(self) -> bool:
        return self._clock() >= self.refresh_at


class Session:
    """The tokens of ``client.sign_in`` (a token provider for ``SesClient``).

    ``user`` is the user as sign-in returned it; ``tokens`` the current pair (keep the
    refresh token secret: it is a bearer credential).
    """

    def __init__(
        self,
        tokens: TokenPair,
        user: User | None,
        *,
        refresh: Callable[[str], TokenPair],
        clock: Callable[[], datetime],
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        self.user = user
        self._refresh = refresh
        self._state = _Tokens(tokens, clock, refresh_margin)
        self._lock = threading.Lock()

    @property
    def tokens(self) -> TokenPair:
        return self._state.pair

    def access_token(self) -> str:
        """The access token, refreshed first when it is about to expire."""
        with self._lock:
            if self._state.due():
                self._state.replace(self._refresh(self._state.pair.refresh_token))
            return self._state.pair.access_token

    def refresh(self) -> TokenPair:
        """Exchange the refresh token for a new pair now."""
        with self._lock:
            self._state.replace(self._refresh(self._state.pair.refresh_token))
            return self._state.pair


class AsyncSession:
    """The tokens of ``AsyncSesClient.sign_in`` (an asyncio token provider)."""

    def __init__(
        self,
        tokens: TokenPair,
        user: User | None,
        *,
        refresh: Callable[[str], Awaitable[TokenPair]],
        clock: Callable[[], datetime],
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        self.user = user
        self._refresh = refresh
        self._state = _Tokens(tokens, clock, refresh_margin)
        self._lock = asyncio.Lock()

    @property
    def tokens(self) -> TokenPair:
        return self._state.pair

    async def access_token(self) -> str:
        """The access token, refreshed first when it is about to expire."""
        async with self._lock:
            if self._state.due():
                self._state.replace(await self._refresh(self._state.pair.refresh_token))
            return self._state.pair.access_token

    async def refresh(self) -> TokenPair:
        """Exchange the refresh token for a new pair now."""
        async with self._lock:
            self._state.replace(await self._refresh(self._state.pair.refresh_token))
            return self._state.pair
