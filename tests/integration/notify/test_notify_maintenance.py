"""ScheduleMaintenance, ListMaintenanceWindows, GetOperatingStatus, and the announcement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from notify_support import (
    OPERATOR,
    EventFeed,
    Scenario,
    SmtpSink,
    notify_host,
    notify_settings,
)

from ses.notify.v1 import notify_pb2 as pb
from ses_core.ports import FixedClock
from ses_core.testing import NatsServerProcess, eventually

pytestmark = pytest.mark.integration

EASTERN = ZoneInfo("America/New_York")
FRIDAY_NOON = datetime(2031, 2, 28, 12, 0, tzinfo=EASTERN)  # full access


def _ts(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at.astimezone(UTC))
    return stamp


def _request(start: datetime, end: datetime, **fields: object) -> pb.ScheduleMaintenanceRequest:
    return pb.ScheduleMaintenanceRequest(starts_at=_ts(start), ends_at=_ts(end), **fields)  # type: ignore[arg-type]


async def _error(call: object) -> grpc.aio.AioRpcError:
    try:
        await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as error:
        return error
    raise AssertionError("the call succeeded, but it should have failed")


async def test_operators_schedule_windows_inside_limited_access_and_everyone_is_told(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    clock = FixedClock(FRIDAY_NOON)
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(tmp_path / "data", nats_server.url, url, smtp.port)
    saturday = datetime(2031, 3, 1, 8, 0, tzinfo=EASTERN)
    async with notify_host(settings, clock=clock) as (_, client):
        async with EventFeed.connect(nats_server.url) as feed:
            await feed.publish(*world.setup_events())
            await feed.applied()
            await client.settled()
        md = client.md(OPERATOR, key="schedule-1")
        scheduled = await client.stub.ScheduleMaintenance(
            _request(saturday, saturday + timedelta(hours=4), description="Database upgrade"),
            metadata=md,
        )
        again = await client.stub.ScheduleMaintenance(
            _request(saturday, saturday + timedelta(hours=4), description="Database upgrade"),
            metadata=md,
        )
        window = scheduled.maintenance_window
        assert again.maintenance_window.maintenance_window_id == window.maintenance_window_id
        assert window.description == "Database upgrade"
        assert window.scheduled_by.user_id == OPERATOR.user_id

        listed = await client.stub.ListMaintenanceWindows(
            pb.ListMaintenanceWindowsRequest(), metadata=client.md(world.actor(world.poc))
        )
        assert [w.maintenance_window_id for w in listed.maintenance_windows] == [
            window.maintenance_window_id
        ]

        async def announced() -> pb.ListNotificationsResponse | None:
            inbox = await client.inbox(world.actor(world.viewer))
            return inbox if inbox.notifications else None

        inbox = await eventually(announced, message="the maintenance announcement")
        (notice,) = inbox.notifications
        assert notice.topic == pb.NOTIFICATION_TOPIC_MAINTENANCE_SCHEDULED
        assert (
            notice.title == "Scheduled maintenance: SES from Saturday, March 1, 2031, 8:00 AM EST"
        )
        assert "until Saturday, March 1, 2031, 12:00 PM EST" in notice.body
        assert "Database upgrade" in notice.body
        await eventually(
            lambda: len([m for m in smtp.messages if "maintenance" in str(m["Subject"])]) == 6,
            message="the announcement to all six users by e-mail",
        )


async def test_scheduling_refuses_full_access_time_the_past_and_non_operators(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(tmp_path / "data", nats_server.url, url, smtp.port)
    monday_ten = datetime(2031, 3, 3, 10, 0, tzinfo=EASTERN)
    async with notify_host(settings, clock=FixedClock(FRIDAY_NOON)) as (_, client):
        md = client.md(OPERATOR)
        full_access = await _error(
            client.stub.ScheduleMaintenance(
                _request(monday_ten, monday_ten + timedelta(hours=1)), metadata=md
            )
        )
        assert full_access.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "overlaps full-access hours" in (full_access.details() or "")

        emergency = await client.stub.ScheduleMaintenance(
            _request(
                monday_ten,
                monday_ten + timedelta(hours=1),
                emergency=True,
                description="Security patch that cannot wait",
            ),
            metadata=md,
        )
        assert emergency.maintenance_window.emergency

        no_reason = await _error(
            client.stub.ScheduleMaintenance(
                _request(monday_ten, monday_ten + timedelta(hours=1), emergency=True),
                metadata=md,
            )
        )
        assert no_reason.code() == grpc.StatusCode.INVALID_ARGUMENT
        past = await _error(
            client.stub.ScheduleMaintenance(
                _request(FRIDAY_NOON - timedelta(days=1), FRIDAY_NOON - timedelta(hours=20)),
                metadata=md,
            )
        )
        assert past.code() == grpc.StatusCode.INVALID_ARGUMENT
        backwards = await _error(
            client.stub.ScheduleMaintenance(
                _request(monday_ten + timedelta(hours=1), monday_ten), metadata=md
            )
        )
        assert backwards.code() == grpc.StatusCode.INVALID_ARGUMENT
        missing = await _error(
            client.stub.ScheduleMaintenance(pb.ScheduleMaintenanceRequest(), metadata=md)
        )
        assert missing.code() == grpc.StatusCode.INVALID_ARGUMENT
        manager = Scenario().actor(Scenario().manager)
        denied = await _error(
            client.stub.ScheduleMaintenance(
                _request(
                    monday_ten, monday_ten + timedelta(hours=1), emergency=True, description="x"
                ),
                metadata=client.md(manager),
            )
        )
        assert denied.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_operating_status_needs_no_token_and_names_the_active_window(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(tmp_path / "data", nats_server.url, url, smtp.port)
    clock = FixedClock(FRIDAY_NOON)
    async with notify_host(settings, clock=clock) as (_, client):
        status = await client.stub.GetOperatingStatus(pb.GetOperatingStatusRequest())
        assert status.access_level == pb.ACCESS_LEVEL_FULL
        assert status.next_change_at.ToDatetime(tzinfo=UTC) == datetime(
            2031, 2, 28, 18, 0, tzinfo=EASTERN
        )
        assert not status.HasField("active_maintenance")
        saturday = datetime(2031, 3, 1, 8, 0, tzinfo=EASTERN)
        await client.stub.ScheduleMaintenance(
            _request(saturday, saturday + timedelta(hours=4), description="Upgrade"),
            metadata=client.md(OPERATOR),
        )
        clock.set(saturday + timedelta(hours=1))
        during = await client.stub.GetOperatingStatus(pb.GetOperatingStatusRequest())
        assert during.access_level == pb.ACCESS_LEVEL_LIMITED
        assert during.active_maintenance.description == "Upgrade"
        past = await client.stub.ListMaintenanceWindows(
            pb.ListMaintenanceWindowsRequest(include_past=True), metadata=client.md(OPERATOR)
        )
        assert len(past.maintenance_windows) == 1
