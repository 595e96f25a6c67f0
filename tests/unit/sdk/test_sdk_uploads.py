"""The upload state the SDK keeps: chunks to send, hashes that rewind, the journal."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import grpc
import pytest

from ses.files.v1 import files_pb2
from ses_sdk import RetryPolicy, UploadProgress
from ses_sdk._channel import call_metadata
from ses_sdk._journal import Journal
from ses_sdk._prefetch import Prefetcher
from ses_sdk._retry import is_retryable
from ses_sdk._uploads import LocalFile, TrackedFile, UploadSession, start_request
from ses_sdk.common import AttachmentKind


def session_for(
    tmp_path: Path, sizes: list[int], chunk: int = 4
) -> tuple[UploadSession, list[bytes]]:
    contents, tracked = [], []
    for index, size in enumerate(sizes):
        data = os.urandom(size)
        path = tmp_path / f"file-{index}.pdf"
        path.write_bytes(data)
        contents.append(data)
        tracked.append(TrackedFile(LocalFile.of(path), f"id-{index}"))
    return UploadSession("up-1", AttachmentKind.RESPONSE, tracked, chunk), contents


def drain(session: UploadSession) -> list[files_pb2.UploadChunksRequest]:
    source = session.chunks()
    requests = []
    while (request := source.next_request()) is not None:
        requests.append(request)
    source.close()
    return requests


def test_chunks_cover_each_file_from_its_committed_offset(tmp_path: Path):
    session, contents = session_for(tmp_path, [10, 0, 5])
    session.files[0].committed = 4

    requests = drain(session)

    assert [(r.file_id, r.offset, len(r.data)) for r in requests] == [
        ("id-0", 4, 4),
        ("id-0", 8, 2),
        ("id-2", 0, 4),
        ("id-2", 4, 1),
    ]
    assert b"".join(r.data for r in requests[:2]) == contents[0][4:]


def test_the_digest_is_right_however_often_the_stream_restarted(tmp_path: Path):
    session, contents = session_for(tmp_path, [4096], chunk=64)
    drain(session)  # everything read and hashed once ...
    session.files[0].committed = 640  # ... but the server kept only ten chunks
    drain(session)  # resend: the hash rewinds to 640 from a snapshot
    session.files[0].committed = 100  # not on a chunk boundary: rehashed from the file
    drain(session)

    (digest,) = session.digests()

    assert digest.sha256_hex == hashlib.sha256(contents[0]).hexdigest()


def test_progress_counts_the_batch_from_what_was_already_committed(tmp_path: Path):
    session, _ = session_for(tmp_path, [8, 8])
    session.files[0].committed = 8
    source = session.chunks()
    seen: list[UploadProgress] = []
    while source.next_request() is not None:
        assert source.progress is not None
        seen.append(source.progress)
    source.close()

    assert [(p.file_id, p.file_bytes_sent, p.batch_bytes_sent) for p in seen] == [
        ("id-1", 4, 12),
        ("id-1", 8, 16),
    ]
    assert seen[-1].fraction == 1.0


def test_the_prefetcher_reads_ahead_and_stops_cleanly(tmp_path: Path):
    session, contents = session_for(tmp_path, [64], chunk=4)
    prefetcher = Prefetcher(session.chunks(), depth=2)
    first = prefetcher.next()
    assert first is not None
    assert first[0].data == contents[0][:4]
    prefetcher.close()  # with chunks left unread: must not hang


async def test_the_async_prefetcher_hands_every_chunk_to_the_event_loop(tmp_path: Path):
    session, contents = session_for(tmp_path, [50], chunk=8)
    prefetcher = Prefetcher(session.chunks(), depth=2, loop=asyncio.get_running_loop())
    received = b""
    while (produced := await prefetcher.next_async()) is not None:
        received += produced[0].data
    await asyncio.to_thread(prefetcher.close)

    assert received == contents[0]


def test_a_read_error_reaches_the_consumer(tmp_path: Path):
    session, _ = session_for(tmp_path, [16])
    session.files[0].local.path.unlink()
    prefetcher = Prefetcher(session.chunks())

    with pytest.raises(FileNotFoundError):
        prefetcher.next()
    prefetcher.close()


def test_the_journal_resumes_only_the_same_unchanged_files(tmp_path: Path):
    session, _ = session_for(tmp_path, [10, 20])
    journal = Journal(tmp_path / "upload.journal")
    journal.save(session)
    files = [tracked.local for tracked in session.files]

    document = journal.load(files, AttachmentKind.RESPONSE)
    assert document is not None
    resumed = journal.session(document, files, AttachmentKind.RESPONSE)
    assert [t.file_id for t in resumed.files] == ["id-0", "id-1"]
    assert journal.load(files, AttachmentKind.INTERACTION) is None
    assert journal.load(files[:1], AttachmentKind.RESPONSE) is None

    files[0].path.write_bytes(b"changed!!!!")
    changed = [LocalFile.of(f.path) for f in files]
    assert journal.load(changed, AttachmentKind.RESPONSE) is None
    journal.clear()
    assert journal.load(files, AttachmentKind.RESPONSE) is None


def test_the_declared_batch_names_files_by_their_base_name(tmp_path: Path):
    session, _ = session_for(tmp_path, [3])

    request = start_request([session.files[0].local], AttachmentKind.INTERACTION, ["text/csv"])

    assert request.files[0].name == "file-0.pdf"
    assert request.files[0].size_bytes == 3
    assert request.files[0].content_type == "text/csv"


def test_tokens_become_bearer_metadata_with_an_optional_idempotency_key():
    assert call_metadata("abc") == (("authorization", "Bearer abc"),)
    assert call_metadata(lambda: "Bearer xyz", idempotency_key="k") == (
        ("authorization", "Bearer xyz"),
        ("idempotency-key", "k"),
    )


def test_backoff_grows_to_its_ceiling():
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=3.0)

    assert [policy.pause(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]


def test_only_transient_failures_are_retried():
    class Failure(grpc.RpcError):
        def __init__(self, code: grpc.StatusCode) -> None:
            self._code = code

        def code(self) -> grpc.StatusCode:
            return self._code

    assert is_retryable(Failure(grpc.StatusCode.UNAVAILABLE))
    assert not is_retryable(Failure(grpc.StatusCode.INVALID_ARGUMENT))
    assert not is_retryable(ValueError("not grpc"))
