"""The authenticated actor of the current call, in a context variable.

The actor is what the directory says the token's identity may do at the time of the
call (``Authenticator``, a step of ``CallInterceptor``), not what the token says.

gRPC aio runs each call's interceptors and handler in one ``contextvars``
context of its own, so the actor bound by the authentication interceptor is
visible to the handler and everything it awaits, and to sync handlers called
with ``asyncio.to_thread`` (which copies the context), and never leaks into
another call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ses_core.errors import Unauthenticated
from ses_core.identity import Actor
from ses_core.platform.identity import VerifiedToken

_token: ContextVar[VerifiedToken | None] = ContextVar("ses_verified_token", default=None)
_actor: ContextVar[Actor | None] = ContextVar("ses_actor", default=None)


def current_actor() -> Actor:
    """The caller; Unauthenticated when the call carries no verified token."""
    actor = _actor.get()
    if actor is None:
        raise Unauthenticated(
            "This call needs a signed-in user; send a bearer token in the 'authorization' "
            "metadata.",
            reason="actor_missing",
        )
    return actor


def current_actor_or_none() -> Actor | None:
    return _actor.get()


def current_token() -> VerifiedToken | None:
    """The verified access token of the call (identity, token id, expiry, amr), if any."""
    return _token.get()


def bind_token(token: VerifiedToken, actor: Actor) -> None:
    """Bind the verified token and the actor the directory made of its identity for the
    rest of the current call's context."""
    _token.set(token)
    _actor.set(actor)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Run a block as ``actor`` (event consumers, scripts, tests)."""
    reset = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(reset)
