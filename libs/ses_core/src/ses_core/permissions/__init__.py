"""Roles and permissions (DESIGN §4): the matrix as data and one decision function.

    decision = authorize(actor, Action.SUBMIT_RESPONSE, resource)
    require(actor, Action.SUBMIT_RESPONSE, resource)  # raises NotFound / PermissionDenied
    require_capable(actor, Action.UPLOAD_FILE)  # before there is a resource: ever allowed?

Deny by default: an action without a row, a side without requirements, or any
failed requirement is denied. Scope comes first: other agencies' complaints
(unless granted or referred), other companies' data and other users' personal
resources are denied with ``hide_existence`` so that services answer NOT_FOUND.

The matrix lives in ``_matrix.PERMISSIONS`` (one row per ``Action``), its
building blocks in ``_requirements``; the choices made where the spec is silent
are recorded in those modules' docstrings.
"""

from ses_core.permissions._actions import Action
from ses_core.permissions._decision import (
    HIDDEN,
    Decision,
    allowed_actions,
    authorize,
    capable,
    decide,
    not_found_for,
    permits,
    refusal,
    require,
    require_capable,
)
from ses_core.permissions._fields import (
    AGENCY_ONLY_FIELDS,
    COMPANY_ONLY_FIELDS,
    COMPLAINANT_FIELD_PREFIX,
    agency_only_fields,
    complaint_reaches_company,
    visible_fields,
)
from ses_core.permissions._matrix import PERMISSIONS, Grant
from ses_core.permissions._requirements import Requirement
from ses_core.permissions._resource import Resource, ResourceKind

__all__ = [
    "AGENCY_ONLY_FIELDS",
    "COMPANY_ONLY_FIELDS",
    "COMPLAINANT_FIELD_PREFIX",
    "HIDDEN",
    "PERMISSIONS",
    "Action",
    "Decision",
    "Grant",
    "Requirement",
    "Resource",
    "ResourceKind",
    "agency_only_fields",
    "allowed_actions",
    "authorize",
    "capable",
    "complaint_reaches_company",
    "decide",
    "not_found_for",
    "permits",
    "refusal",
    "require",
    "require_capable",
    "visible_fields",
]
