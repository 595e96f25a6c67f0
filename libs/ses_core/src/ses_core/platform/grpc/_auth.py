"""Authentication: a verified bearer token on every call that is not public.

The token travels as ``authorization: Bearer <jwt>`` metadata. Public
methods (``DEFAULT_PUBLIC_METHODS``: health, reflection, and the calls that
obtain a token) skip the check entirely and run without an actor, even when a
token is sent. On success the verified token and its ``Actor`` are bound to
the call's context (``current_actor()``).
"""

from __future__ import annotations

from collections.abc import Iterable

import grpc
import grpc.aio

from ses_core.errors import Unauthenticated
from ses_core.platform.grpc._context import bind_token
from ses_core.platform.grpc._handlers import (
    Context,
    Continuation,
    Handler,
    before_call,
    metadata_value,
)
from ses_core.platform.grpc._methods import DEFAULT_PUBLIC_METHODS, MethodSet
from ses_core.platform.identity import TokenVerifier

AUTHORIZATION_KEY = "authorization"


def bearer_token(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    """The token from ``authorization: Bearer <token>``; Unauthenticated if absent."""
    header = metadata_value(metadata, AUTHORIZATION_KEY)
    if header is None:
        raise Unauthenticated(
            "This call needs a signed-in user: send 'authorization: Bearer <access token>' "
            "metadata (sign in to get a token).",
            reason="token_missing",
        )
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "The 'authorization' metadata must be 'Bearer <access token>'.",
            reason="token_missing",
        )
    return token.strip()


class AuthenticationInterceptor(grpc.aio.ServerInterceptor):
    """Verifies the bearer token and binds the actor, except on public methods."""

    def __init__(
        self, verifier: TokenVerifier, public_methods: Iterable[str] = DEFAULT_PUBLIC_METHODS
    ) -> None:
        self.verifier = verifier
        self.public_methods = MethodSet(public_methods)

    async def intercept_service(
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(details)
        if details.method in self.public_methods:
            return handler
        metadata = details.invocation_metadata

        async def authenticate(_context: Context) -> None:
            bind_token(await self.verifier.verify(bearer_token(metadata)))

        return before_call(handler, authenticate)
