"""The broker under the host (issue 10): a killed embedded nats-server comes back and nothing
is lost; while the broker is unreachable, health says so under ``nats``.

A host like ``ses up`` (its own nats-server under the data directory) runs the enrollment
and notify services. Creating an agency commits ``UserCreated`` with an activation link
to enrollment's outbox; notify e-mails the new administrator (an ``.eml`` file). The
nats-server child is killed with SIGKILL, and agencies keep being created while it is
down and after it is back. Every administrator must get exactly one e-mail, the child
must have been restarted on the same port, and the host must report the broker healthy.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import grpc.aio
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from runtime_support import (
    OPERATOR,
    agency_request,
    embedded_settings,
    mail_recipients,
    quick_notify,
)

from ses.enrollment.v1 import enrollment_pb2_grpc as epb_grpc
from ses.notify.v1 import notify_pb2 as npb
from ses.notify.v1 import notify_pb2_grpc as npb_grpc
from ses_core.platform.db import OutboxStore
from ses_core.platform.messaging import EVENTS_STREAM
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.runtime._broker import BROKER_HEALTH_NAME
from ses_core.platform.settings import Settings
from ses_core.testing import NatsServerProcess, eventually
from ses_core.testing.hosting import host_settings, hosted, metadata_for
from ses_enrollment.bootstrap import plugin as enrollment_plugin
from ses_notify.consumers import DURABLE_NAME

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BEFORE, WHILE_RESTARTING, AFTER = range(0, 4), range(4, 24), range(24, 30)


class Scene:
    def __init__(self, host: ServiceHost, settings: Settings, channel: grpc.aio.Channel) -> None:
        self.host = host
        self.settings = settings
        self.enrollment = epb_grpc.EnrollmentServiceStub(channel)
        self.notify = npb_grpc.NotifyServiceStub(channel)
        self.health = health_pb2_grpc.HealthStub(channel)
        self.administrators: list[str] = []

    async def create_agencies(self, numbers: range) -> None:
        for number in numbers:
            request, address = agency_request(number)
            await self.enrollment.CreateAgency(
                request, metadata=metadata_for(self.settings, OPERATOR), timeout=30
            )
            self.administrators.append(address)

    def mailed(self) -> dict[str, int]:
        assert self.settings.notify.mail_dir is not None
        return dict(mail_recipients(self.settings.notify.mail_dir))

    async def notify_has_settled(self) -> bool:
        """Notify consumed the whole stream, enrollment published its whole outbox, and every
        delivery reached a final state: nothing more can arrive."""
        (enrollment,) = (s for s in self.host.services if s.plugin.name == "enrollment")
        if await asyncio.to_thread(OutboxStore(enrollment.engine).count_pending):
            return False
        assert self.host.nats is not None
        js = self.host.nats.jetstream()
        try:
            stream = await js.stream_info(EVENTS_STREAM)
            consumer = await js.consumer_info(EVENTS_STREAM, DURABLE_NAME)
        except Exception:
            return False  # the client is still reconnecting
        if consumer.num_pending or consumer.num_ack_pending:
            return False
        if consumer.delivered.stream_seq < stream.state.last_seq:
            return False
        request = npb.ListDeliveriesRequest(page_size=200)
        response = await self.notify.ListDeliveries(
            request, metadata=metadata_for(self.settings, OPERATOR)
        )
        waiting = (npb.DELIVERY_STATUS_PENDING, npb.DELIVERY_STATUS_RETRYING)
        return not any(delivery.status in waiting for delivery in response.deliveries)

    async def broker_health(self) -> int:
        reply = await self.health.Check(
            health_pb2.HealthCheckRequest(service=BROKER_HEALTH_NAME), timeout=5
        )
        return int(reply.status)


@pytest.fixture
async def scene(tmp_path: Path) -> AsyncIterator[Scene]:
    settings = embedded_settings(tmp_path / "data")
    async with (
        hosted(settings, [enrollment_plugin, quick_notify()]) as host,
        grpc.aio.insecure_channel(host.address) as channel,
    ):
        yield Scene(host, settings, channel)


async def test_a_killed_nats_server_comes_back_and_every_change_is_notified_once(
    scene: Scene,
) -> None:
    broker, supervisor = scene.host.broker, scene.host.supervisor
    assert broker is not None
    assert supervisor is not None
    await scene.create_agencies(BEFORE)
    await eventually(lambda: len(scene.mailed()) == len(BEFORE), message="the first e-mails")
    killed_pid, port = broker.pid, broker.port
    assert killed_pid is not None

    os.kill(killed_pid, signal.SIGKILL)
    await scene.create_agencies(WHILE_RESTARTING)
    await eventually(lambda: supervisor.restarts == 1, message="the nats-server restart")
    await scene.create_agencies(AFTER)

    await eventually(
        lambda: len(scene.mailed()) == len(scene.administrators), message="every e-mail"
    )
    await eventually(scene.notify_has_settled, message="notify to settle")
    assert scene.mailed() == {address: 1 for address in scene.administrators}
    assert len(scene.administrators) == 30
    assert broker.running
    assert broker.pid != killed_pid
    assert broker.port == port
    assert supervisor.restarts == 1
    assert await scene.broker_health() == health_pb2.HealthCheckResponse.SERVING


async def test_health_says_the_broker_is_unreachable_while_it_is_down(
    tmp_path: Path, nats_server: NatsServerProcess
) -> None:
    settings = host_settings(tmp_path / "data", nats_url=nats_server.url)
    serving, not_serving = (
        health_pb2.HealthCheckResponse.SERVING,
        health_pb2.HealthCheckResponse.NOT_SERVING,
    )
    async with (
        hosted(settings, [quick_notify()]) as host,
        grpc.aio.insecure_channel(host.address) as channel,
    ):
        health = health_pb2_grpc.HealthStub(channel)

        async def status(name: str) -> int:
            reply = await health.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            return int(reply.status)

        assert await status(BROKER_HEALTH_NAME) == serving
        await asyncio.to_thread(nats_server.stop)
        await eventually(
            lambda: _is(status(BROKER_HEALTH_NAME), not_serving), message="nats NOT_SERVING"
        )
        # Commands still commit meanwhile (the outbox keeps their events): the process as a
        # whole stays in rotation.
        assert await status("") == serving
        assert await status("ses.notify.v1.NotifyService") == serving

        await asyncio.to_thread(nats_server.start)
        await eventually(lambda: _is(status(BROKER_HEALTH_NAME), serving), message="nats back")


async def _is(status: Awaitable[int], expected: int) -> bool:
    return await status == expected
