"""``AsyncSesClient``: ``SesClient`` for asyncio (``grpc.aio`` channels, awaitable methods,
``async for`` pagers). Same arguments and behaviour; token providers may be coroutines.

::

    async with AsyncSesClient("ses.example.gov:443") as client:
        await client.sign_in(email="...", password="...", totp_secret="...")
        async for complaint in client.complaints.iter_complaints():
            ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self

import grpc.aio

from ses_sdk._channel import open_aio_channel
from ses_sdk._client import _utcnow, choose_totp_code
from ses_sdk._generated.enrollment import TokenPair
from ses_sdk._generated.services import CONTEXTS, AsyncServiceClients
from ses_sdk._retry import RetryPolicy
from ses_sdk._rpc import DEFAULT_TIMEOUT, ClientConfig
from ses_sdk._session import DEFAULT_REFRESH_MARGIN, AsyncSession
from ses_sdk._targets import targets_by_context
from ses_sdk._tokens import AsyncCredentials, as_async_provider
from ses_sdk._transport_async import AsyncTransport


class AsyncSesClient(AsyncServiceClients):
    """Every SES service over one address (or one per context), for asyncio.

    Create it inside the event loop that will use it (gRPC's asyncio channels belong to
    one loop).
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        addresses: Mapping[str, str] | None = None,
        insecure: bool = False,
        root_certificates: bytes | None = None,
        token: AsyncCredentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        wait_for_maintenance: bool = False,
        interceptors: Sequence[Any] = (),
        channel_options: Sequence[tuple[str, Any]] = (),
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.config = ClientConfig(
            timeout=timeout,
            retry=retry or RetryPolicy(),
            wait_for_maintenance=wait_for_maintenance,
            credentials=as_async_provider(token),
            clock=clock,
        )
        targets = targets_by_context(address, addresses, CONTEXTS)
        self._channels: dict[str, grpc.aio.Channel] = {}
        for target in dict.fromkeys(targets.values()):
            self._channels[target] = open_aio_channel(
                target,
                insecure=insecure,
                root_certificates=root_certificates,
                options=channel_options,
                interceptors=interceptors,
            )
        transports = {
            target: AsyncTransport(channel, self.config)
            for target, channel in self._channels.items()
        }
        self._attach_services(lambda context: transports[targets[context]])
        self.session: AsyncSession | None = None

    async def sign_in(
        self,
        *,
        email: str,
        password: str,
        totp_code: str | None = None,
        totp_secret: str | None = None,
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
    ) -> AsyncSession:
        """Sign in; see ``SesClient.sign_in``."""
        code = choose_totp_code(totp_code, totp_secret, self.config.clock)
        response = await self.auth.sign_in(email=email, password=password, totp_code=code)
        session = AsyncSession(
            response.tokens or TokenPair(),
            response.user,
            refresh=self._refreshed,
            clock=self.config.clock,
            refresh_margin=refresh_margin,
        )
        self.use_token(session)
        self.session = session
        return session

    async def _refreshed(self, refresh_token: str) -> TokenPair:
        response = await self.auth.refresh_token(refresh_token=refresh_token)
        return response.tokens or TokenPair()

    async def sign_out(self) -> None:
        """End the session; see ``SesClient.sign_out``."""
        session, self.session = self.session, None
        if session is None:
            return
        try:
            await self.auth.sign_out(refresh_token=session.tokens.refresh_token)
        finally:
            self.config.credentials = None

    def use_token(self, token: AsyncCredentials | None) -> None:
        """Send ``token`` (a string, a function or coroutine function returning one, or a
        provider) from now on."""
        self.session = None
        self.config.credentials = as_async_provider(token)

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
