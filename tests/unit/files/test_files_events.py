"""The files events travel as the protobuf messages of protos/ses/files/v1/events.proto."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ses_core.events import DomainEvent
from ses_core.models.file_events import FileExpired, FileScanned, UploadCompleted
from ses_core.platform.messaging import ProtobufEventCodec

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "event",
    [
        UploadCompleted(
            occurred_at=AT,
            tenant_id="agency-a",
            upload_id="up-1",
            file_id="f-1",
            name="report.pdf",
            size_bytes=1 << 40,
            sha256_hex="a" * 64,
            kind="response",
            actor_id="u-1",
        ),
        FileExpired(
            occurred_at=AT,
            tenant_id="company-9",
            upload_id="up-2",
            file_id="f-2",
            name="big.zip",
            committed_offset=1048576,
        ),
        FileScanned(occurred_at=AT, tenant_id="agency-a", file_id="f-3", scan_status="infected"),
    ],
    ids=lambda event: type(event).__name__,
)
def test_each_event_round_trips_through_the_wire_format(event: DomainEvent):
    codec = ProtobufEventCodec()

    assert codec.decode(type(event), codec.encode(event)) == event
    assert event.subject() == f"ses.files.v1.{type(event).event_name()}"
