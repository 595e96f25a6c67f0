"""A tiny test-only gRPC service (bytes in, bytes out) and helpers to call it.

It does not depend on the domain protos: handlers are built with
``grpc.method_handlers_generic_handler`` and carry raw bytes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import grpc
import grpc.aio
from google.protobuf.duration_pb2 import Duration
from sqlalchemy import create_engine

from ses_core import errors
from ses_core.accounts import UserAuthority
from ses_core.platform.grpc import (
    GrpcServer,
    ServiceRegistration,
    current_actor,
    current_actor_or_none,
)
from ses_core.testing import free_port

SERVICE = "ses.test.v1.ThingService"

StartServer = Callable[..., Awaitable[tuple[GrpcServer, grpc.aio.Channel]]]
"""``await start_server(**create_server_options)`` → (started server, channel to it)."""

StateActor = Callable[..., UserAuthority]
"""``state(actor, active=True, email="")``: state ``actor``'s authority in the directory."""

ERRORS_BY_NAME: dict[str, errors.SesError] = {
    "ValidationFailed": errors.ValidationFailed(
        "The title is empty; give it a title.", reason="title_required", field="thing.title"
    ),
    "UploadRejected": errors.UploadRejected("a.pdf is too big; zip it.", reason="file_too_large"),
    "InvalidTransition": errors.InvalidTransition("complaint", "CLOSED", "REOPEN"),
    "PreconditionFailed": errors.PreconditionFailed("Enroll the company first."),
    "PermissionDenied": errors.PermissionDenied("Only the POC may submit this response."),
    "Unauthenticated": errors.Unauthenticated("Wrong code; try again."),
    "NotFound": errors.NotFound("Complaint C-1 does not exist.", metadata={"complaint_id": "C-1"}),
    "AlreadyExists": errors.AlreadyExists("Company 123 is already registered."),
    "LimitExceeded": errors.LimitExceeded("Too many attempts; wait 15 minutes."),
    "Unavailable": errors.Unavailable("The broker is down; retry shortly."),
}

SECRET_TEXT = "postgres password is hunter2"
LONG_MESSAGE = "Ünïcode " * 1000  # 9 KB of UTF-8, two-byte characters included


def method(name: str) -> str:
    return f"/{SERVICE}/{name}"


class ThingServicer:
    """Counts how often each mutating handler really ran."""

    def __init__(self) -> None:
        self.created = 0
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    async def CreateThing(self, request: bytes, context: Any) -> bytes:
        self.created += 1
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        actor = current_actor_or_none()
        user = actor.user_id if actor else "anonymous"
        return b"created #%d by %s: %s" % (self.created, user.encode(), request)

    async def GetThing(self, request: bytes, context: Any) -> bytes:
        return b"thing " + request

    async def WhoAmI(self, request: bytes, context: Any) -> bytes:
        return current_actor().model_dump_json().encode()

    async def Fail(self, request: bytes, context: Any) -> bytes:
        name = request.decode()
        if name in ERRORS_BY_NAME:
            raise ERRORS_BY_NAME[name]
        if name == "long":
            raise errors.ValidationFailed(LONG_MESSAGE, reason="too_long", field="text")
        if name == "database_gone":
            # A real driver's error: a PostgreSQL address where nothing listens, as during
            # a restart.
            engine = create_engine(f"postgresql+psycopg://ses@127.0.0.1:{free_port()}/gone")
            try:
                await asyncio.to_thread(engine.connect)
            finally:
                engine.dispose()
        raise RuntimeError(SECRET_TEXT)

    async def Parse(self, request: Duration, context: Any) -> bytes:
        return str(request.seconds).encode()

    async def ParseStream(self, requests: AsyncIterator[Duration], context: Any) -> bytes:
        return str(sum([request.seconds async for request in requests])).encode()

    async def ListThings(self, request: bytes, context: Any) -> AsyncIterator[bytes]:
        yield b"first"
        if request == b"fail":
            raise errors.NotFound("The second thing is gone.")
        yield (current_actor().user_id.encode() if current_actor_or_none() else b"anonymous")

    async def UploadThings(self, requests: AsyncIterator[bytes], context: Any) -> bytes:
        total = 0
        async for chunk in requests:
            total += len(chunk)
        return str(total).encode()

    def registration(self) -> ServiceRegistration:
        handlers = {
            "CreateThing": grpc.unary_unary_rpc_method_handler(self.CreateThing),
            "GetThing": grpc.unary_unary_rpc_method_handler(self.GetThing),
            "WhoAmI": grpc.unary_unary_rpc_method_handler(self.WhoAmI),
            "Fail": grpc.unary_unary_rpc_method_handler(self.Fail),
            "ListThings": grpc.unary_stream_rpc_method_handler(self.ListThings),
            "UploadThings": grpc.stream_unary_rpc_method_handler(self.UploadThings),
            "Parse": grpc.unary_unary_rpc_method_handler(
                self.Parse, request_deserializer=Duration.FromString
            ),
            "ParseStream": grpc.stream_unary_rpc_method_handler(
                self.ParseStream, request_deserializer=Duration.FromString
            ),
        }
        generic = grpc.method_handlers_generic_handler(SERVICE, handlers)
        return ServiceRegistration(
            SERVICE, lambda server: server.add_generic_rpc_handlers((generic,))
        )


def metadata(token: str | None = None, key: str | None = None) -> tuple[tuple[str, str], ...]:
    items: list[tuple[str, str]] = []
    if token is not None:
        items.append(("authorization", f"Bearer {token}"))
    if key is not None:
        items.append(("idempotency-key", key))
    return tuple(items)


async def call(
    channel: grpc.aio.Channel,
    name: str,
    request: bytes = b"",
    md: Sequence[tuple[str, str]] = (),
) -> bytes:
    response: bytes = await channel.unary_unary(method(name))(
        request, metadata=tuple(md), timeout=30
    )
    return response


async def failure(
    channel: grpc.aio.Channel, name: str, request: bytes = b"", md: Sequence[tuple[str, str]] = ()
) -> grpc.aio.AioRpcError:
    """The error a call must end with (fails the test if it succeeds)."""
    try:
        await call(channel, name, request, md)
    except grpc.aio.AioRpcError as error:
        return error
    raise AssertionError(f"{name} succeeded but was expected to fail")


def trailing(error: grpc.aio.AioRpcError, key: str) -> str | None:
    for item in error.trailing_metadata() or ():
        if item[0] == key:
            return str(item[1])
    return None


def actor_json(payload: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(payload)
    return decoded
