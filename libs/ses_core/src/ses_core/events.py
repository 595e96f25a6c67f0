"""Domain events: facts, named in the past tense, raised by aggregates.

An event is a frozen pydantic model. ``event_id`` is globally unique and becomes
the ``Nats-Msg-Id`` of the published message, which is what makes the outbox
relay's retries and the consumers' redeliveries idempotent. ``subject`` follows
``ses.<context>.v1.<event_name>`` (DESIGN §6).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def event_subject(context: str, event_class_name: str) -> str:
    """``ses.<context>.v1.<event_name>``: the NATS subject of the event class so named.

    One rule for the relay (through :meth:`DomainEvent.subject`) and for the AsyncAPI
    document of ``events.proto`` (``scripts/gen_asyncapi.py``), whose messages are named as
    the event classes.
    """
    return f"ses.{context}.v1.{_snake(event_class_name)}"


def new_event_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class DomainEvent(BaseModel):
    """Base of every event. Subclasses set ``context`` and add their fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    context: ClassVar[str] = "core"

    event_id: str = Field(default_factory=new_event_id)
    occurred_at: datetime = Field(default_factory=utcnow)
    tenant_id: str = ""

    @classmethod
    def event_name(cls) -> str:
        return _snake(cls.__name__)

    @classmethod
    def subject(cls) -> str:
        return event_subject(cls.context, cls.__name__)

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
