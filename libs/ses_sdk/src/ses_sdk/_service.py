"""What every generated sub-client (``client.complaints``, ...) stands on: its transport."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Protocol, TypeVar

from ses_sdk._transport import SyncTransport
from ses_sdk._transport_async import AsyncTransport

MessageT = TypeVar("MessageT", covariant=True)
ProtoT = TypeVar("ProtoT")


class SyncService:
    """A sub-client of ``SesClient``: the generated methods of one gRPC service."""

    def __init__(self, transport: SyncTransport) -> None:
        self._transport = transport


class AsyncService:
    """A sub-client of ``AsyncSesClient``: the generated methods of one gRPC service."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._transport = transport


class ToProto(Protocol[MessageT]):
    def to_proto(self) -> MessageT: ...


async def protos_of(
    values: Iterable[ToProto[ProtoT]] | AsyncIterable[ToProto[ProtoT]],
) -> AsyncIterator[ProtoT]:
    """The proto messages of a client stream's values, from a plain or an async iterable."""
    if isinstance(values, AsyncIterable):
        async for value in values:
            yield value.to_proto()
    else:
        for value in values:
            yield value.to_proto()
