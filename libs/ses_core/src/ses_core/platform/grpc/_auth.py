"""Authentication: a verified bearer token, then the caller's authority from the directory.

The token travels as ``authorization: Bearer <jwt>`` metadata. Public methods
(``DEFAULT_PUBLIC_METHODS``: health, reflection, and the calls that obtain a token) skip
the check entirely and run without an actor, even when a token is sent.

Every other call: the token is verified (``TokenVerifier``: signature, lifetime,
audience, second factor), which proves an ``Identity``; then the directory of the
service that owns the method (``AuthorityRouter``) turns that identity into the
``Actor`` the handlers check, as the directory states it now (DESIGN §6). Both are
bound to the call's context (``current_actor()``, ``current_token()``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ses_core.errors import Unauthenticated, Unavailable
from ses_core.platform.audit import note_actor, note_identity
from ses_core.platform.grpc._context import bind_token
from ses_core.platform.grpc._handlers import metadata_value
from ses_core.platform.grpc._methods import DEFAULT_PUBLIC_METHODS, MethodName, MethodSet
from ses_core.platform.identity import TokenVerifier
from ses_core.ports import AuthorityDirectory

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


class AuthorityRouter:
    """The directory to ask for a method: its service's (one per service database), or
    ``default`` (a server hosting one service, or several sharing one directory)."""

    def __init__(
        self,
        by_service: Mapping[str, AuthorityDirectory] | None = None,
        *,
        default: AuthorityDirectory | None = None,
    ) -> None:
        if not by_service and default is None:
            raise ValueError("An authority router needs a directory for some service.")
        self._by_service = dict(by_service or {})
        self._default = default

    def for_method(self, method: str) -> AuthorityDirectory:
        directory = self._by_service.get(MethodName.parse(method).service, self._default)
        if directory is None:
            raise Unavailable(
                f"This server has no directory of users for {method}, so it cannot tell what "
                "the caller may do; the deployment must host that service's database.",
                reason="directory_missing",
            )
        return directory


class Authenticator:
    """Verifies the bearer token and binds the caller's current actor, except on public
    methods (a step of ``CallInterceptor``, which asks ``applies_to`` once per method)."""

    def __init__(
        self,
        verifier: TokenVerifier,
        authority: AuthorityRouter,
        public_methods: Iterable[str] = DEFAULT_PUBLIC_METHODS,
    ) -> None:
        self.verifier = verifier
        self.authority = authority
        self.public_methods = MethodSet(public_methods)

    def applies_to(self, method: str) -> bool:
        return method not in self.public_methods

    async def authenticate(
        self, method: str, metadata: Iterable[tuple[str, str | bytes]] | None
    ) -> None:
        """Bind the token and actor for the rest of the call; Unauthenticated (or the
        directory's refusal) otherwise."""
        token = await self.verifier.verify(bearer_token(metadata))
        note_identity(token.identity)  # a refusal from here on names the caller
        actor = await self.authority.for_method(method).actor_for(token.identity)
        bind_token(token, actor)
        note_actor(actor)
