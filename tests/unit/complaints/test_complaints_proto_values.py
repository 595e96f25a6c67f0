"""Conversions shared by the complaints mappers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from ses_complaints.proto_values import timestamp

OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


def _reference(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=OFFSETS)
)
def test_timestamp_is_the_value_protobuf_computes(at: datetime) -> None:
    assert timestamp(at) == _reference(at)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)))
def test_a_naive_datetime_is_read_as_utc_as_protobuf_reads_it(at: datetime) -> None:
    assert timestamp(at) == _reference(at.replace(tzinfo=UTC))
    assert timestamp(at) == _reference(at)


def test_no_datetime_is_no_timestamp() -> None:
    assert timestamp(None) is None
