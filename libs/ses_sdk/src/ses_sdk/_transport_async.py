"""How the asyncio client makes one call; the same rules as ``_transport`` (deadline per
attempt, token asked before each attempt, one idempotency key per call, retries only for
calls safe to repeat), awaiting instead of blocking."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

import grpc
import grpc.aio
from google.protobuf.message import Message
from tenacity import AsyncRetrying, retry_if_exception

from ses_sdk._errors import SesError
from ses_sdk._retry import should_retry
from ses_sdk._rpc import CallOptions, ClientConfig, Rpc, idempotency_key_of
from ses_sdk._tokens import bearer, current_token
from ses_sdk._transport import Metadata

ResponseT = TypeVar("ResponseT")


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


class AsyncTransport:
    """Calls over one ``grpc.aio.Channel`` with a client's shared settings."""

    def __init__(self, channel: grpc.aio.Channel, config: ClientConfig) -> None:
        self.channel = channel
        self.config = config
        self._callables: dict[str, Any] = {}

    async def access_token(self) -> str:
        """The provider's current token ("" when the client has none)."""
        provider = self.config.credentials
        return "" if provider is None else await current_token(provider)

    async def metadata(self, rpc: Rpc[Any], idempotency_key: str | None) -> Metadata:
        pairs: list[tuple[str, str]] = []
        if rpc.authenticated:
            token = await self.access_token()
            if token:
                pairs.append(("authorization", bearer(token)))
        if idempotency_key is not None:
            pairs.append(("idempotency-key", idempotency_key))
        return tuple(pairs)

    async def unary(self, rpc: Rpc[ResponseT], request: Message, options: CallOptions) -> ResponseT:
        key = idempotency_key_of(rpc, options)
        repeatable = rpc.read_only or key is not None
        waits = self.config.waits_for_maintenance(options)
        policy = self.config.retry_of(options)
        call = self._callable(rpc, "unary_unary")
        timeout = self.config.timeout_of(options)

        async def attempt() -> ResponseT:
            metadata = await self.metadata(rpc, key)
            try:
                response: ResponseT = await call(request, timeout=timeout, metadata=metadata)
            except grpc.RpcError as error:
                raise SesError.from_rpc_error(error) from error
            return response

        retrying = AsyncRetrying(
            stop=policy.stop(),
            wait=policy.wait(),
            retry=retry_if_exception(
                lambda error: should_retry(error, repeatable=repeatable, wait_for_maintenance=waits)
            ),
            reraise=True,
        )
        result: ResponseT = await retrying(attempt)
        return result

    async def stream_unary(
        self,
        rpc: Rpc[ResponseT],
        requests: Iterable[Message] | AsyncIterable[Message],
        options: CallOptions,
    ) -> ResponseT:
        call = self._callable(rpc, "stream_unary")
        try:
            response: ResponseT = await call(
                requests,
                timeout=self.config.timeout_of(options),
                metadata=await self.metadata(rpc, None),
            )
        except grpc.RpcError as error:
            raise SesError.from_rpc_error(error) from error
        return response

    async def unary_stream(
        self, rpc: Rpc[ResponseT], request: Message, options: CallOptions
    ) -> AsyncIterator[ResponseT]:
        call = self._callable(rpc, "unary_stream")
        responses = call(
            request,
            timeout=self.config.timeout_of(options),
            metadata=await self.metadata(rpc, None),
        )
        try:
            async for response in responses:
                yield response
        except grpc.RpcError as error:
            raise SesError.from_rpc_error(error) from error
        finally:
            responses.cancel()

    def _callable(self, rpc: Rpc[Any], kind: str) -> Any:
        found = self._callables.get(rpc.path)
        if found is None:
            factory: Callable[..., Any] = getattr(self.channel, kind)
            found = factory(
                rpc.path, request_serializer=_serialize, response_deserializer=rpc.deserialize
            )
            self._callables[rpc.path] = found
        return found
