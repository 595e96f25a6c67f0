"""How the synchronous client makes one call: metadata, deadline, retries, errors.

Every call gets the client's deadline (``timeout`` seconds per attempt, settable per call),
the current access token from the client's provider (asked again before each attempt, so
a refreshed token is used at once), and its idempotency key when the RPC honours one (the
same on every attempt). Failures become :class:`~ses_sdk.SesError` subclasses; the
transient ones are retried when the call is safe to repeat (see ``_retry``).
Streaming calls are not retried here: uploads and downloads resume by offset
(``FilesClient``) instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message
from tenacity import Retrying, retry_if_exception

from ses_sdk._errors import SesError
from ses_sdk._retry import should_retry
from ses_sdk._rpc import CallOptions, ClientConfig, Rpc, idempotency_key_of
from ses_sdk._tokens import TokenProvider, bearer

ResponseT = TypeVar("ResponseT")
Metadata = tuple[tuple[str, str], ...]


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


class SyncTransport:
    """Calls over one ``grpc.Channel`` with a client's shared settings."""

    def __init__(self, channel: grpc.Channel, config: ClientConfig) -> None:
        self.channel = channel
        self.config = config
        self._callables: dict[str, Any] = {}

    def access_token(self) -> str:
        """The provider's current token ("" when the client has none)."""
        provider = self.config.credentials
        if provider is None:
            return ""
        if not isinstance(provider, TokenProvider):  # pragma: no cover - typing prevents it
            raise TypeError("A synchronous SesClient needs a synchronous token provider.")
        token = provider.access_token()
        if not isinstance(token, str):
            raise TypeError(
                "The token provider returned an awaitable: use AsyncSesClient with it, "
                "or give SesClient a provider whose access_token() returns a str."
            )
        return token

    def metadata(self, rpc: Rpc[Any], idempotency_key: str | None) -> Metadata:
        pairs: list[tuple[str, str]] = []
        if rpc.authenticated:
            token = self.access_token()
            if token:
                pairs.append(("authorization", bearer(token)))
        if idempotency_key is not None:
            pairs.append(("idempotency-key", idempotency_key))
        return tuple(pairs)

    def unary(self, rpc: Rpc[ResponseT], request: Message, options: CallOptions) -> ResponseT:
        key = idempotency_key_of(rpc, options)
        repeatable = rpc.read_only or key is not None
        waits = self.config.waits_for_maintenance(options)
        policy = self.config.retry_of(options)
        call = self._callable(rpc, "unary_unary")
        timeout = self.config.timeout_of(options)

        def attempt() -> ResponseT:
            metadata = self.metadata(rpc, key)
            try:
                response: ResponseT = call(request, timeout=timeout, metadata=metadata)
            except grpc.RpcError as error:
                raise SesError.from_rpc_error(error) from error
            return response

        retrying = Retrying(
            stop=policy.stop(),
            wait=policy.wait(),
            retry=retry_if_exception(
                lambda error: should_retry(error, repeatable=repeatable, wait_for_maintenance=waits)
            ),
            reraise=True,
        )
        return retrying(attempt)

    def stream_unary(
        self, rpc: Rpc[ResponseT], requests: Iterable[Message], options: CallOptions
    ) -> ResponseT:
        call = self._callable(rpc, "stream_unary")
        try:
            response: ResponseT = call(
                iter(requests),
                timeout=self.config.timeout_of(options),
                metadata=self.metadata(rpc, None),
            )
        except grpc.RpcError as error:
            raise SesError.from_rpc_error(error) from error
        return response

    def unary_stream(
        self, rpc: Rpc[ResponseT], request: Message, options: CallOptions
    ) -> Iterator[ResponseT]:
        call = self._callable(rpc, "unary_stream")
        responses = call(
            request, timeout=self.config.timeout_of(options), metadata=self.metadata(rpc, None)
        )
        try:
            yield from responses
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
