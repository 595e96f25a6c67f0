"""The access log's place in the call: refused decisions and restricted reads go on file.

``AccessAuditInterceptor`` sits right inside the error mapping (so the request id is
known) and outside authentication (so it sees authentication's refusals too). For each
call it opens the call's ``AuditedCall`` (``ses_core.platform.audit``) with the request
id, the client address (the gRPC peer) and any ``x-forwarded-for`` claim, then:

* a ``SesError`` that is a recorded refusal (``ses_core.audit.is_recorded_refusal``) is
  recorded before it propagates. If recording fails the refusal still goes out (and the
  failure is logged): refusing is safe, and the caller learns nothing more;
* restricted content a handler noted is recorded before the response leaves (before each
  message of a stream). If that fails the call fails with UNAVAILABLE instead: restricted
  content is never served without its record.

Recording happens in a worker thread, through the recorder of the service that owns the
method (``AccessLog.for_method``); methods of a service without one pass untouched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol
from urllib.parse import unquote

import grpc
import grpc.aio

from ses_core.audit import is_recorded_refusal
from ses_core.errors import SesError, Unavailable
from ses_core.platform.audit import AuditedCall, RestrictedRead, begin_call
from ses_core.platform.grpc._handlers import (
    Behaviour,
    Context,
    Continuation,
    Handler,
    metadata_value,
    responses,
    rewrap,
)
from ses_core.platform.grpc._request_id import current_request_id

_log = logging.getLogger(__name__)

FORWARDED_FOR_KEY = "x-forwarded-for"
_MAX_FORWARDED_CHARS = 200


class AccessRecording(Protocol):
    """What the interceptor needs of a service's recorder (``AccessRecorder``)."""

    def record_refusal(self, call: AuditedCall, error: SesError) -> None: ...

    def record_reads(self, call: AuditedCall, reads: list[RestrictedRead]) -> None: ...


class AccessLog(Protocol):
    """The recorder for a method, if its service has one (``AccessLogRouter``)."""

    def for_method(self, method: str) -> AccessRecording | None: ...


def client_address(peer: str) -> str:
    """``127.0.0.1:5555`` for gRPC's ``ipv4:127.0.0.1:5555`` (``[::1]:5555`` for IPv6)."""
    for prefix in ("ipv4:", "ipv6:"):
        if peer.startswith(prefix):
            return unquote(peer[len(prefix) :])
    return unquote(peer)


class AccessAuditInterceptor(grpc.aio.ServerInterceptor):
    """Opens each call's ``AuditedCall`` and records its refusals and restricted reads."""

    def __init__(self, log: AccessLog) -> None:
        self._log = log

    async def intercept_service(
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(details)
        method: str = details.method
        recorder = self._log.for_method(method)
        if handler is None or recorder is None:
            return handler
        forwarded = metadata_value(details.invocation_metadata, FORWARDED_FOR_KEY) or ""

        def open_call(context: Context) -> AuditedCall:
            return begin_call(
                AuditedCall(
                    method,
                    request_id=current_request_id() or "",
                    client_address=client_address(context.peer()),
                    forwarded_for=forwarded[:_MAX_FORWARDED_CHARS],
                )
            )

        def make(behaviour: Behaviour, response_streaming: bool) -> Behaviour:
            if response_streaming:

                async def streaming(request: Any, context: Context) -> AsyncIterator[Any]:
                    call = open_call(context)
                    try:
                        async for response in responses(behaviour(request, context)):
                            await _record_reads(recorder, call)
                            yield response
                    except SesError as error:
                        await _record_refusal(recorder, call, error)
                        raise
                    await _record_reads(recorder, call)

                return streaming

            async def unary(request: Any, context: Context) -> Any:
                call = open_call(context)
                try:
                    response = await behaviour(request, context)
                except SesError as error:
                    await _record_refusal(recorder, call, error)
                    raise
                await _record_reads(recorder, call)
                return response

            return unary

        return rewrap(handler, make)


async def _record_refusal(recorder: AccessRecording, call: AuditedCall, error: SesError) -> None:
    caller_known = call.identity is not None or call.actor is not None
    if not is_recorded_refusal(error, caller_known=caller_known):
        return
    try:
        await asyncio.to_thread(recorder.record_refusal, call, error)
    except Exception:
        _log.exception(
            "Could not record the refusal of %s (request id %s) in the audit log",
            call.method,
            call.request_id,
        )


async def _record_reads(recorder: AccessRecording, call: AuditedCall) -> None:
    reads = call.take_reads()
    if not reads:
        return
    try:
        await asyncio.to_thread(recorder.record_reads, call, reads)
    except Exception as error:
        _log.exception(
            "Could not record a read of restricted content by %s (request id %s)",
            call.method,
            call.request_id,
        )
        raise Unavailable(
            "This answer holds restricted content whose reading could not be put on the audit "
            "log just now; try again in a moment.",
            reason="audit_log_unavailable",
        ) from error
