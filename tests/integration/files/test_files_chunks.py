"""UploadChunks: only the committed offset, only declared files, only declared sizes, only
intact chunks; a cut stream resumes from what was committed."""

from __future__ import annotations

import asyncio
import hashlib
import os

import grpc
import pytest
from files_support import (
    ALICE,
    BOB,
    CAROL,
    MIB,
    HostHandle,
    chunked,
    declared,
    error_reason,
    rpc_error,
    sha256_hex,
)

from ses.files.v1 import files_pb2
from ses_core.testing import eventually
from ses_files.hashing import crc32c

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


async def started_file(files_host: HostHandle, size: int, name: str = "a.pdf"):
    started = await files_host.api(ALICE).start([declared(name, size)])
    return started.upload.upload_id, started.upload.files[0].file_id


def chunk(upload_id: str, file_id: str, offset: int, data: bytes, **checks: object):
    return files_pb2.UploadChunksRequest(
        upload_id=upload_id, file_id=file_id, offset=offset, data=data, **checks
    )


async def committed(files_host: HostHandle, upload_id: str) -> list[int]:
    upload = await files_host.api(ALICE).status(upload_id)
    return [f.committed_offset for f in upload.files]


async def test_a_chunk_at_the_wrong_offset_names_where_to_resume(files_host: HostHandle):
    alice = files_host.api(ALICE)
    upload_id, file_id = await started_file(files_host, 30)

    error = await rpc_error(
        alice.send([chunk(upload_id, file_id, 0, b"a" * 10), chunk(upload_id, file_id, 15, b"b")])
    )

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(error) == "offset_mismatch"
    assert "starts at byte 15" in error.details()
    assert "resume from byte 10" in error.details()
    assert await committed(files_host, upload_id) == [10]


@pytest.mark.parametrize(
    "bad",
    [{"crc32c": 1234}, {"sha256": b"\x01" * 32}],
    ids=["crc32c", "sha256"],
)
async def test_a_chunk_failing_its_checksum_is_discarded_and_the_offset_stays(
    files_host: HostHandle, bad: dict[str, object]
):
    alice = files_host.api(ALICE)
    upload_id, file_id = await started_file(files_host, 30)
    good = chunk(
        upload_id,
        file_id,
        0,
        b"a" * 10,
        crc32c=crc32c(b"a" * 10),
        sha256=hashlib.sha256(b"a" * 10).digest(),
    )

    error = await rpc_error(alice.send([good, chunk(upload_id, file_id, 10, b"b" * 10, **bad)]))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == "chunk_checksum_mismatch"
    assert "send it again from byte 10" in error.details()
    assert await committed(files_host, upload_id) == [10]


async def test_bytes_past_the_declared_size_are_refused(files_host: HostHandle):
    alice = files_host.api(ALICE)
    upload_id, file_id = await started_file(files_host, 10)

    error = await rpc_error(alice.send([chunk(upload_id, file_id, 0, b"x" * 11)]))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == "chunk_past_declared_size"
    assert "at most 10 more bytes fit" in error.details()
    assert await committed(files_host, upload_id) == [0]


async def test_a_chunk_over_one_mib_is_refused(files_host: HostHandle):
    alice = files_host.api(ALICE)
    upload_id, file_id = await started_file(files_host, 2 * MIB)

    error = await rpc_error(alice.send([chunk(upload_id, file_id, 0, b"x" * (MIB + 1))]))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == "chunk_too_large"


async def test_an_empty_chunk_is_refused(files_host: HostHandle):
    upload_id, file_id = await started_file(files_host, 10)

    error = await rpc_error(files_host.api(ALICE).send([chunk(upload_id, file_id, 0, b"")]))

    assert error_reason(error) == "chunk_empty"


async def test_chunks_for_an_undeclared_file_are_not_found(files_host: HostHandle):
    upload_id, _ = await started_file(files_host, 10)
    _, other_file = await started_file(files_host, 10)

    error = await rpc_error(files_host.api(ALICE).send([chunk(upload_id, other_file, 0, b"x")]))

    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert error_reason(error) == "file_not_declared"


async def test_one_stream_carries_one_upload(files_host: HostHandle):
    upload_id, file_id = await started_file(files_host, 10)
    other_upload, other_file = await started_file(files_host, 10)

    error = await rpc_error(
        files_host.api(ALICE).send(
            [chunk(upload_id, file_id, 0, b"x"), chunk(other_upload, other_file, 0, b"y")]
        )
    )

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == "mixed_uploads"


@pytest.mark.parametrize("intruder", [BOB, CAROL], ids=["other-agency", "same-agency"])
async def test_nobody_but_the_uploader_can_send_to_or_see_an_upload(
    files_host: HostHandle, intruder
):
    upload_id, file_id = await started_file(files_host, 10)
    stranger = files_host.api(intruder)

    sent = await rpc_error(stranger.send([chunk(upload_id, file_id, 0, b"x")]))
    looked = await rpc_error(stranger.status(upload_id))
    aborted = await rpc_error(stranger.abort(upload_id))

    assert {e.code() for e in (sent, looked, aborted)} == {grpc.StatusCode.NOT_FOUND}
    assert await committed(files_host, upload_id) == [0]


async def test_an_unknown_upload_is_not_found(files_host: HostHandle):
    error = await rpc_error(files_host.api(ALICE).status("no-such-upload"))

    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert "start one with StartUpload" in error.details()


async def test_files_of_a_batch_may_travel_interleaved_on_one_stream(files_host: HostHandle):
    alice = files_host.api(ALICE)
    first, second = os.urandom(3 * MIB), os.urandom(2 * MIB + 5)
    started = await alice.start([declared("one.pdf", len(first)), declared("two.pdf", len(second))])
    upload_id = started.upload.upload_id
    one, two = (f.file_id for f in started.upload.files)
    a, b = chunked(upload_id, one, first), chunked(upload_id, two, second)

    sent = await alice.send([a[0], b[0], a[1], b[1], b[2], a[2]])
    done = await alice.complete(upload_id)

    assert {(p.file_id, p.committed_offset) for p in sent.files} == {
        (one, len(first)),
        (two, len(second)),
    }
    assert [f.sha256_hex for f in done.files] == [sha256_hex(first), sha256_hex(second)]
    assert (await alice.status(upload_id)).state == files_pb2.UPLOAD_STATE_COMPLETED


async def test_a_cut_stream_keeps_every_chunk_it_delivered_and_resumes(files_host: HostHandle):
    alice = files_host.api(ALICE)
    data = os.urandom(6 * MIB + 100)
    upload_id, file_id = await started_file(files_host, len(data), "video.zip")
    chunks = chunked(upload_id, file_id, data)
    delivered = asyncio.Event()

    async def three_then_hang():
        for request in chunks[:3]:
            yield request
        delivered.set()
        await asyncio.Event().wait()

    call = alice.stub.UploadChunks(three_then_hang(), metadata=alice.metadata())
    await delivered.wait()
    await eventually(lambda: committed(files_host, upload_id), timeout=30)  # status answers
    await eventually(
        lambda: _committed_is(files_host, upload_id, 3 * MIB), timeout=30, message="3 MiB"
    )
    call.cancel()  # the connection is cut
    await eventually(lambda: not files_host.deps.locks.held(file_id), timeout=30)

    status = await alice.status(upload_id)
    resume_at = status.files[0].committed_offset
    await alice.send(chunked(upload_id, file_id, data, start=resume_at))
    info = (await alice.complete(upload_id)).files[0]
    _, downloaded = await alice.download(file_id, alice.grant(file_id))

    assert resume_at == 3 * MIB  # nothing delivered was lost, nothing is sent twice
    assert info.sha256_hex == sha256_hex(data)
    assert downloaded == data


async def _committed_is(files_host: HostHandle, upload_id: str, offset: int) -> bool:
    # The server commits on a timer while a stream is idle, so this becomes true without a cut.
    return await committed(files_host, upload_id) == [offset]


async def test_no_chunk_is_accepted_once_the_file_is_complete(files_host: HostHandle):
    alice = files_host.api(ALICE)
    upload_id, file_id = await started_file(files_host, 3)
    await alice.send([chunk(upload_id, file_id, 0, b"abc")])
    await alice.complete(upload_id)

    error = await rpc_error(alice.send([chunk(upload_id, file_id, 3, b"d")]))

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(error) == "upload_completed"
