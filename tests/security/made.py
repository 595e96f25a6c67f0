"""What a state of the security suites' world consists of: the ids of what was made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ses.common.v1 import common_pb2 as common
from ses_core.identity import Identity


@dataclass(frozen=True)
class Made:
    """The ids one state consists of (empty where the state has no such thing), and the
    people whose role it binds (``people``: role → identity, for a fresh company's user)."""

    complaint_id: str = ""
    ir_id: str = ""
    note_id: str = ""
    file_id: str = ""
    company_id: str = ""
    user_id: str = ""
    upload_id: str = ""
    webhook_endpoint_id: str = ""
    signing_secret_id: str = ""
    data: bytes = b""
    people: Mapping[str, Identity] = field(default_factory=dict)


def date_pb(day: date) -> common.Date:
    return common.Date(year=day.year, month=day.month, day=day.day)
