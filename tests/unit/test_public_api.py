"""Pins ses_core's public surface: the names DESIGN §2/§3 promise, with their signatures.

A change here is a change to what integrators and the four services import; it
must be deliberate, so this test has to be edited alongside it.
"""

from __future__ import annotations

import inspect
from datetime import date, datetime

import pytest

import ses_core
from ses_core import calendar, errors, uploads

EXPORTED = {
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
}


def test_the_package_exports_exactly_the_pinned_names() -> None:
    assert set(ses_core.__all__) == EXPORTED
    for name in EXPORTED:
        assert getattr(ses_core, name) is not None


def _parameters(function: object) -> list[tuple[str, object]]:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    return [(p.name, p.default) for p in signature.parameters.values() if p.name != "self"]


def test_upload_policy_api_matches_design_section_2() -> None:
    policy = uploads.UploadPolicy()
    assert _parameters(policy.check_batch) == [
        ("files", inspect.Parameter.empty),
        ("kind", uploads.AttachmentKind.RESPONSE),
    ]
    assert _parameters(policy.check_filename) == [("name", inspect.Parameter.empty)]
    assert _parameters(policy.check_response_text) == [("text", inspect.Parameter.empty)]
    assert _parameters(policy.check_link) == [("url", inspect.Parameter.empty)]
    spec = uploads.FileSpec(name="report.pdf", size=10)
    assert (spec.name, spec.size) == ("report.pdf", 10)
    assert {kind.name for kind in uploads.AttachmentKind} >= {"RESPONSE", "INTERACTION"}


@pytest.mark.parametrize(
    ("method", "returns"),
    [
        ("check_batch", None),
        ("check_filename", None),
        ("check_response_text", None),
        ("check_link", None),
    ],
)
def test_upload_checks_return_none_on_valid_input(method: str, returns: None) -> None:
    policy = uploads.UploadPolicy()
    valid_argument: dict[str, object] = {
        "check_batch": [uploads.FileSpec(name="a.pdf", size=1)],
        "check_filename": "a.pdf",
        "check_response_text": "We refunded the fee.",
        "check_link": "https://files.example.com/share/abc",
    }
    assert getattr(policy, method)(valid_argument[method]) is returns


def test_upload_errors_derive_from_ses_error() -> None:
    assert issubclass(errors.UploadRejected, errors.SesError)
    assert issubclass(errors.ValidationFailed, errors.SesError)


def test_calendar_api_matches_design_section_3() -> None:
    cal = calendar.OperatingCalendar()
    assert {level.name for level in calendar.AccessLevel} == {"FULL", "LIMITED"}
    assert _parameters(cal.access_level) == [("at", inspect.Parameter.empty)]
    assert _parameters(cal.next_change) == [("at", inspect.Parameter.empty)]
    assert _parameters(cal.is_holiday) == [("d", inspect.Parameter.empty)]
    assert _parameters(cal.is_business_day) == [("d", inspect.Parameter.empty)]
    assert _parameters(cal.add_business_days) == [
        ("d", inspect.Parameter.empty),
        ("n", inspect.Parameter.empty),
    ]
    assert isinstance(cal.add_business_days(date(2026, 11, 25), 1), date)
    with pytest.raises(ValueError, match=r"aware|timezone|naive"):
        cal.access_level(datetime(2026, 11, 27, 10, 0))


def test_domain_errors_named_by_design_exist_with_reason_and_message() -> None:
    for name in ("InvalidTransition", "PermissionDenied", "UploadRejected", "ValidationFailed"):
        assert issubclass(getattr(errors, name), errors.SesError)
    error = errors.NotFound("There is no complaint CMP-1 in your agency.", reason="not_found")
    assert (error.reason, error.message) == (
        "not_found",
        "There is no complaint CMP-1 in your agency.",
    )
