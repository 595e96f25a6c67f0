"""The SDK writes UploadChunks requests by hand: byte for byte what protobuf would write."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ses.files.v1 import files_pb2
from ses_sdk._uploads import ChunkRequest


@settings(max_examples=200, deadline=None)
@given(
    upload_id=st.text(max_size=40),
    file_id=st.text(max_size=40),
    offset=st.integers(0, 2**63 - 1),
    data=st.binary(max_size=70_000),
)
def test_a_chunk_request_serializes_exactly_like_protobuf(
    upload_id: str, file_id: str, offset: int, data: bytes
) -> None:
    ours = ChunkRequest(upload_id=upload_id, file_id=file_id, offset=offset, data=data)
    theirs = files_pb2.UploadChunksRequest(
        upload_id=upload_id, file_id=file_id, offset=offset, data=data
    )
    assert ours.serialize() == theirs.SerializeToString(deterministic=True)
    assert files_pb2.UploadChunksRequest.FromString(ours.serialize()) == theirs
