"""Unfinished uploads expire after settings.files.upload_expiry; their storage is reclaimed."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from files_support import (
    ALICE,
    MIB,
    HostHandle,
    chunked,
    declared,
    error_reason,
    published,
    rpc_error,
)

from ses.files.v1 import files_pb2
from ses_core.models.file_events import FileExpired
from ses_core.ports import FixedClock
from ses_core.testing import NatsServerProcess, eventually
from ses_core.testing.hosting import host_settings, hosted
from ses_files.bootstrap import FilesPlugin
from ses_files.expiry import expire_due_uploads

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

START = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def clock() -> FixedClock:
    return FixedClock(START)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def expiring_host(
    module_dir: Path, module_nats: NatsServerProcess, files_database: str, clock: FixedClock
) -> AsyncIterator[HostHandle]:
    settings = host_settings(
        module_dir / f"data-{uuid.uuid4().hex[:8]}",
        nats_url=module_nats.url,
        database_urls={"files": files_database},
    )
    plugin = FilesPlugin(expiry_interval=0.1)
    async with (
        hosted(settings, [plugin], clock=clock) as host,
        HostHandle.open(host, plugin) as handle,
    ):
        yield handle


async def test_an_upload_left_unfinished_expires_and_its_bytes_are_reclaimed(
    expiring_host: HostHandle, clock: FixedClock
):
    alice = expiring_host.api(ALICE)
    started = await alice.start([declared("left.pdf", 3 * MIB), declared("done.pdf", 10)])
    upload_id = started.upload.upload_id
    left, done = (f.file_id for f in started.upload.files)
    await alice.send(
        [*chunked(upload_id, left, os.urandom(MIB)), *chunked(upload_id, done, b"d" * 10)]
    )
    await alice.complete(upload_id, [done])
    partials = list((expiring_host.blob_dir / "partial").iterdir())
    assert len(partials) == 1

    clock.advance(timedelta(hours=24))

    status = await eventually(
        lambda: _expired(alice, upload_id), timeout=30, message="the upload to expire"
    )
    assert [f.state for f in status.files] == [
        files_pb2.FILE_STATE_EXPIRED,
        files_pb2.FILE_STATE_AVAILABLE,
    ]
    assert not partials[0].exists()
    assert (await alice.get_file(done)).state == files_pb2.FILE_STATE_AVAILABLE
    events = await eventually(lambda: _expired_events(expiring_host, left), timeout=30)
    assert [(e.name, e.committed_offset, e.upload_id) for e in events] == [
        ("left.pdf", MIB, upload_id)
    ]
    late = await rpc_error(alice.send(chunked(upload_id, left, os.urandom(2 * MIB), start=MIB)))
    assert late.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(late) == "upload_expired"


async def test_an_upload_within_its_lifetime_is_left_alone(
    expiring_host: HostHandle, clock: FixedClock
):
    alice = expiring_host.api(ALICE)
    started = await alice.start([declared("young.pdf", 10)])
    upload_id = started.upload.upload_id

    clock.advance(timedelta(hours=23, minutes=59))
    await asyncio.to_thread(expire_due_uploads, expiring_host.deps)  # a pass at this time

    assert (await alice.status(upload_id)).state == files_pb2.UPLOAD_STATE_OPEN


async def _expired(alice, upload_id: str) -> files_pb2.Upload | None:
    status = await alice.status(upload_id)
    return status if status.state == files_pb2.UPLOAD_STATE_EXPIRED else None


async def _expired_events(handle: HostHandle, file_id: str) -> list[FileExpired]:
    return [e for e in await published(handle.host, FileExpired) if e.file_id == file_id]
