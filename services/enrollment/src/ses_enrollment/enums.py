"""Domain enumerations ⇄ their proto enums (``ses.enrollment.v1``, ``ses.common.v1``).

Proto enum values are ``<PREFIX>_<DOMAIN VALUE IN CAPITALS>`` except for the agency
roles, whose proto names differ. ``*_UNSPECIFIED`` maps to ``None``; a number the proto
does not define is refused with ``ValidationFailed`` (a newer client, or a typo).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar, cast

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.accounts import (
    CompanyContactType,
    CompanyKind,
    CompanySource,
    OutstandingTaskKind,
    UserStatus,
)
from ses_core.errors import ValidationFailed
from ses_core.identity import AgencyRole, ComplaintsPermission
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_enrollment.views import EnrollmentStep

E = TypeVar("E", bound=StrEnum)

_AGENCY_ROLE_NAMES = {
    AgencyRole.COMPLAINT_SUPERVISOR: "AGENCY_ROLE_COMPLAINT_SUPERVISOR",
    AgencyRole.COMPLAINT_MANAGER: "AGENCY_ROLE_COMPLAINT_MANAGER",
    AgencyRole.COMPLAINT_VIEWER: "AGENCY_ROLE_COMPLAINT_VIEWER",
    AgencyRole.AGENCY_ACCOUNT_ADMIN: "AGENCY_ROLE_ACCOUNT_ADMINISTRATOR",
}

# domain enum → (proto enum wrapper, prefix, field name for messages)
_PROTO: dict[type[StrEnum], tuple[Any, str, str]] = {
    CompanyKind: (pb.CompanyKind, "COMPANY_KIND_", "kind"),
    EnrollmentStatus: (pb.EnrollmentStatus, "ENROLLMENT_STATUS_", "enrollment_status"),
    EnrollmentStep: (pb.EnrollmentStep, "ENROLLMENT_STEP_", "step"),
    UserStatus: (pb.UserStatus, "USER_STATUS_", "status"),
    OutstandingTaskKind: (pb.OutstandingTaskKind, "OUTSTANDING_TASK_KIND_", "kind"),
    CompanySource: (pb.CompanySource, "COMPANY_SOURCE_", "source"),
    ComplaintsPermission: (
        common_pb2.CompanyComplaintsPermission,
        "COMPANY_COMPLAINTS_PERMISSION_",
        "complaints_permission",
    ),
    CompanyContactType: (common_pb2.CompanyContactType, "COMPANY_CONTACT_TYPE_", "contact_type"),
}


def to_proto(value: StrEnum) -> Any:
    """The proto enum number of a domain value (typed ``Any``: each proto enum is its own type)."""
    if isinstance(value, AgencyRole):
        return common_pb2.AgencyRole.Value(_AGENCY_ROLE_NAMES[value])
    wrapper, prefix, _ = _PROTO[type(value)]
    return wrapper.Value(prefix + value.value.upper())


def from_proto(enum_type: type[E], number: int) -> E | None:
    """The domain value of a proto enum number; None for UNSPECIFIED."""
    names: dict[str, StrEnum]
    wrapper: Any
    if enum_type is AgencyRole:
        wrapper, field = common_pb2.AgencyRole, "role"
        names = {name: role for role, name in _AGENCY_ROLE_NAMES.items()}
    else:
        wrapper, prefix, field = _PROTO[enum_type]
        names = {prefix + member.value.upper(): member for member in enum_type}
    try:
        name = wrapper.Name(number)
    except ValueError:
        raise ValidationFailed(
            f"{number} is not a {field} this service knows; use one of {', '.join(sorted(names))}.",
            reason=f"{field}_unknown",
        ) from None
    if name.endswith("_UNSPECIFIED"):
        return None
    return cast(E, names[name])
