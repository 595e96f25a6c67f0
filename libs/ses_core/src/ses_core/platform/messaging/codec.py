"""Event codecs: a domain event to the bytes of a message, and back.

* :class:`ProtobufEventCodec` is the wire format (DESIGN §6): the event class ``X`` with
  ``context = "c"`` is the message ``ses.c.v1.events_pb2.X`` generated from
  ``protos/ses/c/v1/events.proto``. Encoding goes through the event's JSON form and
  ``json_format.ParseDict`` with unknown fields refused, so a field the proto lacks fails
  the command's commit instead of vanishing on the wire.
* :class:`JsonEventCodec` is the pydantic JSON form: for tests and tools.

The content type travels in the ``content-type`` header so a consumer can tell which
codec produced a message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol, TypeVar

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from pydantic import ValidationError

from ses_core.events import DomainEvent

EventT = TypeVar("EventT", bound=DomainEvent)

MessageResolver = Callable[[type[DomainEvent]], type[Message]]


class EventDecodeError(ValueError):
    """A message's bytes are not a valid instance of the expected event."""


class EventCodec(Protocol):
    @property
    def content_type(self) -> str: ...

    def encode(self, event: DomainEvent) -> bytes: ...

    def decode(self, event_type: type[EventT], data: bytes) -> EventT:
        """Rebuild an event; raises :class:`EventDecodeError` when the bytes do not fit."""
        ...


class JsonEventCodec:
    content_type = "application/json"

    def encode(self, event: DomainEvent) -> bytes:
        return event.model_dump_json().encode()

    def decode(self, event_type: type[EventT], data: bytes) -> EventT:
        try:
            return event_type.model_validate_json(data)
        except ValidationError as error:
            raise EventDecodeError(
                f"The message is not a valid {event_type.__name__}: {error}"
            ) from error


def generated_message_type(event_type: type[DomainEvent]) -> type[Message]:
    """``ses.<context>.v1.events_pb2.<EventName>``, the message generated for ``event_type``."""
    module_name = f"ses.{event_type.context}.v1.events_pb2"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise LookupError(
            f"No generated protobuf module {module_name} for {event_type.__name__}; run "
            "`make stubs` (scripts/gen_protos.py) and check protos/ses/"
            f"{event_type.context}/v1/events.proto exists."
        ) from error
    message_type = getattr(module, event_type.__name__, None)
    if not (isinstance(message_type, type) and issubclass(message_type, Message)):
        raise LookupError(
            f"{module_name} has no message {event_type.__name__}; declare it in "
            f"protos/ses/{event_type.context}/v1/events.proto."
        )
    return message_type


class ProtobufEventCodec:
    content_type = "application/protobuf"

    def __init__(self, resolve: MessageResolver = generated_message_type) -> None:
        self._resolve = resolve
        self._cache: dict[type[DomainEvent], type[Message]] = {}

    def message_type(self, event_type: type[DomainEvent]) -> type[Message]:
        found = self._cache.get(event_type)
        if found is None:
            found = self._cache[event_type] = self._resolve(event_type)
        return found

    def encode(self, event: DomainEvent) -> bytes:
        message = self.message_type(type(event))()
        try:
            json_format.ParseDict(event.model_dump(mode="json"), message)
        except json_format.ParseError as error:
            raise ValueError(
                f"{type(event).__name__} does not fit its protobuf message "
                f"{message.DESCRIPTOR.full_name}: {error}"
            ) from error
        return message.SerializeToString(deterministic=True)

    def decode(self, event_type: type[EventT], data: bytes) -> EventT:
        message = self.message_type(event_type)()
        try:
            message.ParseFromString(data)
            as_dict = json_format.MessageToDict(
                message,
                preserving_proto_field_name=True,
                always_print_fields_with_no_presence=True,
            )
            # A newer producer may know fields this consumer's event class does not: drop them
            # so that adding a field to an event never breaks older consumers.
            known = {key: value for key, value in as_dict.items() if key in event_type.model_fields}
            return event_type.model_validate(known)
        except (DecodeError, ValidationError) as error:
            raise EventDecodeError(
                f"The message is not a valid {event_type.__name__}: {error}"
            ) from error
