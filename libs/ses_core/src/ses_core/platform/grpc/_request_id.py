"""Request ids (Google AIP-155 style): one per call, for people to quote and logs to find.

A client may send its own in the ``x-request-id`` metadata entry (1–128 letters,
digits, ``.``, ``_``, ``:`` or ``-``, such as a UUID), so that its logs and ours
share it; anything else is ignored and the server makes a UUID. The id is
echoed in the ``x-request-id`` response header of every call, carried by every
error's ``RequestInfo``, set on the call's span and written in the log lines
about the call.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from contextvars import ContextVar

from ses_core.platform.grpc._handlers import metadata_value

REQUEST_ID_KEY = "x-request-id"

_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_request_id: ContextVar[str | None] = ContextVar("ses_request_id", default=None)


def request_id_for(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    """The client's well-formed ``x-request-id``, or a new UUID."""
    offered = metadata_value(metadata, REQUEST_ID_KEY)
    if offered is not None and _WELL_FORMED.fullmatch(offered):
        return offered
    return str(uuid.uuid4())


def bind_request_id(request_id: str) -> None:
    """Make ``request_id`` the current call's (its context is its own, see ``_context``)."""
    _request_id.set(request_id)


def current_request_id() -> str | None:
    """The request id of the call being served, if any."""
    return _request_id.get()
