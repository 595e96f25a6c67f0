"""StreamMaintenanceSchedule: windows scheduled through notify guard every host's mutating calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from notify_support import OPERATOR, NotifyClient, Scenario, SmtpSink, fast_plugin, notify_settings

from ses.notify.v1 import notify_pb2 as pb
from ses.notify.v1 import notify_pb2_grpc
from ses_core.notifications import PLATFORM_TENANT, MaintenanceWindowScheduled
from ses_core.platform.messaging import ProtobufEventCodec, connect, ensure_streams
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.runtime._maintenance_feed import StreamMaintenanceSchedule
from ses_core.testing import NatsServerProcess, eventually, running

pytestmark = pytest.mark.integration

CODEC = ProtobufEventCodec()


def _window(start: datetime, hours: float, name: str) -> MaintenanceWindowScheduled:
    return MaintenanceWindowScheduled(
        tenant_id=PLATFORM_TENANT,
        maintenance_window_id=name,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        description=name,
    )


async def _publish(js, event: MaintenanceWindowScheduled) -> None:  # type: ignore[no-untyped-def]
    headers = {"Nats-Msg-Id": event.event_id, "ses-tenant": PLATFORM_TENANT}
    await js.publish(event.subject(), CODEC.encode(event), stream="SES_EVENTS", headers=headers)


@pytest.mark.slow  # waits for the ordered consumer to miss heartbeats after the restart
async def test_the_feed_replays_windows_from_the_stream_and_follows_it_across_a_broker_restart(
    nats_server: NatsServerProcess,
) -> None:
    now = datetime.now(UTC)
    client = await connect(nats_server.url, name="feed-test")
    try:
        js = client.jetstream()
        await ensure_streams(js)
        await _publish(js, _window(now - timedelta(hours=1), 2, "active"))
        await _publish(js, _window(now + timedelta(days=2), 1, "later"))
        await js.publish(
            MaintenanceWindowScheduled.subject(),
            b"\xff not protobuf",
            stream="SES_EVENTS",
            headers={"Nats-Msg-Id": "garbage"},
        )
        schedule = StreamMaintenanceSchedule(js, resubscribe_delay=0.2)
        async with running(schedule.run()):
            await schedule.wait_caught_up(timeout=30)
            assert [w.reason for w in schedule.windows] == ["active", "later"]
            active = await schedule.active_window(now)
            assert active is not None
            assert active.reason == "active"
            assert await schedule.active_window(now + timedelta(hours=2)) is None

            nats_server.restart()

            async def published_after_restart() -> bool:
                try:
                    await _publish(js, _window(now + timedelta(days=3), 1, "after-restart"))
                except Exception:  # the client is still reconnecting
                    return False
                return True

            await eventually(published_after_restart, message="a publish after the restart")
            await eventually(
                lambda: len(schedule.windows) == 3, message="the window published after restart"
            )
            assert [w.reason for w in schedule.windows] == ["active", "later", "after-restart"]
    finally:
        await client.drain()


async def test_an_empty_stream_is_caught_up_at_once(nats_server: NatsServerProcess) -> None:
    client = await connect(nats_server.url, name="feed-test")
    try:
        js = client.jetstream()
        await ensure_streams(js)
        schedule = StreamMaintenanceSchedule(js)
        async with running(schedule.run()):
            await schedule.wait_caught_up(timeout=30)
            assert await schedule.active_window(datetime.now(UTC)) is None
    finally:
        await client.drain()


async def test_a_window_scheduled_through_notify_makes_changes_unavailable_and_reads_work(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(tmp_path / "data", nats_server.url, url, smtp.port)
    feed_client = await connect(nats_server.url, name="guard-feed")
    try:
        js = feed_client.jetstream()
        await ensure_streams(js)
        schedule = StreamMaintenanceSchedule(js)
        host = ServiceHost(settings, [fast_plugin()], maintenance=schedule)
        await host.start()
        try:
            async with running(schedule.run()), grpc.aio.insecure_channel(host.address) as channel:
                client = NotifyClient(settings, notify_pb2_grpc.NotifyServiceStub(channel))
                poc = world.actor(world.poc)
                await client.stub.MarkRead(pb.MarkReadRequest(all=True), metadata=client.md(poc))
                start = Timestamp()
                start.FromDatetime(datetime.now(UTC))
                end = Timestamp()
                end.FromDatetime(datetime.now(UTC) + timedelta(hours=1))
                await client.stub.ScheduleMaintenance(
                    pb.ScheduleMaintenanceRequest(
                        starts_at=start,
                        ends_at=end,
                        emergency=True,
                        description="Emergency database repair",
                    ),
                    metadata=client.md(OPERATOR),
                )
                await eventually(lambda: schedule.windows, message="the guard to learn the window")
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    await client.stub.MarkRead(
                        pb.MarkReadRequest(all=True), metadata=client.md(poc)
                    )
                assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
                assert "SES is in maintenance until" in (refused.value.details() or "")
                await client.inbox(poc)  # reads keep working
                status = await client.stub.GetOperatingStatus(pb.GetOperatingStatusRequest())
                assert status.active_maintenance.description == "Emergency database repair"
        finally:
            await host.stop()
    finally:
        await feed_client.drain()
