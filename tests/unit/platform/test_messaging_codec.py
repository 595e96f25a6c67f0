"""Event codecs: JSON and protobuf round trips, and loud failures when an event does not fit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

from ses_core.events import DomainEvent
from ses_core.platform.messaging.codec import (
    EventDecodeError,
    JsonEventCodec,
    ProtobufEventCodec,
    generated_message_type,
)


class Bumped(DomainEvent):
    context: ClassVar[str] = "codectest"

    tally_id: str
    value: int


class Renamed(DomainEvent):
    context: ClassVar[str] = "codectest"

    tally_id: str
    label: str  # the test proto has no such field


class Orphan(DomainEvent):
    context: ClassVar[str] = "nosuchcontext"


def bumped_message_type():
    """``ses.codectest.v1.Bumped`` built at run time, as protoc would generate it."""
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    file = descriptor_pb2.FileDescriptorProto(
        name="ses/codectest/v1/events.proto",
        package="ses.codectest.v1",
        syntax="proto3",
        dependency=["google/protobuf/timestamp.proto"],
    )
    message = file.message_type.add(name="Bumped")
    string, int64, msg = (
        descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
        descriptor_pb2.FieldDescriptorProto.TYPE_INT64,
        descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
    )
    for number, (name, kind) in enumerate(
        [
            ("event_id", string),
            ("occurred_at", msg),
            ("tenant_id", string),
            ("tally_id", string),
            ("value", int64),
        ],
        start=1,
    ):
        field = message.field.add(name=name, number=number, type=kind)
        field.label = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
        if kind == msg:
            field.type_name = ".google.protobuf.Timestamp"
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("ses.codectest.v1.Bumped"))


@pytest.fixture
def protobuf_codec():
    message_type = bumped_message_type()
    return ProtobufEventCodec(resolve=lambda event_type: message_type)


EVENT = Bumped(
    tenant_id="tenant-a",
    tally_id="t-1",
    value=7,
    occurred_at=datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
)


def test_json_codec_round_trips_an_event():
    codec = JsonEventCodec()
    assert codec.decode(Bumped, codec.encode(EVENT)) == EVENT
    assert codec.content_type == "application/json"


def test_json_codec_names_the_event_it_could_not_decode():
    with pytest.raises(EventDecodeError, match="not a valid Bumped"):
        JsonEventCodec().decode(Bumped, b'{"tally_id": 1}')


def test_protobuf_codec_round_trips_an_event_through_its_message(protobuf_codec):
    data = protobuf_codec.encode(EVENT)

    decoded_message = bumped_message_type()()
    decoded_message.ParseFromString(data)
    assert decoded_message.value == 7
    assert decoded_message.occurred_at.ToDatetime(tzinfo=UTC) == EVENT.occurred_at
    assert protobuf_codec.decode(Bumped, data) == EVENT
    assert protobuf_codec.content_type == "application/protobuf"


def test_protobuf_codec_keeps_default_values(protobuf_codec):
    event = Bumped(tally_id="", value=0)
    assert protobuf_codec.decode(Bumped, protobuf_codec.encode(event)) == event


def test_a_field_missing_from_the_proto_fails_encoding_loudly():
    message_type = bumped_message_type()
    codec = ProtobufEventCodec(resolve=lambda event_type: message_type)
    with pytest.raises(ValueError, match="Renamed does not fit its protobuf message"):
        codec.encode(Renamed(tally_id="t", label="x"))


def test_bytes_that_are_not_the_message_fail_decoding(protobuf_codec):
    with pytest.raises(EventDecodeError, match="not a valid Bumped"):
        protobuf_codec.decode(Bumped, b"\xff\xff\xff")


def test_a_missing_generated_module_says_how_to_generate_it():
    with pytest.raises(LookupError, match="make stubs"):
        generated_message_type(Orphan)
