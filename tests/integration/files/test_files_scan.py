"""The malware-scan hook: a real TCP server speaking clamd's INSTREAM protocol decides."""

from __future__ import annotations

import asyncio
import struct
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from files_support import ALICE, BOB, HostHandle, error_reason, published, rpc_error

from ses.files.v1 import files_pb2
from ses_core.models.file_events import FileScanned
from ses_core.testing import NatsServerProcess, eventually
from ses_core.testing.hosting import host_settings, hosted
from ses_files.bootstrap import FilesPlugin

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd:
    """clamd's INSTREAM: ``zINSTREAM\\0``, then (4-byte length, data)*, then a zero length;
    answers ``stream: OK`` or ``stream: <signature> FOUND``. ``gate`` holds verdicts back."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.gate.set()
        self.scanned = 0
        self.server: asyncio.Server | None = None

    @property
    def address(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"{host}:{port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        command = await reader.readuntil(b"\0")
        assert command == b"zINSTREAM\0"
        data = bytearray()
        while length := struct.unpack("!L", await reader.readexactly(4))[0]:
            data += await reader.readexactly(length)
        await self.gate.wait()
        self.scanned += 1
        verdict = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
        writer.write(verdict)
        await writer.drain()
        writer.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def clamd() -> AsyncIterator[FakeClamd]:
    fake = FakeClamd()
    await fake.start()
    yield fake
    assert fake.server is not None
    fake.server.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def scanning_host(
    module_dir: Path, module_nats: NatsServerProcess, clamd: FakeClamd
) -> AsyncIterator[HostHandle]:
    settings = host_settings(
        module_dir / f"data-{uuid.uuid4().hex[:8]}",
        nats_url=module_nats.url,
        database_urls={"files": ""},
        files={"clamd_address": clamd.address},
    )
    plugin = FilesPlugin(scan_interval=0.2)
    async with hosted(settings, [plugin]) as host, HostHandle.open(host, plugin) as handle:
        yield handle


async def scan_status(handle: HostHandle, file_id: str) -> int:
    return (await handle.api(ALICE).get_file(file_id)).scan_status


async def test_a_clean_file_is_marked_clean_and_downloads(scanning_host: HostHandle):
    alice = scanning_host.api(ALICE)
    info = await alice.upload("clean.pdf", b"nothing to see here" * 100)

    await eventually(
        lambda: _status_is(scanning_host, info.file_id, files_pb2.SCAN_STATUS_CLEAN), timeout=30
    )
    _, data = await alice.download(info.file_id, alice.grant(info.file_id))

    assert data == b"nothing to see here" * 100
    events = await eventually(lambda: _scanned(scanning_host, info.file_id), timeout=30)
    assert [e.scan_status for e in events] == ["clean"]


async def test_an_infected_file_can_never_be_downloaded(scanning_host: HostHandle):
    alice, bob = scanning_host.api(ALICE), scanning_host.api(BOB)
    info = await alice.upload("invoice.pdf", b"header " + EICAR + b" trailer")

    await eventually(
        lambda: _status_is(scanning_host, info.file_id, files_pb2.SCAN_STATUS_INFECTED), timeout=30
    )
    error = await rpc_error(bob.download(info.file_id, bob.grant(info.file_id)))

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(error) == "file_infected"
    assert "Eicar-Test-Signature" in error.details()
    events = await eventually(lambda: _scanned(scanning_host, info.file_id), timeout=30)
    assert [e.scan_status for e in events] == ["infected"]


async def test_a_file_waits_for_its_verdict_before_it_can_be_downloaded(
    scanning_host: HostHandle, clamd: FakeClamd
):
    alice = scanning_host.api(ALICE)
    clamd.gate.clear()
    try:
        info = await alice.upload("pending.pdf", b"wait for me")
        error = await rpc_error(alice.download(info.file_id, alice.grant(info.file_id)))
    finally:
        clamd.gate.set()

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(error) == "file_scan_pending"
    await eventually(
        lambda: _status_is(scanning_host, info.file_id, files_pb2.SCAN_STATUS_CLEAN), timeout=30
    )


async def _status_is(handle: HostHandle, file_id: str, wanted: int) -> bool:
    return await scan_status(handle, file_id) == wanted


async def _scanned(handle: HostHandle, file_id: str) -> list[FileScanned]:
    return [e for e in await published(handle.host, FileScanned) if e.file_id == file_id]
