"""Turning exceptions into gRPC statuses.

``SesError.kind`` picks the status code, the error's sentence becomes the
details and its reason code travels in the trailing metadata
``ses-error-reason``, so clients can branch on it without parsing text.

Anything else is a bug: the client gets INTERNAL with a correlation id and
nothing of the exception (its text may hold data the caller must not see);
the log gets the full traceback under the same id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any, NoReturn

import grpc
import grpc.aio

from ses_core.errors import ErrorKind, SesError
from ses_core.platform.grpc._handlers import (
    Behaviour,
    Context,
    Continuation,
    Handler,
    responses,
    rewrap,
)

logger = logging.getLogger(__name__)

ERROR_REASON_KEY = "ses-error-reason"
CORRELATION_ID_KEY = "ses-correlation-id"

STATUS_BY_KIND: dict[ErrorKind, grpc.StatusCode] = {
    ErrorKind.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.PRECONDITION: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.DENIED: grpc.StatusCode.PERMISSION_DENIED,
    ErrorKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    ErrorKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    ErrorKind.EXHAUSTED: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorKind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
}


def status_for(error: SesError) -> grpc.StatusCode:
    return STATUS_BY_KIND[error.kind]


async def abort_with(error: BaseException, context: Context, method: str) -> NoReturn:
    """Abort the call with the status ``error`` deserves (see the module docstring)."""
    if isinstance(error, SesError):
        await context.abort(status_for(error), error.message, ((ERROR_REASON_KEY, error.reason),))
    correlation_id = str(uuid.uuid4())
    logger.error(
        "Unexpected error in %s; correlation id %s", method, correlation_id, exc_info=error
    )
    await context.abort(
        grpc.StatusCode.INTERNAL,
        f"internal error; correlation id {correlation_id}",
        ((CORRELATION_ID_KEY, correlation_id),),
    )
    raise AssertionError("context.abort returned")  # pragma: no cover


class ErrorMappingInterceptor(grpc.aio.ServerInterceptor):
    """Maps domain errors to statuses and hides unexpected exceptions behind an id."""

    async def intercept_service(
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> Handler | None:
        method: str = details.method

        def make(behaviour: Behaviour, response_streaming: bool) -> Behaviour:
            if response_streaming:

                async def streaming(request: Any, context: Context) -> AsyncIterator[Any]:
                    try:
                        async for response in responses(behaviour(request, context)):
                            yield response
                    except grpc.aio.AbortError:
                        raise
                    except Exception as error:
                        await abort_with(error, context, method)

                return streaming

            async def unary(request: Any, context: Context) -> Any:
                try:
                    return await behaviour(request, context)
                except grpc.aio.AbortError:
                    raise
                except Exception as error:
                    await abort_with(error, context, method)

            return unary

        return rewrap(await continuation(details), make)
