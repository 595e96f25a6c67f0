"""StartUpload: the declared batch is judged against the limits before any byte moves."""

from __future__ import annotations

import grpc
import pytest
from files_support import ALICE, INTERACTION, MIB, HostHandle, declared, error_reason, rpc_error

from ses.common.v1 import common_pb2
from ses.files.v1 import files_pb2
from ses_core.testing import error_details

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

GIB = 1024 * MIB


async def test_twenty_five_files_are_one_batch_and_a_twenty_sixth_is_refused(
    files_host: HostHandle,
):
    alice = files_host.api(ALICE)
    files = [declared(f"doc-{n}.pdf", 1) for n in range(26)]

    started = await alice.start(files[:25])
    error = await rpc_error(alice.start(files))

    assert len(started.upload.files) == 25
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == "too_many_files"
    assert "26 files in one upload; the limit is 25" in error.details()


async def test_a_name_of_200_characters_is_accepted_and_201_refused(files_host: HostHandle):
    alice = files_host.api(ALICE)

    started = await alice.start([declared("a" * 196 + ".pdf", 1)])
    error = await rpc_error(alice.start([declared("a" * 197 + ".pdf", 1)]))

    assert started.upload.files[0].name == "a" * 196 + ".pdf"
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == "name_too_long"
    assert "201 characters long; the limit is 200" in error.details()


async def test_exactly_one_gib_is_accepted_and_one_byte_more_refused(files_host: HostHandle):
    alice = files_host.api(ALICE)

    started = await alice.start([declared("big.zip", GIB)])
    error = await rpc_error(alice.start([declared("bigger.zip", GIB + 1)]))

    assert started.upload.files[0].size_bytes == GIB
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == "file_too_large"
    assert "bigger.zip is 1,073,741,825 bytes; the limit is 1 GiB" in error.details()
    assert "zip it, split it or attach a file-sharing link" in error.details()


async def test_interaction_files_stop_at_25_mib(files_host: HostHandle):
    alice = files_host.api(ALICE)

    await alice.start([declared("chat.pdf", 25 * MIB)], INTERACTION)
    error = await rpc_error(alice.start([declared("chat.pdf", 25 * MIB + 1)], INTERACTION))

    assert error_reason(error) == "file_too_large"
    assert "Interactions tab" in error.details()


async def test_a_refused_batch_leaves_nothing_behind(files_host: HostHandle):
    alice = files_host.api(ALICE)
    before = files_host.stored_paths()

    await rpc_error(alice.start([declared("fine.pdf", 1), declared("../../escape", 1)]))

    assert files_host.stored_paths() == before


R = common_pb2.ATTACHMENT_KIND_RESPONSE
FINE = declared("fine.pdf", 1)


@pytest.mark.parametrize(
    ("files", "kind", "reason", "field"),
    [
        ([], R, "empty_batch", "files"),
        ([FINE] * 26, R, "too_many_files", "files"),
        ([declared("a.pdf", 1)], common_pb2.ATTACHMENT_KIND_UNSPECIFIED, "kind_missing", "kind"),
        ([declared("a.pdf", -1)], R, "negative_size", "files[0].size_bytes"),
        ([FINE, declared("a.pdf", 1, "abc")], R, "checksum_malformed", "files[1].sha256_hex"),
        ([declared("", 1)], R, "name_empty", "files[0].name"),
        ([FINE, declared("..", 1)], R, "name_reserved", "files[1].name"),
        ([declared("a/b.pdf", 1)], R, "name_forbidden_character", "files[0].name"),
        ([declared("a\0.pdf", 1)], R, "name_forbidden_character", "files[0].name"),
        ([declared("   ", 1)], R, "name_blank", "files[0].name"),
    ],
)
async def test_bad_declarations_are_refused_with_their_reason_and_field(
    files_host: HostHandle, files: list[files_pb2.DeclaredFile], kind: int, reason: str, field: str
):
    error = await rpc_error(files_host.api(ALICE).start(files, kind))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == reason
    assert [v.field for v in error_details(error).field_violations] == [field]
    assert error.details().endswith((".", "link", "rest"))


async def test_a_media_type_with_control_characters_is_refused(files_host: HostHandle):
    bad = files_pb2.DeclaredFile(name="a.pdf", size_bytes=1, content_type="text/plain\n")

    error = await rpc_error(files_host.api(ALICE).start([FINE, bad]))

    assert error_reason(error) == "content_type_invalid"
    assert [v.field for v in error_details(error).field_violations] == ["files[1].content_type"]


async def test_the_answer_says_how_large_chunks_may_be_and_warns_about_odd_formats(
    files_host: HostHandle,
):
    started = await files_host.api(ALICE).start(
        [declared("report.pdf", 10, "A" * 64), declared("photo.heic", 10)]
    )

    assert started.max_chunk_bytes == MIB
    assert started.upload.state == files_pb2.UPLOAD_STATE_OPEN
    assert [f.committed_offset for f in started.upload.files] == [0, 0]
    assert [f.state for f in started.upload.files] == [files_pb2.FILE_STATE_UPLOADING] * 2
    (warning,) = started.warnings
    assert warning.startswith("photo.heic is not in a recommended format")
    hours = (started.upload.expires_at.seconds - started.upload.created_at.seconds) / 3600
    assert hours == 24


async def test_a_retried_start_with_the_same_idempotency_key_is_one_upload(
    files_host: HostHandle,
):
    alice = files_host.api(ALICE)
    request = files_pb2.StartUploadRequest(
        kind=common_pb2.ATTACHMENT_KIND_RESPONSE, files=[declared("a.pdf", 5)]
    )
    metadata = alice.metadata(**{"idempotency-key": "start-once-123"})

    first = await alice.stub.StartUpload(request, metadata=metadata)
    second = await alice.stub.StartUpload(request, metadata=metadata)

    assert first.upload.upload_id == second.upload.upload_id


async def test_calls_without_a_token_are_unauthenticated(files_host: HostHandle):
    request = files_pb2.StartUploadRequest(
        kind=common_pb2.ATTACHMENT_KIND_RESPONSE, files=[declared("a.pdf", 5)]
    )

    error = await rpc_error(files_host.stub.StartUpload(request))

    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
