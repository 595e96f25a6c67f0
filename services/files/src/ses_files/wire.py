"""UploadChunks requests parsed without copying their data.

gRPC hands the service each request as one ``bytes``; protobuf's parser copies the
chunk out of it into its message, and reading ``.data`` copies it once more: two copies
and two allocations of every byte received, about 0.2 ms of CPU per MiB on the
benchmark machine (bench/RESULTS.md). ``parse_chunk_request`` walks the request's
top-level fields instead, keeps the data as a view of the received bytes, and hands
everything else (a few dozen bytes: ids, offset, checksums) to protobuf's own parser,
so those fields are validated exactly as before. Anything unusual (a truncated or
malformed field, data with the wrong wire type, a group, more than ``MAX_FIELDS``
fields, so that a hostile request cannot make Python walk millions of them) goes to
protobuf's parser whole, which accepts or refuses it as it always did; so do requests
under ``SPLIT_MIN_BYTES``, for which the copies cost less than walking the fields in
Python (about 10 µs a request).
"""

from __future__ import annotations

from dataclasses import dataclass

from ses.files.v1 import files_pb2

SPLIT_MIN_BYTES = 128 * 1024
MAX_FIELDS = 16  # the request has 6; room for fields a newer client may add
_DATA_FIELD = 4
_VARINT, _FIXED64, _DELIMITED, _FIXED32 = 0, 1, 2, 5


@dataclass(frozen=True, slots=True)
class ReceivedChunk:
    """An ``UploadChunksRequest``: ``fields`` holds all but the data, which is ``data``."""

    fields: files_pb2.UploadChunksRequest
    data: bytes | memoryview

    @classmethod
    def of(cls, request: files_pb2.UploadChunksRequest | ReceivedChunk) -> ReceivedChunk:
        """Either form a stream may deliver (protobuf's parser or ``parse_chunk_request``)."""
        if isinstance(request, ReceivedChunk):
            return request
        return cls(request, request.data)


def parse_chunk_request(raw: bytes) -> ReceivedChunk:
    """The gRPC request deserializer of UploadChunks."""
    split = _split(raw) if len(raw) >= SPLIT_MIN_BYTES else None
    if split is None:
        return ReceivedChunk.of(files_pb2.UploadChunksRequest.FromString(raw))
    others, data = split
    return ReceivedChunk(files_pb2.UploadChunksRequest.FromString(others), data)


def _split(raw: bytes) -> tuple[bytes, memoryview] | None:
    """(the request without its data fields, the last data field's bytes), or None when
    the request is not plainly well-formed. The last occurrence wins, as in protobuf."""
    view = memoryview(raw)
    others: list[memoryview] = []
    data = view[:0]
    position, size = 0, len(raw)
    while position < size:
        if len(others) >= MAX_FIELDS:
            return None
        start = position
        key, position = _varint(raw, position)
        kind = key & 7
        if kind == _VARINT:
            _, position = _varint(raw, position)
        elif kind == _FIXED64:
            position += 8
        elif kind == _FIXED32:
            position += 4
        elif kind == _DELIMITED:
            length, position = _varint(raw, position)
            if key >> 3 == _DATA_FIELD and position + length <= size:
                data = view[position : position + length]
                position += length
                continue
            position += length
        else:
            return None
        if position > size or key >> 3 == _DATA_FIELD:
            return None
        others.append(view[start:position])
    return b"".join(others), data


def _varint(raw: bytes, position: int) -> tuple[int, int]:
    """The varint at ``position`` and where it ends; a broken one ends past the input."""
    value = shift = 0
    for index in range(position, min(position + 10, len(raw))):
        byte = raw[index]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, index + 1
        shift += 7
    return 0, len(raw) + 1
