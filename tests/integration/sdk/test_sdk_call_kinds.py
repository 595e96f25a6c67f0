"""The generated client treats each RPC as the server does: a token where the server wants
one, retries only for what it lets pass as read-only, an idempotency key exactly where its
idempotency interceptor honours one.

The generator reads the "Call metadata:" line of each RPC's comment (falling back to the
kit's default rule where a proto has none yet); this test compares its outcome with the
lists a host started with every service plugin gives its interceptors.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from sdk_support import ThreadedHost

import ses_sdk._generated as generated
from ses import contract
from ses_core.platform.grpc import DEFAULT_PUBLIC_METHODS, MethodSet, ReadOnlyMethods
from ses_sdk._rpc import Rpc

pytestmark = pytest.mark.integration


def generated_rpcs() -> dict[str, Rpc[Any]]:
    found: dict[str, Rpc[Any]] = {}
    for module in pkgutil.iter_modules(generated.__path__):
        if module.name.endswith("_client"):
            loaded = importlib.import_module(f"{generated.__name__}.{module.name}")
            found.update({v.path: v for v in vars(loaded).values() if isinstance(v, Rpc)})
    return found


def streaming_paths() -> set[str]:
    return {
        f"/{file.package}.{service.name}/{method.name}"
        for file in contract.descriptor_set().file
        for service in file.service
        for method in service.method
        if method.client_streaming or method.server_streaming
    }


RPCS = generated_rpcs()


def _param(path: str) -> object:
    return pytest.param(RPCS[path], id=path.lstrip("/"))


@pytest.fixture(scope="module")
def kit(ses: ThreadedHost) -> tuple[MethodSet, ReadOnlyMethods]:
    public = list(DEFAULT_PUBLIC_METHODS)
    read_only = list(ses.settings.maintenance.read_only_methods)
    for service in ses.host.services:
        assert service.parts is not None
        public.extend(service.parts.public_methods)
        read_only.extend(service.parts.read_only_methods)
    return MethodSet(public), ReadOnlyMethods(read_only)


def test_the_client_has_every_rpc_of_the_contract() -> None:
    expected = {
        f"/{file.package}.{service.name}/{method.name}"
        for file in contract.descriptor_set().file
        if file.package.startswith("ses.")
        for service in file.service
        for method in service.method
    }
    assert set(RPCS) == expected


@pytest.mark.parametrize("rpc", [_param(path) for path in sorted(RPCS)])
def test_each_rpc_is_called_as_the_server_treats_it(
    rpc: Rpc[Any], kit: tuple[MethodSet, ReadOnlyMethods]
) -> None:
    public, read_only = kit
    path = rpc.path
    expected = (
        path not in public,
        path in read_only,
        path not in public and path not in read_only and path not in streaming_paths(),
    )
    assert (rpc.authenticated, rpc.read_only, rpc.idempotent) == expected, (
        "(token sent, read-only, idempotency key) differ from the server's treatment"
    )
