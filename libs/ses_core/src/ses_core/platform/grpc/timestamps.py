"""A request's ``google.protobuf.Timestamp`` as an instant, refused as the client's mistake.

A Timestamp on the wire may hold what protobuf cannot turn into a ``datetime`` (nanos
outside 0–999,999,999, seconds outside the years 1–9999): that is INVALID_ARGUMENT
naming the field, never INTERNAL. Imported by path (``ses_core.platform.grpc.timestamps``)
by every service that reads a Timestamp from a request.
"""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from ses_core.errors import ValidationFailed


def instant(stamp: Timestamp, present: bool, field: str) -> datetime | None:
    """The instant a request's Timestamp names (None if absent); one protobuf cannot
    represent is INVALID_ARGUMENT naming ``field``."""
    if not present:
        return None
    try:
        return stamp.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise ValidationFailed(
            f"{field} is not a valid timestamp: its seconds must fall in the years 1 to 9999 "
            "and its nanos between 0 and 999,999,999.",
            reason="timestamp_invalid",
            field=field,
        ) from None
