"""Fuzzing every RPC (issue 15): hostile requests get a clear answer, never a crash.

One host runs the four services (SQLite, a real ``nats-server``) with the world of
``security_world`` in it, so fuzzed ids can name real complaints, companies and users.
Every RPC of the contract receives, from a caller drawn among the roles (no token
included):

- Hypothesis-generated requests built from the message descriptors
  (``proto_strategies.requests``: unicode edge cases, lengths around every documented
  limit, boundary and unknown enum numbers, nested and repeated fields, real ids);
- raw byte mutations of such requests, sent without a serializer.

No answer may be INTERNAL or UNKNOWN (a bug: a client mistake is a ``SesError`` with a
sentence), time out, or come without a message; UNAVAILABLE only for a maintenance
window a fuzzed ScheduleMaintenance opened. Afterwards every service still reports
SERVING and the host still answers.

Budget: ``FUZZ_EXAMPLES`` examples per RPC and kind in the test command (derandomized
under the ``ci`` profile); ``make fuzz`` runs the ``fuzz`` profile's long campaign
(``SES_FUZZ_EXAMPLES=n`` sets another count).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
import pytest_asyncio
from expectations import contract_methods
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from proto_strategies import mutated, requests
from security_world import ROLES, World, build_world, fixed_clock, host_plugins

from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.files.v1 import files_pb2 as fpb
from ses.notify.v1 import notify_pb2 as npb
from ses_core.testing import NatsServerProcess, error_details, error_reason
from ses_core.testing.hosting import host_settings, hosted

pytestmark = [pytest.mark.integration]

METHODS = contract_methods()
FUZZ_PROFILE = "fuzz"
FUZZ_EXAMPLES = 12
BUDGET = int(
    os.environ.get("SES_FUZZ_EXAMPLES")
    or (
        settings.get_profile(FUZZ_PROFILE).max_examples
        if settings.get_current_profile_name() == FUZZ_PROFILE
        else FUZZ_EXAMPLES
    )
)
# Callers: people who get past authentication reach deeper, so they come up more often.
CALLERS = (*ROLES, "agency_manager", "company_poc", "platform_operator", "company_account_admin")
NEVER = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED}
FUZZ_SETTINGS = settings(
    max_examples=BUDGET,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServerProcess]:
    with NatsServerProcess(tmp_path_factory.mktemp("fuzz-nats")) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory, broker: NatsServerProcess
) -> AsyncIterator[World]:
    data = Path(tmp_path_factory.mktemp("fuzz-data"))
    settings_ = host_settings(
        data, nats_url=broker.url, notify={"webhook_allow_private_targets": True}
    )
    clock = fixed_clock()
    async with hosted(settings_, host_plugins(), clock=clock) as host:
        built = await build_world(host, clock)
        for state in ("response_received", "agency_webhook", "upload_open", "company_invited"):
            await built.state(state)
        try:
            yield built
        finally:
            await built.channel.close()
            built.close()


def known_ids(world: World) -> tuple[str, ...]:
    """Every id the world made, so that fuzzed requests can name real things."""
    ids = {*world.agencies.values(), *world.companies.values()}
    ids |= {identity.user_id for identity in world.people.values()}
    for made in world.shared_states():
        ids |= {
            value
            for value in (
                made.complaint_id,
                made.ir_id,
                made.note_id,
                made.file_id,
                made.upload_id,
                made.webhook_endpoint_id,
                made.signing_secret_id,
            )
            if value
        }
    return tuple(sorted(ids))


@cache
def _strategy(rpc: str, ids: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return requests(METHODS[rpc].input_type, ids)


@dataclass(frozen=True)
class Refusal:
    code: grpc.StatusCode
    details: str
    reason: str | None


async def _call(world: World, rpc: str, role: str, request: Any, *, raw: bool) -> None:
    """Call with a generated message (or raw bytes); the answer must be a clear one."""
    refusal = await _refusal(world, rpc, role, request, raw=raw)
    if refusal is None:
        return
    where = f"{rpc} as {role} answered {refusal.code.name}: {refusal.details!r}"
    assert refusal.code not in NEVER, where
    assert refusal.details.strip(), where
    if refusal.code is grpc.StatusCode.UNAVAILABLE:
        assert refusal.reason == "maintenance", where


async def _refusal(world: World, rpc: str, role: str, request: Any, *, raw: bool) -> Refusal | None:
    method = METHODS[rpc]
    path = f"/{method.containing_service.full_name}/{method.name}"
    serialize = None if raw else _serialize
    metadata = world.metadata(role)
    try:
        if method.client_streaming:
            upload = world.channel.stream_unary(path, serialize, None)
            await upload(iter([request]), metadata=metadata, timeout=60)
        elif method.server_streaming:
            download = world.channel.unary_stream(path, serialize, None)
            async for _ in download(request, metadata=metadata, timeout=60):
                pass
        else:
            await world.channel.unary_unary(path, serialize, None)(
                request, metadata=metadata, timeout=60
            )
    except grpc.aio.AioRpcError as error:
        return Refusal(error.code(), error.details() or "", error_reason(error))
    return None


def _serialize(message: Any) -> bytes:
    return bytes(message.SerializeToString())


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("rpc", sorted(METHODS))
@FUZZ_SETTINGS
@given(data=st.data())
async def test_generated_requests_get_a_clear_answer(world: World, rpc: str, data: Any) -> None:
    role = data.draw(st.sampled_from(CALLERS), label="caller")
    request = data.draw(_strategy(rpc, known_ids(world)), label="request")
    await _call(world, rpc, role, request, raw=False)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("rpc", sorted(METHODS))
@FUZZ_SETTINGS
@given(data=st.data())
async def test_mutated_bytes_get_a_clear_answer(world: World, rpc: str, data: Any) -> None:
    role = data.draw(st.sampled_from(CALLERS), label="caller")
    garbage = data.draw(mutated(_strategy(rpc, known_ids(world))), label="bytes")
    await _call(world, rpc, role, garbage, raw=True)


# -- what fuzzing found, kept as plain regression tests ------------------------------------


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("token", ["0éé", "é.AAAA", "😀" * 60])
async def test_a_grant_token_that_is_not_ascii_is_refused_not_a_crash(
    world: World, token: str
) -> None:
    """Found by fuzzing GetFile: the grant's MAC was computed over the token's ASCII bytes."""
    made = await world.state("upload_open")
    for call in (
        world.files.GetFile(
            fpb.GetFileRequest(file_id=made.file_id, grant_token=token),
            **world.md("agency_supervisor"),
        ),
        _drain(
            world.files.DownloadFile(
                fpb.DownloadFileRequest(file_id=made.file_id, grant_token=token),
                **world.md("agency_supervisor"),
            )
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
        assert error_reason(refused.value) == "grant_invalid"


async def _drain(stream: Any) -> None:
    async for _ in stream:
        pass


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    ("seconds", "nanos"), [(0, -1), (0, 1_000_000_000), (-(2**62), 0), (2**62, 0)]
)
async def test_a_timestamp_protobuf_cannot_represent_is_invalid_argument_naming_it(
    world: World, seconds: int, nanos: int
) -> None:
    """Found by fuzzing ScheduleMaintenance: such a Timestamp failed converting."""
    request = npb.ScheduleMaintenanceRequest(
        starts_at=Timestamp(seconds=seconds, nanos=nanos),
        ends_at=Timestamp(seconds=2_000_000_000),
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.notify.ScheduleMaintenance(request, **world.md("platform_operator"))
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(refused.value) == "timestamp_invalid"
    assert [v.field for v in error_details(refused.value).field_violations] == ["starts_at"]


@pytest.mark.asyncio(loop_scope="module")
async def test_every_service_is_still_serving_and_answering(world: World) -> None:
    """Runs after the campaign (tests run in file order): nothing crashed or wedged."""
    health = health_pb2_grpc.HealthStub(world.channel)
    services = ["", *sorted({m.containing_service.full_name for m in METHODS.values()})]
    for service in services:
        reply = await health.Check(health_pb2.HealthCheckRequest(service=service), timeout=30)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, service
    jwks = await world.auth.GetJwks(epb.GetJwksRequest(), timeout=30)
    assert jwks.jwks_json
