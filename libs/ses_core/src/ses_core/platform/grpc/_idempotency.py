"""Idempotency keys: a retried mutating call returns the first result instead of running again.

The client sends ``idempotency-key`` metadata (at most 255 printable ASCII
characters; a UUID is ideal). Keys are scoped to the caller's tenant (agency,
or company for company users), user and method, so two users can never see
each other's results. The request's fingerprint is the SHA-256 of its
deterministic protobuf serialization (raw bytes for byte-level handlers).

* same key, same request, first call done → the stored response, with
  trailing metadata ``ses-idempotent-replay: true``; the handler does not run;
* same key, same request, first call still running → wait for it (up to
  ``in_flight_wait``), then as above; if it does not finish in time,
  UNAVAILABLE, retryable;
* same key, different request → INVALID_ARGUMENT.

Keys apply to unary mutating calls of signed-in users. They are ignored on
reads (nothing to protect), on streaming calls (uploads resume by offset
instead) and on public calls, which have no user to scope the key to.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import grpc
import grpc.aio

from ses_core.errors import Unavailable, ValidationFailed, quote
from ses_core.platform.db.outages import until_database_returns
from ses_core.platform.grpc._context import current_actor_or_none
from ses_core.platform.grpc._handlers import Behaviour, Context, Handler
from ses_core.platform.grpc._idempotency_store import (
    ClaimOutcome,
    IdempotencyScope,
    IdempotencyStore,
)
from ses_core.platform.grpc._methods import ReadOnlyMethods

logger = logging.getLogger(__name__)

_OUTAGE_PATIENCE = 60.0  # seconds a restarting database is waited for to settle a key

IDEMPOTENCY_KEY = "idempotency-key"
REPLAY_KEY = "ses-idempotent-replay"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class _StoredResponse:
    """A response replayed from the store, already serialized."""

    data: bytes


def request_fingerprint(request: Any) -> str:
    if isinstance(request, bytes | bytearray | memoryview):
        data = bytes(request)
    elif hasattr(request, "SerializeToString"):
        data = request.SerializeToString(deterministic=True)
    else:
        raise TypeError(f"Cannot fingerprint a {type(request).__name__} request.")
    return hashlib.sha256(data).hexdigest()


def _checked_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise ValidationFailed(
            f"The idempotency key must be 1–{MAX_KEY_LENGTH} printable ASCII characters "
            "(a UUID is ideal).",
            reason="idempotency_key_invalid",
        )
    return key


class Idempotency:
    """Stores and replays results of unary mutating calls that carry an idempotency key
    (a step of ``CallInterceptor``, which asks ``applies_to`` once per method)."""

    def __init__(
        self,
        store: IdempotencyStore,
        *,
        read_only_methods: Iterable[str] = (),
        in_flight_wait: float = 10.0,
    ) -> None:
        self.store = store
        self.read_only = ReadOnlyMethods(read_only_methods)
        self.in_flight_wait = in_flight_wait

    def applies_to(self, method: str, handler: Handler) -> bool:
        streaming = handler.request_streaming or handler.response_streaming
        return not streaming and method not in self.read_only

    @staticmethod
    def response_serializer(handler: Handler) -> Callable[[Any], bytes]:
        """``handler``'s serializer, also writing out a replayed response as stored."""
        serialize = handler.response_serializer

        def to_bytes(response: Any) -> bytes:
            if isinstance(response, _StoredResponse):
                return response.data
            return serialize(response) if serialize is not None else bytes(response)

        return to_bytes

    async def run(
        self,
        method: str,
        key: str | None,
        request: Any,
        context: Context,
        behaviour: Behaviour,
        to_bytes: Callable[[Any], bytes],
    ) -> Any:
        """``behaviour``'s response, or the stored one of the first call with ``key``."""
        actor = current_actor_or_none()
        if key is None or actor is None:
            return await behaviour(request, context)
        scope = IdempotencyScope(
            tenant_id=actor.tenant_id or actor.company_id or "",
            user_id=actor.user_id,
            method=method,
            key=_checked_key(key),
        )
        stored = await self._claim(scope, request_fingerprint(request))
        if stored is not None:
            context.set_trailing_metadata(((REPLAY_KEY, "true"),))
            return stored
        try:
            response = await behaviour(request, context)
        except BaseException:
            await asyncio.shield(self._release(scope))
            raise
        await self._record(scope, context, to_bytes, response)
        return response

    async def _record(
        self,
        scope: IdempotencyScope,
        context: Context,
        to_bytes: Callable[[Any], bytes],
        response: Any,
    ) -> None:
        # A handler may set a failing status without raising: nothing to replay then.
        if context.code() not in (None, grpc.StatusCode.OK):
            await self._release(scope)
            return
        payload = to_bytes(response)
        try:
            await asyncio.to_thread(
                until_database_returns,
                lambda: self.store.complete(scope, payload),
                patience=_OUTAGE_PATIENCE,
            )
        except Exception:
            # The call's effects are committed; losing the key's protection beats failing it.
            logger.exception("could not record idempotency key %s for %s", scope.key, scope.method)
            await self._release(scope)

    async def _release(self, scope: IdempotencyScope) -> None:
        """Free the key for a retry; a failure here must not hide the call's own outcome.

        A database restarting under the call is waited for (``_OUTAGE_PATIENCE``): a key
        left claimed would refuse the client's retries as "in flight" for
        ``stale_claim_after`` (five minutes). The wait runs in a thread, so it finishes
        even when the client gave up on the call.
        """
        try:
            await asyncio.to_thread(
                until_database_returns,
                lambda: self.store.release(scope),
                patience=_OUTAGE_PATIENCE,
            )
        except Exception:
            logger.exception("could not release idempotency key %s for %s", scope.key, scope.method)

    async def _claim(self, scope: IdempotencyScope, fingerprint: str) -> _StoredResponse | None:
        """None when this call claimed the key and must run; the stored response otherwise."""
        deadline = time.monotonic() + self.in_flight_wait
        pause = 0.02
        while True:
            claim = await asyncio.to_thread(self.store.claim, scope, fingerprint)
            if claim.outcome is ClaimOutcome.CLAIMED:
                return None
            if claim.outcome is ClaimOutcome.REPLAY and claim.response is not None:
                return _StoredResponse(claim.response)
            if claim.outcome is ClaimOutcome.MISMATCH:
                raise ValidationFailed(
                    f"idempotency key {quote(scope.key)} was already used for a different request; "
                    "use a new key for a new request.",
                    reason="idempotency_key_reused",
                )
            if time.monotonic() >= deadline:
                raise Unavailable(
                    f"A request with idempotency key {quote(scope.key)} is still being processed; "
                    "retry in a moment with the same key.",
                    reason="idempotency_key_in_flight",
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)
