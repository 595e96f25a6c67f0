"""Fixtures for the notify tests: a real SMTP server per test, the database parameter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from notify_support import SmtpSink


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()
