"""MaintenanceWindowScheduled travels as ses.notify.v1.MaintenanceWindowScheduled."""

from __future__ import annotations

from datetime import UTC, datetime

from ses.notify.v1 import events_pb2
from ses_core.notifications import PLATFORM_TENANT, MaintenanceWindowScheduled
from ses_core.platform.messaging import ProtobufEventCodec


def test_the_event_round_trips_through_its_proto_message() -> None:
    codec = ProtobufEventCodec()
    event = MaintenanceWindowScheduled(
        tenant_id=PLATFORM_TENANT,
        maintenance_window_id="w-1",
        starts_at=datetime(2031, 3, 1, 13, 0, tzinfo=UTC),
        ends_at=datetime(2031, 3, 1, 17, 0, tzinfo=UTC),
        description="Database upgrade",
        emergency=False,
        actor_id="u-operator",
    )
    assert event.subject() == "ses.notify.v1.maintenance_window_scheduled"
    assert codec.message_type(MaintenanceWindowScheduled) is events_pb2.MaintenanceWindowScheduled
    assert codec.decode(MaintenanceWindowScheduled, codec.encode(event)) == event


def test_the_domain_event_mirrors_the_proto_field_for_field() -> None:
    proto_fields = set(events_pb2.MaintenanceWindowScheduled.DESCRIPTOR.fields_by_name)
    assert proto_fields == set(MaintenanceWindowScheduled.model_fields)
