"""The zero-copy UploadChunks parser agrees with protobuf's own parser on every input.

``ses_files.wire.parse_chunk_request`` walks the request's fields by hand to keep the
chunk data as a view of the received bytes. It must accept exactly what protobuf
accepts, refuse exactly what protobuf refuses, and yield the same field values,
including for concatenated messages (protobuf merges them: the last value wins) and
corrupted bytes.
"""

from __future__ import annotations

import random

import pytest
from google.protobuf.message import DecodeError
from hypothesis import given, settings
from hypothesis import strategies as st

from ses.files.v1 import files_pb2
from ses_files.wire import SPLIT_MIN_BYTES, _split, parse_chunk_request


def _message(rng: random.Random, data_size: int) -> files_pb2.UploadChunksRequest:
    message = files_pb2.UploadChunksRequest(
        upload_id="u" * rng.choice([0, 26]),
        file_id=rng.choice(["", "fé", "f" * 40]),
        offset=rng.choice([0, 5, 2**40]),
        data=rng.randbytes(data_size),
    )
    if rng.random() < 0.5:
        message.crc32c = rng.choice([0, 7, 2**32 - 1])
    if rng.random() < 0.5:
        message.sha256 = rng.randbytes(32)
    return message


def _corrupt(rng: random.Random, raw: bytes) -> bytes:
    damaged = bytearray(raw)
    for _ in range(rng.choice([1, 2, 5])):
        if not damaged:
            break
        at = rng.randrange(len(damaged))
        roll = rng.random()
        if roll < 0.4:
            damaged[at] = rng.randrange(256)
        elif roll < 0.7:
            del damaged[at : at + rng.randrange(1, 4)]
        else:
            damaged[at:at] = rng.randbytes(rng.randrange(1, 4))
    return bytes(damaged)


def _protobuf(raw: bytes) -> files_pb2.UploadChunksRequest | None:
    try:
        return files_pb2.UploadChunksRequest.FromString(raw)
    except DecodeError:
        return None


def _ours(raw: bytes):  # type: ignore[no-untyped-def]
    try:
        return parse_chunk_request(raw)
    except DecodeError:
        return None


def _assert_same(raw: bytes) -> None:
    expected, got = _protobuf(raw), _ours(raw)
    if expected is None:
        assert got is None, "protobuf refuses these bytes, so must the fast parser"
        return
    assert got is not None, "protobuf accepts these bytes, so must the fast parser"
    fields = got.fields
    assert bytes(got.data) == expected.data
    assert (fields.upload_id, fields.file_id, fields.offset) == (
        expected.upload_id,
        expected.file_id,
        expected.offset,
    )
    assert fields.HasField("crc32c") == expected.HasField("crc32c")
    assert (fields.crc32c, fields.sha256) == (expected.crc32c, expected.sha256)


@settings(max_examples=300, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    data_size=st.sampled_from([0, 1, 200, SPLIT_MIN_BYTES - 100, SPLIT_MIN_BYTES + 10]),
    parts=st.integers(1, 2),
    corrupt=st.booleans(),
)
def test_the_fast_parser_matches_protobuf(
    seed: int, data_size: int, parts: int, corrupt: bool
) -> None:
    rng = random.Random(seed)
    raw = b"".join(_message(rng, data_size).SerializeToString() for _ in range(parts))
    if corrupt:
        raw = _corrupt(rng, raw)
    _assert_same(raw)


def test_large_well_formed_requests_take_the_zero_copy_path() -> None:
    rng = random.Random(1)
    raw = _message(rng, SPLIT_MIN_BYTES + 1).SerializeToString()
    assert _split(raw) is not None
    parsed = parse_chunk_request(raw)
    assert isinstance(parsed.data, memoryview)
    assert parsed.fields.data == b""  # the data is not copied into the message


@pytest.mark.parametrize("fields", [17, 100])
def test_requests_with_many_fields_go_to_protobuf_whole(fields: int) -> None:
    unknown = b"".join(bytes([(20 + i % 10) << 3]) + b"\x01" for i in range(fields))
    raw = unknown + files_pb2.UploadChunksRequest(data=b"x" * SPLIT_MIN_BYTES).SerializeToString()
    assert _split(raw) is None
    _assert_same(raw)
