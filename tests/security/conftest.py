"""The security suites (issue 15): the whole authorization matrix, restricted content that
must never reach a company, and fuzzing of every RPC. Each module starts its own host.

The run's summary says how many matrix cases were checked (RPC × state × role).
"""

from __future__ import annotations

import pytest
from expectations import MATRIX_CASES_CHECKED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if MATRIX_CASES_CHECKED:
        terminalreporter.write_line(
            f"authorization matrix: {sum(MATRIX_CASES_CHECKED):,} cases checked "
            f"(RPC × state × role, {len(MATRIX_CASES_CHECKED)} RPCs)"
        )
