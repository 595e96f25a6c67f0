"""Pins the public surface of ses_core.calendar named in DESIGN §3."""

from __future__ import annotations

import inspect
from datetime import date, datetime

import ses_core.calendar as calendar_module
from ses_core.calendar import AccessLevel, OperatingCalendar


def test_exported_names() -> None:
    assert sorted(calendar_module.__all__) == [
        "AccessLevel",
        "CalendarPolicy",
        "LISTED_HOLIDAYS",
        "MaintenanceWindow",
        "OperatingCalendar",
        "active_window",
    ]


def test_access_levels() -> None:
    assert {level.name for level in AccessLevel} == {"FULL", "LIMITED"}


def test_the_design_signatures() -> None:
    def parameters(name: str) -> list[tuple[str, object]]:
        signature = inspect.signature(getattr(OperatingCalendar, name), eval_str=True)
        return [(p.name, p.annotation) for p in signature.parameters.values()][1:]

    def returns(name: str) -> object:
        return inspect.signature(getattr(OperatingCalendar, name), eval_str=True).return_annotation

    assert parameters("access_level") == [("at", datetime)]
    assert returns("access_level") is AccessLevel
    assert parameters("next_change") == [("at", datetime)]
    assert returns("next_change") is datetime
    assert parameters("is_holiday") == [("d", date)]
    assert returns("is_holiday") is bool
    assert parameters("is_business_day") == [("d", date)]
    assert returns("is_business_day") is bool
    assert parameters("add_business_days") == [("d", date), ("n", int)]
    assert returns("add_business_days") is date
