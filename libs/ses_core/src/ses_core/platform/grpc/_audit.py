"""The access log's place in the call: refused decisions and restricted reads go on file.

A step of ``CallInterceptor`` (``_interceptor``), right after the error mapping has
opened the call (so the request id is known) and before authentication (so it sees
authentication's refusals too). For each call of a method whose service has a recorder,
it opens the call's ``AuditedCall`` (``ses_core.platform.audit``) with the request id,
the client address (the gRPC peer) and any ``x-forwarded-for`` claim, then:

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
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import unquote

from ses_core.audit import is_recorded_refusal
from ses_core.errors import SesError, Unavailable
from ses_core.platform.audit import AuditedCall, RestrictedRead, begin_call
from ses_core.platform.grpc._handlers import Context, metadata_value
from ses_core.platform.grpc._request_id import current_request_id

Metadata = Iterable[tuple[str, str | bytes]] | None

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


def open_audited_call(method: str, context: Context, metadata: Metadata) -> AuditedCall:
    """Begin the call's ``AuditedCall``: its request id, client address and forwarded-for."""
    forwarded = metadata_value(metadata, FORWARDED_FOR_KEY) or ""
    return begin_call(
        AuditedCall(
            method,
            request_id=current_request_id() or "",
            client_address=client_address(context.peer()),
            forwarded_for=forwarded[:_MAX_FORWARDED_CHARS],
        )
    )


async def record_refusal(recorder: AccessRecording, call: AuditedCall, error: SesError) -> None:
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


async def record_reads(recorder: AccessRecording, call: AuditedCall) -> None:
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
