"""The Python values of the contract's value messages, and where the client resolves
addresses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ses.common.v1 import common_pb2
from ses_sdk import Money
from ses_sdk._targets import targets_by_context
from ses_sdk._values import date_message, date_of, enum_of, timestamp_of
from ses_sdk.common import AttachmentKind

# Amounts exact to the nano unit, within int64 units: no rounding can happen.
AMOUNTS = st.decimals(
    min_value=Decimal(-(10**15)), max_value=Decimal(10**15), places=9, allow_nan=False
)


@given(AMOUNTS)
def test_money_survives_the_proto_exactly(amount: Decimal) -> None:
    money = Money(amount=amount)
    message = money.to_proto()
    assert (message.units >= 0 and message.nanos >= 0) or (
        message.units <= 0 and message.nanos <= 0
    )
    assert Money.from_proto(message).amount == amount


def test_money_with_more_than_nine_decimals_is_refused() -> None:
    with pytest.raises(ValueError, match="nine decimal places"):
        Money(amount=Decimal("0.0000000001")).to_proto()


def test_an_unknown_enum_number_reads_as_unspecified() -> None:
    assert enum_of(AttachmentKind, 2) is AttachmentKind.INFORMATION_REQUEST
    assert enum_of(AttachmentKind, 99) is AttachmentKind.UNSPECIFIED


def test_timestamps_are_aware_and_dates_are_calendar_dates() -> None:
    at = datetime(2031, 3, 3, 14, 5, 6, 123456, tzinfo=UTC)
    assert timestamp_of(at).ToDatetime(tzinfo=UTC) == at
    with pytest.raises(ValueError, match="timezone-aware"):
        timestamp_of(datetime(2031, 3, 3))
    assert date_of(date_message(date(2031, 3, 3))) == date(2031, 3, 3)
    assert date_of(common_pb2.Date()) is None
    with pytest.raises(ValueError, match="calendar date"):
        date_message(at)


def test_one_address_serves_every_context_unless_one_is_named() -> None:
    contexts = ("complaints", "enrollment", "files", "notify")
    assert set(targets_by_context("gw:443", None, contexts).values()) == {"gw:443"}
    split = targets_by_context("gw:443", {"files": "files:443"}, contexts)
    assert split == {
        "complaints": "gw:443",
        "enrollment": "gw:443",
        "files": "files:443",
        "notify": "gw:443",
    }
    with pytest.raises(ValueError, match="No address"):
        targets_by_context(None, {"files": "files:443"}, contexts)
    with pytest.raises(ValueError, match="unknown contexts"):
        targets_by_context("gw:443", {"auth": "a:1"}, contexts)
