"""Wrapping an ``RpcMethodHandler``'s behaviour, whatever its kind.

A ``grpc.aio.ServerInterceptor`` only gets to choose the handler; to act on
the call itself (read metadata, abort, catch exceptions) it returns a new
handler of the same kind whose behaviour wraps the original. ``rewrap`` does
that for all four kinds (``CallInterceptor`` does it once per method).

Server-streaming behaviours may be async generators or coroutines that write
with ``context.write``; both are driven here. (The OpenTelemetry interceptor
only supports async generators, so servicers should prefer those.)
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import grpc
import grpc.aio

if TYPE_CHECKING:
    Handler = grpc.RpcMethodHandler[Any, Any]
    Context = grpc.aio.ServicerContext[Any, Any]
else:  # the runtime classes are not generic
    Handler = grpc.RpcMethodHandler
    Context = grpc.aio.ServicerContext
Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]
"""What a server interceptor's ``intercept_service`` receives to look up the handler."""

Behaviour = Callable[[Any, Any], Any]
MakeBehaviour = Callable[[Behaviour, bool], Behaviour]
"""(original behaviour, response_streaming) → new behaviour."""

_FACTORIES = {
    (False, False): ("unary_unary", grpc.unary_unary_rpc_method_handler),
    (False, True): ("unary_stream", grpc.unary_stream_rpc_method_handler),
    (True, False): ("stream_unary", grpc.stream_unary_rpc_method_handler),
    (True, True): ("stream_stream", grpc.stream_stream_rpc_method_handler),
}


def rewrap(
    handler: Handler | None,
    make: MakeBehaviour,
    *,
    request_deserializer: Callable[[bytes], Any] | None = None,
    response_serializer: Callable[[Any], bytes] | None = None,
) -> Handler | None:
    """A handler of ``handler``'s kind whose behaviour is ``make(original, streaming)``;
    its (de)serializers are ``handler``'s unless replaced."""
    if handler is None:
        return None
    attribute, factory = _FACTORIES[(handler.request_streaming, handler.response_streaming)]
    return factory(
        make(getattr(handler, attribute), handler.response_streaming),
        request_deserializer=request_deserializer or handler.request_deserializer,
        response_serializer=response_serializer or handler.response_serializer,
    )


async def responses(result: Any) -> AsyncIterator[Any]:
    """The responses of a server-streaming behaviour's result, whichever style it uses."""
    if inspect.isawaitable(result):
        result = await result
    if result is None:
        return
    if hasattr(result, "__aiter__"):
        async for response in result:
            yield response
    else:
        for response in result:
            yield response


def metadata_value(metadata: Iterable[tuple[str, str | bytes]] | None, key: str) -> str | None:
    """The first value of ``key`` in invocation metadata (keys are lower case in gRPC)."""
    for name, value in metadata or ():
        if name == key:
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return None
