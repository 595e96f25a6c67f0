"""A notice: what one event (or the scheduler) has to tell, before it is addressed and rendered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ses_core.notifications import AudienceFacts, Topic


@dataclass(frozen=True)
class Origin:
    """What caused a notice: an event (or a scheduler decision with a derived id)."""

    event_id: str
    subject: str
    tenant_id: str


@dataclass(frozen=True)
class Notice:
    topic: Topic
    facts: dict[str, Any]
    audience: AudienceFacts
    complaint_id: str = ""
    information_request_id: str = ""
    restricted_response: bool = False
    # Carries a bearer secret (an activation link): e-mail only, never webhooks or the
    # inbox, and the stored copy is scrubbed once the e-mail is accepted.
    secret: bool = False
    # The event the deliveries are keyed by when it is not the one being handled: a notice
    # deferred from an earlier event (an IR sent before the company finished enrollment).
    origin: Origin | None = None


def plain(value: Any) -> Any:
    """A JSON-friendly copy of a fact (dates as ISO strings, decimals as text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def facts(**values: Any) -> dict[str, Any]:
    """Facts without empty values, JSON-friendly."""
    return {name: plain(value) for name, value in values.items() if value not in (None, "", ())}
