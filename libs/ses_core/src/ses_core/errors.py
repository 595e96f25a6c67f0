"""Domain errors.

Every error carries a machine-readable ``reason`` (snake_case, stable, safe to
branch on) and a ``message``: one sentence a person can act on. ``kind`` says
which family the error belongs to; the gRPC kit maps kinds to status codes, so
the domain never imports a transport.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


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

    def __init__(self, message: str, *, reason: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
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
    ) -> None:
        allowed_text = ", ".join(sorted(allowed)) if allowed else "nothing (final state)"
        text = message or (
            f"Cannot {action.lower().replace('_', ' ')} a {machine} that is "
            f"{state.lower().replace('_', ' ')}; allowed from this state: {allowed_text}."
        )
        super().__init__(text, reason=reason)
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
    """The system cannot take the request now (maintenance window, broker down)."""

    kind = ErrorKind.UNAVAILABLE
    default_reason = "unavailable"


__all__ = [
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
]
