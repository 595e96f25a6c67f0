"""``SesClient``: one synchronous client for every SES service.

::

    from ses_sdk import SesClient

    with SesClient("ses.example.gov:443") as client:
        client.sign_in(email="poc@company.example", password="...", totp_secret="JBSW...")
        complaint = client.complaints.get_complaint(complaint_id="...").complaint
        for user in client.enrollment.iter_users():
            ...

One sub-client per gRPC service (``auth``, ``enrollment``, ``complaints``, ``files``,
``notify``), one method per RPC in snake_case, generated from the protos. Channels use TLS
unless ``insecure=True``; one channel per distinct address. ``timeout`` is each attempt's
deadline in seconds (0: none), ``retry`` how transient failures are retried,
``wait_for_maintenance`` whether a mutation refused by a maintenance window waits for its
end and is tried again (otherwise :class:`~ses_sdk.Unavailable` with reason
``maintenance`` and ``retry_delay`` is raised at once); each is settable per call too.
``interceptors`` are ordinary gRPC client interceptors, ``clock`` the time used for TOTP
codes and token expiry (tests inject one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import grpc

from ses_sdk._channel import open_channel
from ses_sdk._generated.enrollment import SignInResponse, TokenPair
from ses_sdk._generated.services import CONTEXTS, ServiceClients
from ses_sdk._retry import RetryPolicy
from ses_sdk._rpc import DEFAULT_TIMEOUT, ClientConfig
from ses_sdk._session import DEFAULT_REFRESH_MARGIN, Session
from ses_sdk._targets import targets_by_context
from ses_sdk._tokens import Credentials, as_provider
from ses_sdk._totp import totp_code
from ses_sdk._transport import SyncTransport


def _utcnow() -> datetime:
    return datetime.now(UTC)


def choose_totp_code(
    totp_code_given: str | None, totp_secret: str | None, clock: Callable[[], datetime]
) -> str:
    if (totp_code_given is None) == (totp_secret is None):
        raise ValueError("Give either totp_code (six digits) or totp_secret (base32), not both.")
    return totp_code_given if totp_code_given is not None else totp_code(str(totp_secret), clock())


class SesClient(ServiceClients):
    """Every SES service over one address (or one per context); see the module docstring."""

    def __init__(
        self,
        address: str | None = None,
        *,
        addresses: Mapping[str, str] | None = None,
        insecure: bool = False,
        root_certificates: bytes | None = None,
        token: Credentials | None = None,
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
            credentials=as_provider(token),
            clock=clock,
        )
        targets = targets_by_context(address, addresses, CONTEXTS)
        self._channels: dict[str, grpc.Channel] = {}
        for target in dict.fromkeys(targets.values()):
            self._channels[target] = open_channel(
                target,
                insecure=insecure,
                root_certificates=root_certificates,
                options=channel_options,
                interceptors=interceptors,
            )
        transports = {
            target: SyncTransport(channel, self.config)
            for target, channel in self._channels.items()
        }
        self._attach_services(lambda context: transports[targets[context]])
        self.session: Session | None = None

    # -- signing in ----------------------------------------------------------------------------

    def sign_in(
        self,
        *,
        email: str,
        password: str,
        totp_code: str | None = None,
        totp_secret: str | None = None,
        refresh_margin: timedelta = DEFAULT_REFRESH_MARGIN,
    ) -> Session:
        """Sign in with password and TOTP (the code, or the secret to compute it from) and
        use the session's tokens, refreshed before they expire, for every later call."""
        code = choose_totp_code(totp_code, totp_secret, self.config.clock)
        response: SignInResponse = self.auth.sign_in(email=email, password=password, totp_code=code)
        session = Session(
            response.tokens or TokenPair(),
            response.user,
            refresh=self._refreshed,
            clock=self.config.clock,
            refresh_margin=refresh_margin,
        )
        self.use_token(session)
        self.session = session
        return session

    def _refreshed(self, refresh_token: str) -> TokenPair:
        return self.auth.refresh_token(refresh_token=refresh_token).tokens or TokenPair()

    def sign_out(self) -> None:
        """End the session (its refresh token is revoked) and forget its tokens. Access
        tokens already issued stay valid until they expire (minutes)."""
        session, self.session = self.session, None
        if session is None:
            return
        try:
            self.auth.sign_out(refresh_token=session.tokens.refresh_token)
        finally:
            self.config.credentials = None

    def use_token(self, token: Credentials | None) -> None:
        """Send ``token`` (a string, a function returning one, or a provider) from now on."""
        self.session = None
        self.config.credentials = as_provider(token)

    # -- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
