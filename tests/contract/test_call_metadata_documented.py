"""Each RPC's comment says which call metadata applies, and says what the server does.

common.proto documents the call metadata every SES RPC reads (``authorization``,
``idempotency-key``, ``x-request-id``) and the line that ends each RPC's comment. The
line must be the kit's real treatment of the RPC, so the lists are taken from where the
server takes them: a host started with every installed service plugin, which merges
the kit's defaults with what each plugin's ``build`` declares (public methods, methods
that change nothing although their verb is not Get/List/Search/Download). Then, as the
interceptors decide:

* public (the authentication interceptor skips it; no user to scope a key to);
* else read-only (the idempotency interceptor and the maintenance guard let it pass);
* else streaming (the idempotency interceptor ignores streams);
* else the key is honoured.

The comments are read from the descriptor set shipped with the stubs (``ses.contract``),
which is what a client's tooling sees.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from ses import contract
from ses_core.platform.grpc import DEFAULT_PUBLIC_METHODS, MethodSet, ReadOnlyMethods
from ses_core.platform.runtime import select_plugins
from ses_core.platform.settings import SERVICES
from ses_core.testing import NatsServerProcess
from ses_core.testing.hosting import host_settings, hosted

pytestmark = pytest.mark.integration

PUBLIC = "Call metadata: public (no token); idempotency-key ignored."
READ_ONLY = "Call metadata: bearer token; read-only, idempotency-key ignored."
HONOURED = "Call metadata: bearer token; idempotency-key honoured."
STREAMING = (
    "Call metadata: bearer token; streaming, idempotency-key ignored (uploads resume by offset)."
)
LINES = (PUBLIC, READ_ONLY, HONOURED, STREAMING)

_SERVICE_FIELD, _METHOD_FIELD, _PACKAGE_FIELD = 6, 2, 2


@dataclass(frozen=True)
class Rpc:
    file: descriptor_pb2.FileDescriptorProto
    service_index: int
    method_index: int

    @property
    def service(self) -> descriptor_pb2.ServiceDescriptorProto:
        return self.file.service[self.service_index]

    @property
    def method(self) -> descriptor_pb2.MethodDescriptorProto:
        return self.service.method[self.method_index]

    @property
    def full_name(self) -> str:
        return f"/{self.file.package}.{self.service.name}/{self.method.name}"

    @property
    def context(self) -> str:
        return self.file.package.split(".")[1]

    @property
    def streaming(self) -> bool:
        return self.method.client_streaming or self.method.server_streaming

    def comment(self) -> str:
        path = [_SERVICE_FIELD, self.service_index, _METHOD_FIELD, self.method_index]
        return _leading_comment(self.file, path)


def _leading_comment(file: descriptor_pb2.FileDescriptorProto, path: list[int]) -> str:
    for location in file.source_code_info.location:
        if list(location.path) == path:
            return str(location.leading_comments)
    return ""


def _ses_files() -> list[descriptor_pb2.FileDescriptorProto]:
    return [file for file in contract.descriptor_set().file if file.package.startswith("ses.")]


def _rpcs() -> Iterator[Rpc]:
    for file in _ses_files():
        for service_index, service in enumerate(file.service):
            for method_index in range(len(service.method)):
                yield Rpc(file, service_index, method_index)


RPCS = list(_rpcs())


def _param(rpc: Rpc) -> object:
    return pytest.param(rpc, id=rpc.full_name.lstrip("/"))


@dataclass(frozen=True)
class KitClassification:
    """The method lists a host started with every plugin gives its interceptors."""

    public: MethodSet
    read_only: ReadOnlyMethods

    def line_for(self, rpc: Rpc) -> str:
        if rpc.full_name in self.public:
            return PUBLIC
        if rpc.full_name in self.read_only:
            return READ_ONLY
        if rpc.streaming:
            return STREAMING
        return HONOURED


async def _classification_of_a_host(data_dir: Path, nats_url: str) -> KitClassification:
    settings = host_settings(data_dir, nats_url=nats_url)
    plugins = select_plugins()
    async with hosted(settings, plugins) as host:
        public = list(DEFAULT_PUBLIC_METHODS)
        read_only = list(settings.maintenance.read_only_methods)
        for service in host.services:
            assert service.parts is not None
            public.extend(service.parts.public_methods)
            read_only.extend(service.parts.read_only_methods)
    assert sorted(plugin.name for plugin in plugins) == sorted(SERVICES)
    return KitClassification(MethodSet(public), ReadOnlyMethods(read_only))


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KitClassification]:
    directory = tmp_path_factory.mktemp("call-metadata")
    with NatsServerProcess(directory / "nats-store") as nats:
        yield asyncio.run(_classification_of_a_host(directory / "data", nats.url))


def _last_line(comment: str) -> str:
    lines = [line.strip() for line in comment.strip().splitlines()]
    return lines[-1] if lines else ""


def test_every_context_has_rpcs_to_check() -> None:
    assert {rpc.context for rpc in RPCS} == {"enrollment", "complaints", "files", "notify"}


def test_common_proto_explains_each_line() -> None:
    [common] = [file for file in _ses_files() if file.name == "ses/common/v1/common.proto"]
    header = " ".join(_leading_comment(common, [_PACKAGE_FIELD]).split())
    for line in LINES:
        assert line in header, f"common.proto's header does not explain {line!r}"
    for entry in ("authorization: Bearer", "idempotency-key", "x-request-id"):
        assert entry in header, f"common.proto's header does not document {entry!r}"


@pytest.mark.parametrize("rpc", [_param(rpc) for rpc in RPCS])
def test_each_rpc_comment_ends_with_its_call_metadata_line(
    rpc: Rpc, kit: KitClassification
) -> None:
    comment = rpc.comment()
    expected = kit.line_for(rpc)
    assert _last_line(comment) == expected, (
        f"{rpc.full_name}: the comment should end with {expected!r}, it ends with "
        f"{_last_line(comment)!r}"
    )
    others = [line for line in LINES if line != expected and line in " ".join(comment.split())]
    assert not others, f"{rpc.full_name} also claims {others}"


def test_the_classification_is_the_kits_own(kit: KitClassification) -> None:
    """Spot checks that the lists come from the plugins, not only from the verbs."""
    assert kit.line_for(_named("/ses.notify.v1.NotifyService/GetOperatingStatus")) == PUBLIC
    assert kit.line_for(_named("/ses.enrollment.v1.AuthService/SignIn")) == PUBLIC
    assert kit.line_for(_named("/ses.complaints.v1.ComplaintsService/IssueFileGrant")) == READ_ONLY
    assert kit.line_for(_named("/ses.files.v1.FilesService/DownloadFile")) == READ_ONLY
    assert kit.line_for(_named("/ses.files.v1.FilesService/UploadChunks")) == STREAMING
    assert kit.line_for(_named("/ses.enrollment.v1.AuthService/SignOut")) == HONOURED


def _named(full_name: str) -> Rpc:
    found = [rpc for rpc in RPCS if rpc.full_name == full_name]
    assert found, f"{full_name} is not in the contract"
    return found[0]


def test_the_streaming_line_names_only_client_streams() -> None:
    """The streaming line promises resumption by offset: only uploads may carry it."""
    for rpc in RPCS:
        if re.search(r"streaming, idempotency-key", " ".join(rpc.comment().split())):
            assert rpc.method.client_streaming, rpc.full_name
