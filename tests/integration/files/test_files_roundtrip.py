"""The whole path: declare, stream, complete, download with a grant — byte for byte."""

from __future__ import annotations

import os

import pytest
from files_support import ALICE, MIB, HostHandle, sha256_hex

from ses.files.v1 import files_pb2

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


async def test_a_file_uploaded_in_chunks_downloads_byte_identical(files_host: HostHandle):
    alice = files_host.api(ALICE)
    data = os.urandom(3 * MIB + 12345)

    info = await alice.upload("report.pdf", data)

    assert info.state == files_pb2.FILE_STATE_AVAILABLE
    assert info.sha256_hex == sha256_hex(data)
    assert info.size_bytes == len(data)
    _, downloaded = await alice.download(info.file_id, alice.grant(info.file_id))
    assert downloaded == data
