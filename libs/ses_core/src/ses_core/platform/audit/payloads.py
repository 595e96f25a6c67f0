"""Any event off ``SES_EVENTS`` as a plain dictionary: its proto3 JSON form.

The consumer that keeps the audit log reads every event, whichever class it is, so it
cannot decode with an event class as the services' consumers do. The subject names the
message (``ses.<context>.v1.<event_name>`` is ``<EventName>`` of that context's
``events.proto``); the dictionary uses the proto field names. JSON-encoded events
(``JsonEventCodec``) are read as they are. An event whose message this build does not
know yields only the ``event_id`` of its ``Nats-Msg-Id``: it is still put on file.
"""

from __future__ import annotations

import importlib
import json
from functools import cache
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message

from ses_core.events import event_subject
from ses_core.platform.db.unit_of_work import CONTENT_TYPE_HEADER
from ses_core.platform.messaging import InboundEvent, JsonEventCodec
from ses_core.platform.settings import SERVICES


@cache
def _message_types() -> dict[str, type[Message]]:
    found: dict[str, type[Message]] = {}
    for context in SERVICES:
        try:
            module = importlib.import_module(f"ses.{context}.v1.events_pb2")
        except ModuleNotFoundError:
            continue
        for name in module.DESCRIPTOR.message_types_by_name:
            found[event_subject(context, name)] = getattr(module, name)
    return found


def message_type_for(subject: str) -> type[Message] | None:
    """The generated message an event on ``subject`` is, if this build knows it."""
    return _message_types().get(subject)


def payload_of(event: InboundEvent) -> dict[str, Any]:
    """The event's fields by proto name (``event_id`` at least)."""
    payload: dict[str, Any] = {}
    if event.headers.get(CONTENT_TYPE_HEADER) == JsonEventCodec.content_type:
        try:
            decoded = json.loads(event.data)
        except ValueError:
            decoded = None
        payload = decoded if isinstance(decoded, dict) else {}
    elif (message_type := message_type_for(event.subject)) is not None:
        message = message_type()
        try:
            message.ParseFromString(event.data)
            payload = json_format.MessageToDict(message, preserving_proto_field_name=True)
        except DecodeError:
            payload = {}
    payload.setdefault("event_id", event.event_id)
    return payload
