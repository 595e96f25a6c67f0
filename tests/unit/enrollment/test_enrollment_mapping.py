"""Domain enumerations ⇄ proto enums, and the steps an enrollment still misses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.accounts import (
    CompanyAccount,
    CompanyContactType,
    CompanyKind,
    CompanySource,
    OutstandingTaskKind,
    UserStatus,
)
from ses_core.errors import ValidationFailed
from ses_core.identity import AgencyRole, ComplaintsPermission
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_core.models import CompanyEnrollment
from ses_enrollment.enums import from_proto, to_proto
from ses_enrollment.views import EnrollmentStep, EnrollmentView

ENUMS: list[type[StrEnum]] = [
    AgencyRole,
    ComplaintsPermission,
    CompanyKind,
    CompanySource,
    CompanyContactType,
    EnrollmentStatus,
    EnrollmentStep,
    OutstandingTaskKind,
    UserStatus,
]
NOW = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize("enum_type", ENUMS, ids=lambda e: e.__name__)
def test_every_domain_value_has_a_proto_value_and_back(enum_type: type[StrEnum]) -> None:
    for member in enum_type:
        number = to_proto(member)
        assert number != 0
        assert from_proto(enum_type, number) is member


@pytest.mark.parametrize("enum_type", ENUMS, ids=lambda e: e.__name__)
def test_unspecified_is_none_and_unknown_numbers_are_refused(enum_type: type[StrEnum]) -> None:
    assert from_proto(enum_type, 0) is None
    with pytest.raises(ValidationFailed) as refused:
        from_proto(enum_type, 999)
    assert "999" in refused.value.message


def test_agency_roles_use_the_proto_names() -> None:
    assert to_proto(AgencyRole.AGENCY_ACCOUNT_ADMIN) == common_pb2.AGENCY_ROLE_ACCOUNT_ADMINISTRATOR
    assert to_proto(CompanyKind.UNREGISTERED) == pb.COMPANY_KIND_UNREGISTERED


def _invited() -> CompanyEnrollment:
    enrollment = CompanyEnrollment.for_company("SES-000001")
    enrollment.initiate(
        agency_id="ag",
        invited_user_id="u-1",
        token_hash="h",
        expires_at=NOW + timedelta(days=14),
        now=NOW,
        by="m",
    )
    return enrollment


def test_missing_steps_follow_the_first_users_progress() -> None:
    assert EnrollmentView("SES-000001", None, None).missing_steps == []
    invited = _invited()
    account = CompanyAccount.open("SES-000001")
    assert EnrollmentView("SES-000001", invited, account).missing_steps == [
        EnrollmentStep.ACTIVATE_ACCOUNT,
        EnrollmentStep.ASSIGN_SES_COMPLAINTS_CONTACT,
        EnrollmentStep.CONFIRM_COMPANY,
    ]
    invited.activate("h", NOW)
    account.complaints_contact_id = "u-1"
    assert EnrollmentView("SES-000001", invited, account).missing_steps == [
        EnrollmentStep.CONFIRM_COMPANY
    ]
