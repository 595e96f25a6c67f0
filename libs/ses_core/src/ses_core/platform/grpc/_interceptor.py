"""The one server interceptor of the kit: every step of a call, in a handler built once per method.

Steps, in this order (see ``ses_core.platform.grpc`` for why this order):

1. error mapping (``_errors``): request id, tolerant parsing, every failure of the
   steps below or of the handler mapped to a rich status;
1a. the access audit (``_audit``), for the methods of a service with an access log:
   refusals (of the steps below too) and restricted reads are put on file;
2. authentication (``_auth.Authenticator``), except on public methods;
3. the maintenance guard (``_maintenance.MaintenanceGuard``), on mutating methods;
4. idempotency (``_idempotency.Idempotency``), on unary mutating methods.

Why one interceptor: ``grpc.aio`` asks every interceptor for the handler on every
call, and each of the four used to build a new handler around the one below it (a
new closure and a new ``RpcMethodHandler`` per step and per call): about a quarter of
the event loop's time per read. Which steps apply depends on the method alone, so
the wrapped handler is built the first time a method is called and kept; what
depends on the call (its metadata: request id, token, idempotency key) is read from
the ``ServicerContext`` when the call runs. Only methods the server hosts are kept
(at most one handler each): names nobody serves are looked up each time and never
stored, so stray names cannot grow the cache.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import grpc.aio

from ses_core.errors import SesError
from ses_core.platform.audit import current_call as current_audited_call
from ses_core.platform.grpc._audit import AccessLog, open_audited_call, record_reads, record_refusal
from ses_core.platform.grpc._auth import Authenticator
from ses_core.platform.grpc._errors import Metadata, abort_with, open_call
from ses_core.platform.grpc._handlers import (
    Behaviour,
    Context,
    Continuation,
    Handler,
    metadata_value,
    responses,
    rewrap,
)
from ses_core.platform.grpc._idempotency import IDEMPOTENCY_KEY, Idempotency
from ses_core.platform.grpc._maintenance import MaintenanceGuard
from ses_core.platform.grpc._requests import checked, checked_stream, tolerant

Authenticate = Callable[[str, Metadata], Awaitable[None]]
Guard = Callable[[], Awaitable[None]]


class CallInterceptor(grpc.aio.ServerInterceptor):
    """Error mapping, then authentication, the maintenance guard and idempotency (each
    optional but the first), applied by a handler built once per method."""

    def __init__(
        self,
        *,
        authenticator: Authenticator | None = None,
        access_log: AccessLog | None = None,
        maintenance: MaintenanceGuard | None = None,
        idempotency: Idempotency | None = None,
    ) -> None:
        self.authenticator = authenticator
        self.access_log = access_log
        self.maintenance = maintenance
        self.idempotency = idempotency
        self._handlers: dict[str, Handler] = {}

    async def intercept_service(
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> Handler | None:
        method: str = details.method
        wrapped = self._handlers.get(method)
        if wrapped is None:
            handler = await continuation(details)
            if handler is None:
                return None
            wrapped = self._handlers[method] = self.wrap(method, handler)
        return wrapped

    def cached_methods(self) -> frozenset[str]:
        """The methods whose wrapped handler is kept."""
        return frozenset(self._handlers)

    def wrap(self, method: str, handler: Handler) -> Handler:
        """``handler`` with every step that applies to ``method``."""
        authenticate: Authenticate | None = None
        if self.authenticator is not None and self.authenticator.applies_to(method):
            authenticate = self.authenticator.authenticate
        guard: Guard | None = None
        if self.maintenance is not None and self.maintenance.guards(method):
            guard = self.maintenance.check
        idempotency = self.idempotency
        if idempotency is not None and not idempotency.applies_to(method, handler):
            idempotency = None
        to_bytes = Idempotency.response_serializer(handler) if idempotency else None
        check_request = checked_stream if handler.request_streaming else checked
        recorder = None if self.access_log is None else self.access_log.for_method(method)

        async def before(request: Any, context: Context) -> tuple[Any, Metadata]:
            """Steps 1–3; the request, checked, and the call's metadata."""
            metadata: Metadata = context.invocation_metadata()
            await open_call(context, metadata)
            if recorder is not None:
                open_audited_call(method, context, metadata)
            request = check_request(request)
            if authenticate is not None:
                await authenticate(method, metadata)
            if guard is not None:
                await guard()
            return request, metadata

        async def audit_reads() -> None:
            """Restricted content noted by the handler goes on file before it leaves."""
            if recorder is not None and (call := current_audited_call()) is not None:
                await record_reads(recorder, call)

        async def audit_refusal(error: Exception) -> None:
            if (
                recorder is not None
                and isinstance(error, SesError)
                and (call := current_audited_call()) is not None
            ):
                await record_refusal(recorder, call, error)

        def make(behaviour: Behaviour, response_streaming: bool) -> Behaviour:
            if response_streaming:

                async def streaming(request: Any, context: Context) -> AsyncIterator[Any]:
                    try:
                        request, _ = await before(request, context)
                        async for response in responses(behaviour(request, context)):
                            await audit_reads()
                            yield response
                        await audit_reads()
                    except grpc.aio.AbortError:
                        raise
                    except Exception as error:
                        await audit_refusal(error)
                        await abort_with(error, context, method)

                return streaming

            async def unary(request: Any, context: Context) -> Any:
                try:
                    request, metadata = await before(request, context)
                    if idempotency is None or to_bytes is None:
                        response = await behaviour(request, context)
                    else:
                        key = metadata_value(metadata, IDEMPOTENCY_KEY)
                        response = await idempotency.run(
                            method, key, request, context, behaviour, to_bytes
                        )
                    await audit_reads()
                    return response
                except grpc.aio.AbortError:
                    raise
                except Exception as error:
                    await audit_refusal(error)
                    await abort_with(error, context, method)

            return unary

        wrapped = rewrap(
            handler,
            make,
            request_deserializer=tolerant(handler.request_deserializer, method),
            response_serializer=to_bytes,
        )
        assert wrapped is not None
        return wrapped
