"""The three state machines of DESIGN §5, each one declared transition table."""

from ses_core.lifecycle._machine import StateMachine, Transition
from ses_core.lifecycle._time import EASTERN, eastern_today, is_future_date, require_aware
from ses_core.lifecycle.complaint import (
    COMPLAINT_MACHINE,
    CloseReason,
    ComplaintAction,
    ComplaintContext,
    ComplaintStatus,
)
from ses_core.lifecycle.enrollment import (
    ENROLLMENT_MACHINE,
    EnrollmentAction,
    EnrollmentContext,
    EnrollmentStatus,
)
from ses_core.lifecycle.information_request import (
    DEFAULT_DUE_BUSINESS_DAYS,
    INFORMATION_REQUEST_MACHINE,
    InformationRequestAction,
    InformationRequestContext,
    InformationRequestStatus,
    default_due_date,
)

__all__ = [
    "COMPLAINT_MACHINE",
    "DEFAULT_DUE_BUSINESS_DAYS",
    "EASTERN",
    "ENROLLMENT_MACHINE",
    "INFORMATION_REQUEST_MACHINE",
    "CloseReason",
    "ComplaintAction",
    "ComplaintContext",
    "ComplaintStatus",
    "EnrollmentAction",
    "EnrollmentContext",
    "EnrollmentStatus",
    "InformationRequestAction",
    "InformationRequestContext",
    "InformationRequestStatus",
    "StateMachine",
    "Transition",
    "default_due_date",
    "eastern_today",
    "is_future_date",
    "require_aware",
]
