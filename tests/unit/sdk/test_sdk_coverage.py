"""Every RPC of the contract has a method on both clients, so none can ship without one.

The RPCs are walked in the descriptor set shipped with the stubs (``ses.contract``), which
is what the protos say, independently of the generated client.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from google.protobuf import descriptor_pb2

from ses import contract
from ses_sdk import AsyncSesClient, SesClient
from ses_sdk._generated.services import SERVICES

# Lists whose protos still page with the nested PageRequest the contract is leaving for
# AIP-158 (the complaints contract work); their pagers appear when the protos change.


@dataclass(frozen=True)
class Rpc:
    package: str
    service: str
    method: descriptor_pb2.MethodDescriptorProto

    @property
    def context(self) -> str:
        return self.package.split(".")[1]

    @property
    def full_name(self) -> str:
        return f"{self.package}.{self.service}/{self.method.name}"


def rpcs() -> Iterator[Rpc]:
    for file in contract.descriptor_set().file:
        if file.package.startswith("ses."):
            for service in file.service:
                for method in service.method:
                    yield Rpc(file.package, service.name, method)


RPCS = list(rpcs())


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def attribute_of(rpc: Rpc) -> str:
    return snake(rpc.service.removesuffix("Service"))


def test_the_contract_has_rpcs_in_every_context() -> None:
    assert {rpc.context for rpc in RPCS} == {"enrollment", "complaints", "files", "notify"}
    assert len(RPCS) > 70


def sub_clients(client: type[SesClient] | type[AsyncSesClient]) -> dict[str, type]:
    return typing.get_type_hints(client)


def test_every_service_is_an_attribute_of_both_clients() -> None:
    services = {f"{rpc.package}.{rpc.service}" for rpc in RPCS}
    assert {full for _, full in SERVICES.values()} == services
    with SesClient("127.0.0.1:1", insecure=True) as client:
        for attribute in SERVICES:
            assert isinstance(getattr(client, attribute), sub_clients(SesClient)[attribute])
    for attribute in SERVICES:
        assert attribute in sub_clients(AsyncSesClient)


@pytest.mark.parametrize("rpc", RPCS, ids=lambda rpc: rpc.full_name)
def test_every_rpc_has_a_sync_and_an_async_method(rpc: Rpc) -> None:
    name = snake(rpc.method.name)
    attribute = attribute_of(rpc)
    for client in (SesClient, AsyncSesClient):
        sub_client = sub_clients(client)[attribute]
        method = getattr(sub_client, name, None)
        assert callable(method), f"{client.__name__}.{attribute} has no {name}() for {rpc}"
        streams = rpc.method.server_streaming
        if client is AsyncSesClient and not streams:
            assert inspect.iscoroutinefunction(method), f"{name} is not async"


def _list_param(rpc: Rpc) -> object:
    return pytest.param(rpc, id=rpc.full_name)


LISTS = [rpc for rpc in RPCS if re.match(r"(List|Search)[A-Z]", rpc.method.name)]


@pytest.mark.parametrize("rpc", [_list_param(rpc) for rpc in LISTS])
def test_every_list_has_a_pager_on_both_clients(rpc: Rpc) -> None:
    noun = snake(re.sub(r"^(List|Search)", "", rpc.method.name))
    for client in (SesClient, AsyncSesClient):
        pager = getattr(sub_clients(client)[attribute_of(rpc)], f"iter_{noun}", None)
        assert callable(pager), f"{client.__name__}.{attribute_of(rpc)} has no iter_{noun}()"
