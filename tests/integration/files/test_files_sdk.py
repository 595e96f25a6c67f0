"""The SDK's upload helper against the running service: both flavours, progress, resume."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from files_support import ALICE, MIB, HostHandle, sha256_hex

from ses_core.testing.hosting import bearer
from ses_sdk import (
    AsyncFilesClient,
    FilesClient,
    UploadProgress,
    upload_files,
    upload_files_async,
)
from ses_sdk.common import AttachmentKind

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


def write(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


async def test_the_sync_helper_uploads_a_batch_and_reports_progress(
    files_host: HostHandle, tmp_path: Path
):
    first, second = write(tmp_path / "a.pdf", 2 * MIB + 7), write(tmp_path / "b.csv", 10)
    seen: list[UploadProgress] = []
    token = bearer(files_host.settings, ALICE)

    uploaded = await asyncio.to_thread(
        upload_files,
        files_host.host.address,
        token,
        [tmp_path / "a.pdf", tmp_path / "b.csv"],
        AttachmentKind.RESPONSE,
        progress=seen.append,
        insecure=True,
    )

    assert [f.name for f in uploaded] == ["a.pdf", "b.csv"]
    assert [f.sha256_hex for f in uploaded] == [sha256_hex(first), sha256_hex(second)]
    assert all(f.attach_grant_token for f in uploaded)
    assert seen[-1].batch_bytes_sent == seen[-1].batch_size == len(first) + len(second)
    assert [p.file_bytes_sent for p in seen if p.file_name == "a.pdf"] == [
        MIB,
        2 * MIB,
        2 * MIB + 7,
    ]


async def test_the_async_client_uploads_and_downloads_the_same_bytes(
    files_host: HostHandle, tmp_path: Path
):
    data = write(tmp_path / "big.zip", 3 * MIB + 1)
    token = bearer(files_host.settings, ALICE)
    async with AsyncFilesClient.connect(files_host.host.address, token, insecure=True) as client:
        (uploaded,) = await client.upload_files([tmp_path / "big.zip"], chunk_size=256 * 1024)
        grant = files_host.api(ALICE).grant(uploaded.file_id)
        target = await client.download_file(uploaded.file_id, grant, tmp_path / "copy.zip")

    assert target.read_bytes() == data


async def test_the_module_helper_accepts_an_open_aio_channel(
    files_host: HostHandle, tmp_path: Path
):
    data = write(tmp_path / "note.pdf", 1000)
    token = bearer(files_host.settings, ALICE)

    (uploaded,) = await upload_files_async(files_host.channel, token, [tmp_path / "note.pdf"])

    assert uploaded.sha256_hex == sha256_hex(data)
    assert uploaded.size_bytes == 1000


async def test_a_sync_client_downloads_what_it_uploaded(files_host: HostHandle, tmp_path: Path):
    data = write(tmp_path / "x.pdf", MIB + 3)
    token = bearer(files_host.settings, ALICE)

    def roundtrip() -> bytes:
        with FilesClient.connect(files_host.host.address, token, insecure=True) as client:
            (uploaded,) = client.upload_files([tmp_path / "x.pdf"])
            grant = files_host.api(ALICE).grant(uploaded.file_id)
            return client.download_file(uploaded.file_id, grant, tmp_path / "y.pdf").read_bytes()

    assert await asyncio.to_thread(roundtrip) == data
