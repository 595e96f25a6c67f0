"""Domain errors.

Every error carries a machine-readable ``reason`` (snake_case, stable, safe to
branch on) and a ``message``: one sentence a person can act on. ``kind`` says
which family the error belongs to; the gRPC kit maps kinds to status codes, so
the domain never imports a transport.

What clients receive besides the sentence (the gRPC kit turns them into the
standard ``google.rpc`` error details, AIP-193):

* ``field``: the request field at fault, as a dotted path of proto field names
  (``description``, ``details.complainant.email``); set by the checks that know
  it, it becomes a ``BadRequest`` field violation;
* ``metadata``: ids involved (``{"complaint_id": "..."}``), short strings that a
  program may use; they become ``ErrorInfo.metadata``;
* ``retry_after``: how long to wait before a retry can succeed; it becomes
  ``RetryInfo``. ``Unavailable`` sets one second unless told otherwise.

``details`` keeps any other facts for Python callers (sizes, limits, positions);
they do not travel.

Messages never repeat a caller's input whole: ``quote`` shows at most a short
prefix of it, so that a 20 KB e-mail address makes a 100-byte sentence, not a
20 KB one. ``MAX_MESSAGE_BYTES`` (1 KiB) is the ceiling every message is held to;
``capped`` cuts a longer one with an ellipsis, as a last resort.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any, ClassVar

MAX_MESSAGE_BYTES = 1024
QUOTE_LIMIT = 64
ELLIPSIS = "…"
DEFAULT_RETRY_AFTER = timedelta(seconds=1)


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as a quoted literal for a message, cut to ``limit`` characters + "…".

    Control characters are escaped (as ``repr`` does), so a quoted value can
    neither break a line nor hide in the sentence.
    """
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + ELLIPSIS
    return repr(text)


def capped(message: str, max_bytes: int = MAX_MESSAGE_BYTES) -> str:
    """``message`` if it fits in ``max_bytes`` of UTF-8, else its longest prefix that
    fits together with a trailing "…" (never splitting a character)."""
    encoded = message.encode("utf-8")
    if len(encoded) <= max_bytes:
        return message
    room = max_bytes - len(ELLIPSIS.encode("utf-8"))
    return encoded[:room].decode("utf-8", "ignore") + ELLIPSIS


class ErrorKind(StrEnum):
    """Families of failure, each mapped to exactly one transport status."""

    INVALID = "invalid"  # INVALID_ARGUMENT
    PRECONDITION = "precondition"  # FAILED_PRECONDITION
    DENIED = "denied"  # PERMISSION_DENIED
    UNAUTHENTICATED = "unauthenticated"  # UNAUTHENTICATED
    NOT_FOUND = "not_found"  # NOT_FOUND
    ALREADY_EXISTS = "already_exists"  # ALREADY_EXISTS
    EXHAUSTED = "exhausted"  # RESOURCE_EXHAUSTED
    UNAVAILABLE = "unavailable"  # UNAVAILABLE


class SesError(Exception):
    """Root of every error the platform raises on purpose."""

    kind: ClassVar[ErrorKind] = ErrorKind.PRECONDITION
    default_reason: ClassVar[str] = "ses_error"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        field: str | None = None,
        metadata: Mapping[str, str] | None = None,
        retry_after: timedelta | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.field = field
        self.metadata: dict[str, str] = dict(metadata or {})
        self.retry_after = retry_after
        self.details: dict[str, Any] = details

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reason={self.reason!r}, message={self.message!r})"


class ValidationFailed(SesError):
    """Input is malformed or outside a limit (text, links, dates, fields)."""

    kind = ErrorKind.INVALID
    default_reason = "validation_failed"


class UploadRejected(SesError):
    """A file or upload batch breaks an upload rule (size, count, name)."""

    kind = ErrorKind.INVALID
    default_reason = "upload_rejected"


class InvalidTransition(SesError):
    """An action is not allowed from the aggregate's current state."""

    kind = ErrorKind.PRECONDITION
    default_reason = "invalid_transition"

    def __init__(
        self,
        machine: str,
        state: str,
        action: str,
        allowed: tuple[str, ...] | list[str] = (),
        *,
        reason: str | None = None,
        message: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        allowed_text = ", ".join(sorted(allowed)) if allowed else "nothing (final state)"
        text = message or (
            f"Cannot {action.lower().replace('_', ' ')} a {machine} that is "
            f"{state.lower().replace('_', ' ')}; allowed from this state: {allowed_text}."
        )
        super().__init__(text, reason=reason, metadata=metadata)
        self.machine = machine
        self.state = state
        self.action = action
        self.allowed = tuple(sorted(allowed))


class PreconditionFailed(SesError):
    """The request is well formed but the system is not in a state to accept it."""

    kind = ErrorKind.PRECONDITION
    default_reason = "precondition_failed"


class PermissionDenied(SesError):
    """The actor may know the resource exists but may not do this to it."""

    kind = ErrorKind.DENIED
    default_reason = "permission_denied"


class Unauthenticated(SesError):
    """No valid credentials: missing, expired or forged token, wrong password or code."""

    kind = ErrorKind.UNAUTHENTICATED
    default_reason = "unauthenticated"


class NotFound(SesError):
    """The resource does not exist, or the actor must not learn that it does."""

    kind = ErrorKind.NOT_FOUND
    default_reason = "not_found"


class AlreadyExists(SesError):
    """Creating something that already exists (same key)."""

    kind = ErrorKind.ALREADY_EXISTS
    default_reason = "already_exists"


class LimitExceeded(SesError):
    """A quota or rate was exhausted (lockout after failed sign-ins, throttling)."""

    kind = ErrorKind.EXHAUSTED
    default_reason = "limit_exceeded"


class Unavailable(SesError):
    """The system cannot take the request now (maintenance window, broker down).

    A retry is expected to help after ``retry_after`` (one second unless said);
    pass ``retry_after=None`` when waiting will not help.
    """

    kind = ErrorKind.UNAVAILABLE
    default_reason = "unavailable"

    def __init__(
        self,
        message: str,
        *,
        retry_after: timedelta | None = DEFAULT_RETRY_AFTER,
        **options: Any,
    ) -> None:
        super().__init__(message, retry_after=retry_after, **options)


__all__ = [
    "MAX_MESSAGE_BYTES",
    "AlreadyExists",
    "ErrorKind",
    "InvalidTransition",
    "LimitExceeded",
    "NotFound",
    "PermissionDenied",
    "PreconditionFailed",
    "SesError",
    "Unauthenticated",
    "Unavailable",
    "UploadRejected",
    "ValidationFailed",
    "capped",
    "quote",
]
