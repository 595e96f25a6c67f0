"""The server factory: health, reflection, message limits and graceful shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import grpc
import grpc.aio
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpckit_support import SERVICE, StartServer, call, failure

from ses_core.platform.grpc import MAX_MESSAGE_BYTES

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).with_name("serve_until_sigterm.py")


async def test_health_reports_serving_for_each_hosted_service(start_server: StartServer) -> None:
    _, channel = await start_server()
    stub = health_pb2_grpc.HealthStub(channel)
    for name in ("", SERVICE):
        reply = await stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=30)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await stub.Check(health_pb2.HealthCheckRequest(service="no.Such"), timeout=30)
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND


async def test_reflection_lists_the_hosted_services(start_server: StartServer) -> None:
    _, channel = await start_server()
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    names: set[str] = set()
    async for reply in stub.ServerReflectionInfo(iter([request]), timeout=30):
        names |= {service.name for service in reply.list_services_response.service}
    assert {SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names


async def test_messages_over_the_receive_limit_are_refused(start_server: StartServer) -> None:
    _, channel = await start_server(verifier=None)
    error = await failure(channel, "GetThing", b"x" * (MAX_MESSAGE_BYTES + 1))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert await call(channel, "GetThing", b"x" * 1024) == b"thing " + b"x" * 1024


async def test_stop_marks_every_service_not_serving(start_server: StartServer) -> None:
    server, _ = await start_server()
    await server.stop(grace=0)
    for name in ("", SERVICE):
        reply = await server.health.Check(health_pb2.HealthCheckRequest(service=name), None)
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING


@pytest.mark.slow
async def test_sigterm_lets_the_call_in_flight_finish_then_exits_zero() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    try:
        port_line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert port_line.startswith(b"PORT "), port_line
        address = f"127.0.0.1:{int(port_line.split()[1])}"
        async with grpc.aio.insecure_channel(address) as channel:
            slow = channel.unary_unary("/ses.test.v1.SlowService/SlowCreate")
            in_flight = asyncio.ensure_future(slow(b"", timeout=120))
            assert await asyncio.wait_for(process.stdout.readline(), 60) == b"STARTED\n"
            process.send_signal(signal.SIGTERM)
            assert await in_flight == b"finished after shutdown began"
        assert await asyncio.wait_for(process.wait(), 60) == 0
        assert b"STOPPED" in await process.stdout.read()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
