"""Time values are aware UTC everywhere: the column type and the clocks refuse naive ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from ses_core.platform.db import UtcDateTime
from ses_core.ports import FixedClock, SystemClock

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_stored_values_are_utc_and_sqlite_gets_them_without_offset():
    column = UtcDateTime()
    local = datetime(2030, 6, 1, 12, 0, tzinfo=PARIS_SUMMER)

    assert column.process_bind_param(local, sqlite.dialect()) == datetime(2030, 6, 1, 10, 0)
    assert column.process_bind_param(local, postgresql.dialect()) == datetime(
        2030, 6, 1, 10, 0, tzinfo=UTC
    )


def test_loaded_values_are_always_aware_utc():
    column = UtcDateTime()
    loaded = column.process_result_value(datetime(2030, 6, 1, 10, 0), sqlite.dialect())
    assert loaded == datetime(2030, 6, 1, 10, 0, tzinfo=UTC)
    assert loaded.tzinfo is UTC


def test_a_naive_datetime_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2030, 6, 1), sqlite.dialect())
    with pytest.raises(ValueError, match="timezone-aware"):
        FixedClock(datetime(2030, 6, 1))


def test_the_fixed_clock_moves_only_when_told():
    clock = FixedClock(datetime(2030, 6, 1, 12, 0, tzinfo=PARIS_SUMMER))
    assert clock.now() == datetime(2030, 6, 1, 10, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.advance(timedelta(hours=1)) == datetime(2030, 6, 1, 11, 0, tzinfo=UTC)
    clock.set(datetime(2031, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2031, 1, 1, tzinfo=UTC)


def test_the_system_clock_is_aware_utc():
    assert SystemClock().now().tzinfo is UTC
