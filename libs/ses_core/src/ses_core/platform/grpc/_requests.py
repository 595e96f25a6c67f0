"""Request bytes that are not the message the method expects.

grpc.aio parses a request before any interceptor or handler runs, and a parser
exception becomes UNKNOWN "Unexpected <class 'google.protobuf.message.DecodeError'>".
``tolerant`` wraps a method's request deserializer so that it never raises:
bytes it cannot parse become a ``MalformedRequest`` holding the
``ValidationFailed`` to answer with, which the error-mapping interceptor raises
where errors are mapped (before the handler for a single request; when the
stream reaches it for a request stream). Handlers that read a request stream
with ``context.read()`` instead of iterating it would receive the marker: the
kit's servicers iterate.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pool

from ses_core.errors import ValidationFailed
from ses_core.platform.grpc._methods import MethodName

Deserializer = Callable[[bytes], Any]


@dataclass(frozen=True)
class MalformedRequest:
    """Stands for a request that could not be parsed."""

    error: ValidationFailed


def tolerant(deserialize: Deserializer | None, method: str) -> Deserializer | None:
    """``deserialize``, answering ``MalformedRequest`` instead of raising."""
    if deserialize is None:
        return None
    name = MethodName.parse(method)

    def parse(raw: bytes) -> Any:
        try:
            return deserialize(raw)
        except Exception:
            return MalformedRequest(malformed_request_error(name))

    return parse


def malformed_request_error(method: MethodName) -> ValidationFailed:
    return ValidationFailed(
        f"The request to {method.method} is not a valid {_request_type(method)} message; "
        "send one built with stubs generated from the SES protos of this service.",
        reason="request_malformed",
    )


def checked(request: Any) -> Any:
    """``request`` itself, or its error raised when it could not be parsed."""
    if isinstance(request, MalformedRequest):
        raise request.error
    return request


async def checked_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """``requests``, raising the error of the first that could not be parsed."""
    async for request in requests:
        yield checked(request)


def _request_type(method: MethodName) -> str:
    try:
        found = descriptor_pool.Default().FindMethodByName(f"{method.service}.{method.method}")
    except KeyError:
        return "request"
    return str(found.input_type.full_name)
