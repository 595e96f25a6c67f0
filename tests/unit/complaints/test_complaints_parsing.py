"""Requests → checked values: every client mistake becomes a sentence naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as pb
from ses_complaints import parsing
from ses_core.calendar import OperatingCalendar
from ses_core.errors import ValidationFailed
from ses_core.lifecycle import CloseReason


@pytest.mark.parametrize(
    ("units", "nanos", "expected"),
    [(1250, 500_000_000, Decimal("1250.5")), (0, 10_000_000, Decimal("0.01")), (7, 0, Decimal(7))],
)
def test_money_becomes_an_exact_decimal(units: int, nanos: int, expected: Decimal) -> None:
    assert parsing.money(common.Money(currency_code="USD", units=units, nanos=nanos)) == expected


@pytest.mark.parametrize(
    ("money", "reason"),
    [
        (common.Money(currency_code="EUR", units=1), "currency_unsupported"),
        (common.Money(units=1, nanos=-5), "money_invalid"),
        (common.Money(units=1, nanos=1_000_000_000), "money_invalid"),
    ],
)
def test_bad_money_is_refused(money: common.Money, reason: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        parsing.money(money)
    assert error.value.reason == reason


def test_calendar_dates_are_checked() -> None:
    request = pb.ExtendDueDateRequest(new_due_date=common.Date(year=2026, month=2, day=29))
    with pytest.raises(ValidationFailed) as error:
        parsing.calendar_date(request, "new_due_date")
    assert "2026-02-29 is not a calendar date" in error.value.message
    assert parsing.calendar_date(pb.ExtendDueDateRequest(), "new_due_date") is None
    with pytest.raises(ValidationFailed):
        parsing.calendar_date(pb.ExtendDueDateRequest(), "new_due_date", required_=True)


def test_update_masks_name_what_changes() -> None:
    details = pb.ComplaintDetails(
        complainant=pb.Complainant(given_name="Ann", phone=""), categories=["a", "b"]
    )
    changes = parsing.detail_changes(
        details, FieldMask(paths=["complainant.given_name", "complainant.phone", "categories"])
    )
    assert changes.complainant_parts == {"first_name": "Ann", "phone": None}
    assert changes.values == {"internal_categories": ["a", "b"]}
    with pytest.raises(ValidationFailed) as error:
        parsing.detail_changes(details, FieldMask(paths=["agency_id"]))
    assert "agency_id" in error.value.message
    assert "description" in error.value.message


def test_enumerations_are_checked() -> None:
    assert parsing.close_reason(pb.CLOSE_REASON_REFERRED_TO_INVESTIGATION) is (
        CloseReason.REFERRED_FOR_INVESTIGATION
    )
    with pytest.raises(ValidationFailed) as missing:
        parsing.close_reason(pb.CLOSE_REASON_UNSPECIFIED)
    assert (missing.value.reason, missing.value.field) == ("close_reason_required", "reason")
    with pytest.raises(ValidationFailed):
        parsing.close_reason(99)
    assert parsing.complaint_statuses([pb.COMPLAINT_STATUS_OPEN, pb.COMPLAINT_STATUS_OPEN]) == (
        "OPEN",
    )
    with pytest.raises(ValidationFailed):
        parsing.complaint_statuses([pb.COMPLAINT_STATUS_UNSPECIFIED])
    with pytest.raises(ValidationFailed):
        parsing.referral_decision(pb.REFERRAL_DECISION_UNSPECIFIED)
    with pytest.raises(ValidationFailed):
        parsing.grant_action(5)


def test_declared_attachments_need_a_name_to_count_as_declared() -> None:
    refs = parsing.file_refs(
        ["f1"],
        [
            pb.AttachedFile(file_id="f2", file_name="b.pdf", size_bytes=3, attach_grant_token="t"),
            pb.AttachedFile(file_id="f3", size_bytes=3),
        ],
    )
    assert [(r.file_id, r.name, r.size_bytes) for r in refs] == [
        ("f1", None, None),
        ("f2", "b.pdf", 3),
        ("f3", None, None),
    ]
    with pytest.raises(ValidationFailed):
        parsing.file_refs([], [pb.AttachedFile(file_id="f", file_name="a", size_bytes=-1)])


def test_due_within_business_days_is_bounded() -> None:
    calendar, wednesday = OperatingCalendar(), date(2026, 11, 25)
    filters = parsing.list_filters(
        pb.ListComplaintsRequest(due_within_business_days=1), (), calendar, wednesday
    )
    assert filters.due_by == date(2026, 11, 27)  # Thanksgiving (26th) is not a business day
    with pytest.raises(ValidationFailed):
        parsing.list_filters(
            pb.ListComplaintsRequest(due_within_business_days=1000), (), calendar, wednesday
        )
