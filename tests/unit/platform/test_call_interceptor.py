"""The kit's one interceptor builds each method's handler once, and only for served methods."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc

from ses_core.platform.grpc import CallInterceptor

SERVED = "/ses.test.v1.ThingService/GetThing"


class _Details:
    def __init__(self, method: str) -> None:
        self.method = method
        self.invocation_metadata = ()


async def _echo(request: bytes, _context: Any) -> bytes:
    return request


class _Server:
    """Stands for grpc.aio's handler lookup: counts the look-ups it answers."""

    def __init__(self) -> None:
        self.handler = grpc.unary_unary_rpc_method_handler(_echo)
        self.lookups = 0

    async def continuation(self, details: Any) -> Any:
        self.lookups += 1
        return self.handler if details.method == SERVED else None


def test_the_wrapped_handler_of_a_method_is_built_once_and_reused() -> None:
    interceptor, server = CallInterceptor(), _Server()

    async def twice() -> tuple[Any, Any]:
        first = await interceptor.intercept_service(server.continuation, _Details(SERVED))
        second = await interceptor.intercept_service(server.continuation, _Details(SERVED))
        return first, second

    first, second = asyncio.run(twice())

    assert first is not None
    assert first is not server.handler
    assert second is first
    assert server.lookups == 1
    assert interceptor.cached_methods() == {SERVED}


def test_methods_nobody_serves_are_not_remembered() -> None:
    interceptor, server = CallInterceptor(), _Server()

    async def unknown() -> list[Any]:
        return [
            await interceptor.intercept_service(server.continuation, _Details(f"/x.Y/Z{n}"))
            for n in range(3)
        ]

    assert asyncio.run(unknown()) == [None, None, None]
    assert server.lookups == 3
    assert interceptor.cached_methods() == frozenset()
