"""SES core: the domain rules every service shares and the server platform kit.

The names exported here are the stable domain surface (pinned by
``tests/unit/test_public_api.py``). Adapters live under ``ses_core.platform``,
test helpers under ``ses_core.testing``; each curates its own exports. The integrators'
SDK is its own distribution (``ses-sdk``, package ``ses_sdk``), which never imports this one.

Each name is imported on first use (PEP 562), not with the package: a process that needs
one module of ``ses_core`` (``ses --help``, the workers' supervisor importing
``ses_core.errors``) does not build the events' pydantic models and the permission
tables (0.2 s).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ses_core.calendar import AccessLevel, CalendarPolicy, MaintenanceWindow, OperatingCalendar
    from ses_core.errors import (
        AlreadyExists,
        ErrorKind,
        InvalidTransition,
        LimitExceeded,
        NotFound,
        PermissionDenied,
        PreconditionFailed,
        SesError,
        Unauthenticated,
        Unavailable,
        UploadRejected,
        ValidationFailed,
    )
    from ses_core.events import DomainEvent
    from ses_core.identity import Actor, AgencyRole, ComplaintsPermission, Side
    from ses_core.permissions import Action, Decision, Resource, authorize, require
    from ses_core.uploads import AttachmentKind, FileSpec, UploadPolicy

_LAZY = {
    "AccessLevel": "calendar",
    "CalendarPolicy": "calendar",
    "MaintenanceWindow": "calendar",
    "OperatingCalendar": "calendar",
    "AlreadyExists": "errors",
    "ErrorKind": "errors",
    "InvalidTransition": "errors",
    "LimitExceeded": "errors",
    "NotFound": "errors",
    "PermissionDenied": "errors",
    "PreconditionFailed": "errors",
    "SesError": "errors",
    "Unauthenticated": "errors",
    "Unavailable": "errors",
    "UploadRejected": "errors",
    "ValidationFailed": "errors",
    "DomainEvent": "events",
    "Actor": "identity",
    "AgencyRole": "identity",
    "ComplaintsPermission": "identity",
    "Side": "identity",
    "Action": "permissions",
    "Decision": "permissions",
    "Resource": "permissions",
    "authorize": "permissions",
    "require": "permissions",
    "AttachmentKind": "uploads",
    "FileSpec": "uploads",
    "UploadPolicy": "uploads",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "AccessLevel",
    "Action",
    "Actor",
    "AgencyRole",
    "AlreadyExists",
    "AttachmentKind",
    "CalendarPolicy",
    "ComplaintsPermission",
    "Decision",
    "DomainEvent",
    "ErrorKind",
    "FileSpec",
    "InvalidTransition",
    "LimitExceeded",
    "MaintenanceWindow",
    "NotFound",
    "OperatingCalendar",
    "PermissionDenied",
    "PreconditionFailed",
    "Resource",
    "SesError",
    "Side",
    "Unauthenticated",
    "Unavailable",
    "UploadPolicy",
    "UploadRejected",
    "ValidationFailed",
    "authorize",
    "require",
]
