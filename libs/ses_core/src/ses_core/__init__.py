"""SES core: the domain rules every service shares and the server platform kit.

The names exported here are the stable domain surface (pinned by
``tests/unit/test_public_api.py``). Adapters live under ``ses_core.platform``,
test helpers under ``ses_core.testing``; each curates its own exports. The integrators'
SDK is its own distribution (``ses-sdk``, package ``ses_sdk``), which never imports this one.
"""

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
