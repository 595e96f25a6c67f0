"""CompleteUpload and AbortUpload: verified before visible, all or nothing, storage reclaimed."""

from __future__ import annotations

import os

import grpc
import pytest
from files_support import (
    ALICE,
    MIB,
    HostHandle,
    chunked,
    declared,
    error_reason,
    published,
    rpc_error,
    sha256_hex,
)

from ses.files.v1 import files_pb2
from ses_core.models.file_events import UploadCompleted
from ses_core.testing import eventually

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


async def test_completing_with_bytes_missing_names_each_file_and_where_to_resume(
    files_host: HostHandle,
):
    alice = files_host.api(ALICE)
    started = await alice.start([declared("a.pdf", 10), declared("b.pdf", 4)])
    upload_id = started.upload.upload_id
    a, b = (f.file_id for f in started.upload.files)
    await alice.send([*chunked(upload_id, a, b"x" * 6), *chunked(upload_id, b, b"y" * 4)])

    error = await rpc_error(alice.complete(upload_id))

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(error) == "files_incomplete"
    assert "a.pdf has 6 bytes of 10 bytes" in error.details()
    assert "resume from byte 6" in error.details()
    assert "b.pdf" not in error.details()
    status = await alice.status(upload_id)
    assert [f.state for f in status.files] == [files_pb2.FILE_STATE_UPLOADING] * 2


async def test_a_half_written_file_is_neither_visible_nor_downloadable(files_host: HostHandle):
    alice = files_host.api(ALICE)
    started = await alice.start([declared("half.pdf", 2 * MIB)])
    upload_id, file_id = started.upload.upload_id, started.upload.files[0].file_id
    await alice.send(chunked(upload_id, file_id, os.urandom(MIB)))

    info = await alice.get_file(file_id)
    error = await rpc_error(alice.download(file_id, alice.grant(file_id)))

    assert info.state == files_pb2.FILE_STATE_UPLOADING
    assert info.attach_grant_token == ""
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert not list((files_host.blob_dir / "objects").rglob(files_host_blob(files_host, file_id)))


def files_host_blob(files_host: HostHandle, file_id: str) -> str:
    from ses_files.repositories import FileRepository

    with files_host.deps.unit_of_work("agency-a") as uow:
        found = uow.repository(FileRepository).find(file_id)
    assert found is not None
    return found.blob_id


async def test_bytes_that_do_not_match_the_declared_sha256_are_discarded(files_host: HostHandle):
    alice = files_host.api(ALICE)
    data, wrong = os.urandom(MIB + 1), os.urandom(MIB + 1)
    started = await alice.start([declared("c.pdf", len(data), sha256_hex(data))])
    upload_id, file_id = started.upload.upload_id, started.upload.files[0].file_id
    await alice.send(chunked(upload_id, file_id, wrong))

    error = await rpc_error(alice.complete(upload_id))
    after = await alice.status(upload_id)
    await alice.send(chunked(upload_id, file_id, data))
    done = await alice.complete(upload_id)

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(error) == "checksum_mismatch"
    assert f"c.pdf (its bytes hash to {sha256_hex(wrong)})" in error.details()
    assert after.files[0].committed_offset == 0
    assert done.files[0].sha256_hex == sha256_hex(data)


async def test_a_digest_sent_with_completion_is_verified_too(files_host: HostHandle):
    alice = files_host.api(ALICE)
    data = os.urandom(1000)
    started = await alice.start([declared("d.pdf", len(data))])
    upload_id, file_id = started.upload.upload_id, started.upload.files[0].file_id
    await alice.send(chunked(upload_id, file_id, data))

    wrong = await rpc_error(alice.complete(upload_id, digests={file_id: "0" * 64}))
    malformed = await rpc_error(alice.complete(upload_id, digests={file_id: "xyz"}))

    assert error_reason(wrong) == "checksum_mismatch"
    assert malformed.code() == grpc.StatusCode.INVALID_ARGUMENT
    await alice.send(chunked(upload_id, file_id, data))
    done = await alice.complete(upload_id, digests={file_id: sha256_hex(data).upper()})
    assert done.files[0].state == files_pb2.FILE_STATE_AVAILABLE


async def test_files_may_complete_one_at_a_time_and_the_upload_completes_with_the_last(
    files_host: HostHandle,
):
    alice = files_host.api(ALICE)
    started = await alice.start([declared("e.pdf", 3), declared("f.pdf", 0)])
    upload_id = started.upload.upload_id
    e, f = (file.file_id for file in started.upload.files)
    await alice.send(chunked(upload_id, e, b"abc"))

    first = await alice.complete(upload_id, [e])
    midway = await alice.status(upload_id)
    second = await alice.complete(upload_id, [f])
    again = await alice.complete(upload_id)

    assert [i.file_id for i in first.files] == [e]
    assert midway.state == files_pb2.UPLOAD_STATE_OPEN
    assert second.files[0].size_bytes == 0
    assert second.files[0].sha256_hex == sha256_hex(b"")
    assert (await alice.status(upload_id)).state == files_pb2.UPLOAD_STATE_COMPLETED
    assert {i.file_id for i in again.files} == {e, f}  # completing again is harmless


async def test_completion_publishes_upload_completed_and_hands_out_an_attach_grant(
    files_host: HostHandle,
):
    alice = files_host.api(ALICE)
    data = os.urandom(5000)

    info = await alice.upload("g.pdf", data)
    grant = files_host.signer.verify(info.attach_grant_token, now=files_host.deps.now())
    events = await eventually(
        lambda: _completed(files_host, info.file_id), timeout=30, message="UploadCompleted"
    )

    assert (grant.file_id, grant.user_id, grant.action, grant.tenant_id) == (
        info.file_id,
        "u-alice",
        "attach",
        "agency-a",
    )
    (event,) = events
    assert (event.name, event.size_bytes, event.sha256_hex) == ("g.pdf", 5000, sha256_hex(data))
    assert (event.tenant_id, event.actor_id, event.kind) == ("agency-a", "u-alice", "response")


async def _completed(files_host: HostHandle, file_id: str) -> list[UploadCompleted]:
    return [e for e in await published(files_host.host, UploadCompleted) if e.file_id == file_id]


async def test_aborting_reclaims_unfinished_files_and_keeps_completed_ones(files_host: HostHandle):
    alice = files_host.api(ALICE)
    kept, dropped = os.urandom(100), os.urandom(MIB)
    started = await alice.start([declared("keep.pdf", 100), declared("drop.pdf", 2 * MIB)])
    upload_id = started.upload.upload_id
    keep_id, drop_id = (f.file_id for f in started.upload.files)
    await alice.send([*chunked(upload_id, keep_id, kept), *chunked(upload_id, drop_id, dropped)])
    await alice.complete(upload_id, [keep_id])
    partial = files_host.blob_dir / "partial" / files_host_blob(files_host, drop_id)
    assert partial.exists()

    await alice.abort(upload_id)
    await alice.abort(upload_id)  # again: nothing left to do, no error

    status = await alice.status(upload_id)
    assert status.state == files_pb2.UPLOAD_STATE_ABORTED
    assert [f.state for f in status.files] == [
        files_pb2.FILE_STATE_AVAILABLE,
        files_pb2.FILE_STATE_ABORTED,
    ]
    assert not partial.exists()
    _, downloaded = await alice.download(keep_id, alice.grant(keep_id))
    assert downloaded == kept
    rest = chunked(upload_id, drop_id, dropped + dropped, start=MIB)
    late = await rpc_error(alice.send(rest))
    assert late.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_completed_upload_cannot_be_aborted(files_host: HostHandle):
    alice = files_host.api(ALICE)
    started = await alice.start([declared("h.pdf", 0)])
    await alice.complete(started.upload.upload_id)

    error = await rpc_error(alice.abort(started.upload.upload_id))

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "stay available" in error.details()


async def test_completing_an_undeclared_file_is_not_found(files_host: HostHandle):
    alice = files_host.api(ALICE)
    started = await alice.start([declared("i.pdf", 0)])

    error = await rpc_error(alice.complete(started.upload.upload_id, ["nope"]))

    assert error.code() == grpc.StatusCode.NOT_FOUND
