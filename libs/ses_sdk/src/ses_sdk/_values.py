"""Python values for the contract's value messages, and the conversions the generated
client uses.

* ``google.protobuf.Timestamp`` is an aware ``datetime`` in UTC (a naive one is refused:
  it names no instant);
* ``ses.common.v1.Date`` is a ``datetime.date`` (a calendar date of the US Eastern business
  calendar, not an instant);
* ``ses.common.v1.Money`` is :class:`Money`, an exact ``Decimal`` amount and its currency;
* ``google.protobuf.FieldMask`` is a tuple of field paths;
* an enum value this SDK does not know (sent by a newer server) reads as the enum's
  ``UNSPECIFIED`` member rather than failing the whole response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from google.protobuf import timestamp_pb2

from ses.common.v1 import common_pb2

E = TypeVar("E", bound=Enum)

_NANOS = Decimal(1_000_000_000)


@dataclass(frozen=True, kw_only=True)
class Money:
    """An amount of money: ``Money(amount=Decimal("1250.50"))`` (US dollars by default).

    Exact to the nano unit (nine decimal places), as ``ses.common.v1.Money`` carries it.
    """

    amount: Decimal
    currency_code: str = "USD"

    def to_proto(self) -> common_pb2.Money:
        amount = Decimal(self.amount)
        units = int(amount)  # towards zero, so units and nanos share the sign
        nanos = (amount - units) * _NANOS
        if nanos != nanos.to_integral_value():
            raise ValueError(f"{amount} has more than nine decimal places; round it first.")
        return common_pb2.Money(currency_code=self.currency_code, units=units, nanos=int(nanos))

    @classmethod
    def from_proto(cls, message: common_pb2.Money) -> Money:
        amount = Decimal(message.units) + Decimal(message.nanos) / _NANOS
        return cls(amount=amount, currency_code=message.currency_code)


def enum_of(kind: type[E], number: int) -> E:
    """The member of ``kind`` numbered ``number``; ``UNSPECIFIED`` when unknown."""
    try:
        return kind(number)
    except ValueError:
        return kind(0)


def datetime_of(message: timestamp_pb2.Timestamp) -> datetime:
    return message.ToDatetime(tzinfo=UTC)


def timestamp_of(value: datetime) -> timestamp_pb2.Timestamp:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"Give a timezone-aware datetime, not the naive {value.isoformat()} "
            "(e.g. datetime.now(UTC))."
        )
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(value)
    return message


def date_of(message: common_pb2.Date) -> date | None:
    """The date, or None for the all-zero value (no date)."""
    if not message.year:
        return None
    return date(message.year, message.month, message.day)


def date_message(value: date) -> common_pb2.Date:
    if isinstance(value, datetime):
        raise ValueError(f"Give a calendar date (datetime.date), not the instant {value}.")
    return common_pb2.Date(year=value.year, month=value.month, day=value.day)
