"""The one place where exceptions become gRPC statuses.

The error-mapping step, outermost of ``CallInterceptor``'s, wraps every call:

* it gives the call a request id (``_request_id``), sends it back in the
  ``x-request-id`` response header and binds it for the handler and the logs;
* it parses the request tolerantly (``_requests``): bytes that are not the
  method's message answer INVALID_ARGUMENT ``request_malformed``;
* a ``SesError`` ends the call with the status its ``kind`` maps to, its
  sentence, and the standard details (``_status``: ``ErrorInfo`` with the
  reason, ``BadRequest``, ``RetryInfo``, ``RequestInfo``);
* a database that could not be reached (restarting, failing over, cut off:
  :func:`~ses_core.platform.db.outages.database_unreachable`) is UNAVAILABLE
  ``database_unavailable``: the client retries, with its idempotency key, a moment later;
* anything else is a bug: the client gets INTERNAL with a generic sentence and
  the request id, nothing of the exception (its text may hold data the caller
  must not see, its class name is of no use to them); the log gets the full
  traceback under the same id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import NoReturn

import google.rpc.status_pb2 as status_pb2
from grpc_status import rpc_status
from opentelemetry import trace

from ses_core.errors import SesError, Unavailable
from ses_core.platform.db.outages import database_unreachable
from ses_core.platform.grpc._handlers import Context
from ses_core.platform.grpc._request_id import (
    REQUEST_ID_KEY,
    bind_request_id,
    current_request_id,
    request_id_for,
)
from ses_core.platform.grpc._status import internal_status, rich_status

logger = logging.getLogger(__name__)

REQUEST_ID_SPAN_ATTRIBUTE = "ses.request_id"

Metadata = Iterable[tuple[str, str | bytes]] | None


async def open_call(context: Context, metadata: Metadata) -> None:
    """Give the call its request id: bound for the handler and the logs, set on the span,
    sent back in the ``x-request-id`` header."""
    request_id = request_id_for(metadata)
    bind_request_id(request_id)
    trace.get_current_span().set_attribute(REQUEST_ID_SPAN_ATTRIBUTE, request_id)
    await context.send_initial_metadata(((REQUEST_ID_KEY, request_id),))


async def abort_with(error: BaseException, context: Context, method: str) -> NoReturn:
    """Abort the call with the status ``error`` deserves (see the module docstring)."""
    request_id = current_request_id() or request_id_for(None)
    if database_unreachable(error):
        logger.warning(
            "%s met an unreachable database (request id %s): %s", method, request_id, error
        )
        error = Unavailable(
            "The service's database cannot be reached right now; retry in a few seconds "
            "(with the same idempotency key).",
            reason="database_unavailable",
        )
    if isinstance(error, SesError):
        logger.info(
            "%s refused (%s, request id %s): %s", method, error.reason, request_id, error.message
        )
        await _abort(context, rich_status(error, request_id))
    logger.error("Unexpected error in %s; request id %s", method, request_id, exc_info=error)
    await _abort(context, internal_status(request_id))
    raise AssertionError("context.abort returned")  # pragma: no cover


async def _abort(context: Context, status: status_pb2.Status) -> NoReturn:
    grpc_status = rpc_status.to_status(status)
    await context.abort(grpc_status.code, grpc_status.details, grpc_status.trailing_metadata)
    raise AssertionError("context.abort returned")  # pragma: no cover
