"""Shared constants of the aggregate tests (a module name no other test folder uses).

pytest puts this folder on ``sys.path``, so the tests import it by name; mypy's
search path does not include it, hence the ``type: ignore`` on those imports.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

# 10:00 in New York on Thursday 1 May 2025.
NOW = datetime(2025, 5, 1, 14, 0, tzinfo=UTC)
DUE = date(2025, 5, 15)
AGENCY = "agency-ny"
COMPANY = "company-42"
MANAGER = "manager-1"
REFERENCE = "NY-2025-000042"
POC = "poc-1"
