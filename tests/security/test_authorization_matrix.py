"""The whole authorization matrix, over real gRPC: every RPC, every role, every state.

One host runs the four services (SQLite, a real ``nats-server``); the world in it is made
through the services' own RPCs (``security_world``). Every RPC the contract declares is
called as each of the sixteen roles of ``security_world.ROLES`` (DESIGN §4: the agency
roles and the Agency POC, the company roles and designations, an unenrolled company's
user, a user of another agency and of another company, a platform operator, no token) in
each state of the world where the answer can differ (complaint and IR states, restricted
or not, company enrolled or not, uploads, webhook endpoints...), with a well-formed
request (``rpc_requests``), and the status must be exactly the one the expectation table
beside the permission matrix gives (``ses_core/permissions/rpc_expectations.csv``).

A call expected to succeed that changes the state runs on a fresh copy of it; every
other call runs on the shared copy (a refusal changes nothing; a success where a refusal
was expected makes the test rebuild that copy). An RPC of the contract without rows, or
without a request builder, fails ``test_every_rpc_has_rows_and_a_request``.

The table holds 7,232 cases (RPC × state × role); ``test_case_count_is_stated`` keeps
this docstring honest, and the run prints the count in its summary.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import grpc.aio
import pytest
import pytest_asyncio
from expectations import MATRIX_CASES_CHECKED, Row, contract_methods, load_rows
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from rpc_requests import REQUESTS, STATE_NEUTRAL, Call
from security_world import ROLES, STATES, World, build_world, fixed_clock, host_plugins

from ses_core.platform.grpc import is_read_verb
from ses_core.testing import NatsServerProcess
from ses_core.testing.hosting import host_settings, hosted

ROWS = load_rows(ROLES)
METHODS = contract_methods()
CASES = len(ROWS) * len(ROLES)
OK = grpc.StatusCode.OK


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServerProcess]:
    with NatsServerProcess(tmp_path_factory.mktemp("matrix-nats")) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory, broker: NatsServerProcess
) -> AsyncIterator[World]:
    data = Path(tmp_path_factory.mktemp("matrix-data"))
    settings = host_settings(
        data, nats_url=broker.url, notify={"webhook_allow_private_targets": True}
    )
    clock = fixed_clock()
    async with hosted(settings, host_plugins(), clock=clock) as host:
        built = await build_world(host, clock)
        try:
            yield built
        finally:
            await built.channel.close()
            built.close()


def test_every_rpc_has_rows_and_a_request() -> None:
    """A new RPC fails here until the table says who may call it, in which states (no
    server needed: this runs in ``make test-fast`` too)."""
    with_rows = {row.rpc for row in ROWS}
    assert sorted(set(METHODS) - with_rows) == [], "RPCs without rows in the table"
    assert sorted(with_rows - set(METHODS)) == [], "rows for RPCs the contract does not have"
    assert sorted(set(METHODS) - set(REQUESTS)) == [], "RPCs without a request builder"
    assert sorted(set(REQUESTS) - set(METHODS)) == [], "request builders for unknown RPCs"
    unknown = sorted({row.state for row in ROWS} - set(STATES))
    assert unknown == [], "states the world cannot build"
    keys = [(row.rpc, row.state) for row in ROWS]
    assert len(keys) == len(set(keys)), "an (RPC, state) pair with two rows"


def test_case_count_is_stated() -> None:
    stated = re.search(r"The table holds ([\d,]+) cases", __doc__ or "")
    assert stated is not None
    assert int(stated.group(1).replace(",", "")) == CASES


@pytest.mark.integration
@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("rpc", sorted(METHODS))
async def test_each_role_gets_the_expected_status(world: World, rpc: str) -> None:
    method = METHODS[rpc]
    wrong: list[str] = []
    rows = [row for row in ROWS if row.rpc == rpc]
    for row in rows:
        wrong.extend(await _check_row(world, method, row))
    MATRIX_CASES_CHECKED.append(len(rows) * len(ROLES))
    assert not wrong, f"{len(wrong)} answers differ from the table:\n" + "\n".join(wrong)


async def _check_row(world: World, method: MethodDescriptor, row: Row) -> list[str]:
    changes_state = not is_read_verb(method.name) and row.rpc not in STATE_NEUTRAL
    wrong = []
    for role in ROLES:
        expected = row.expected[role]
        fresh = changes_state and expected is OK
        made = await world.state(row.state, fresh=fresh)
        call = Call(world, made, role)
        code, details = await _outcome(world, method, call)
        if code is not expected:
            wrong.append(
                f"  {row.rpc} [{row.state}] as {role}: expected {expected.name}, "
                f"got {code.name} ({details})"
            )
            if code is OK and changes_state:
                world.forget(row.state)  # the shared copy was changed: build it again
    return wrong


async def _outcome(
    world: World, method: MethodDescriptor, call: Call
) -> tuple[grpc.StatusCode, str]:
    request = await REQUESTS[f"{method.containing_service.name}/{method.name}"](call)
    path = f"/{method.containing_service.full_name}/{method.name}"
    response_type: type[Message] = GetMessageClass(method.output_type)
    serialize, deserialize = _serialize, response_type.FromString
    metadata = world.metadata(call.role, call.made)
    try:
        if method.client_streaming:
            upload = world.channel.stream_unary(path, serialize, deserialize)
            await upload(iter([request]), metadata=metadata, timeout=60)
        elif method.server_streaming:
            download = world.channel.unary_stream(path, serialize, deserialize)
            async for _ in download(request, metadata=metadata, timeout=60):
                pass
        else:
            unary = world.channel.unary_unary(path, serialize, deserialize)
            await unary(request, metadata=metadata, timeout=60)
    except grpc.aio.AioRpcError as error:
        return error.code(), str(error.details())
    return OK, ""


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()
