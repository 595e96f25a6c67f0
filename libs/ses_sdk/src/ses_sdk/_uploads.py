"""The resumable-upload state both clients share: what was declared, how far each file
got, the running SHA-256 of each file, the chunks still to send, and the journal.

Hashing while streaming: each file's SHA-256 grows as its chunks are read, and is sent
with CompleteUpload, which refuses a file whose stored bytes hash differently. When a
stream fails, the server's committed offset may be behind what was read; the hash is
rewound to that offset from a short trail of snapshots (``hashlib`` objects copy
cheaply), or recomputed from the local file when the trail does not reach back.

Chunk requests are serialized by ``ChunkRequest``: building an ``UploadChunksRequest``
copies the chunk into the message and serializing it copies it again; one copy is
enough (0.1 ms of CPU per MiB, a sixth of what streaming costs the client;
bench/RESULTS.md). The bytes are exactly what protobuf produces.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ses.common.v1 import common_pb2
from ses.files.v1 import files_pb2
from ses_sdk._generated.common import AttachmentKind

MIB = 1024 * 1024
DEFAULT_CHUNK_BYTES = MIB
UPLOAD_CHUNKS_METHOD = "/ses.files.v1.FilesService/UploadChunks"
_TRAIL = 64  # hash snapshots kept per file: rewinds over up to 64 chunks are free


@dataclass(frozen=True)
class UploadProgress:
    """Where an upload stands; passed to the ``progress`` callback after every chunk."""

    file_name: str
    file_id: str
    file_bytes_sent: int
    file_size: int
    batch_bytes_sent: int
    batch_size: int

    @property
    def fraction(self) -> float:
        """Share of the whole batch sent, 0.0 to 1.0."""
        return 1.0 if self.batch_size == 0 else self.batch_bytes_sent / self.batch_size


ProgressCallback = Callable[[UploadProgress], None]


@dataclass(frozen=True)
class UploadedFile:
    """A file the service verified and made available."""

    path: Path
    file_id: str
    name: str
    size_bytes: int
    sha256_hex: str
    # Proof for ComplaintsService that you uploaded the file: pass it when attaching.
    attach_grant_token: str


@dataclass(frozen=True)
class LocalFile:
    """A file to upload; ``name`` is the name SES shows (by default the local file's)."""

    path: Path
    size: int
    mtime_ns: int
    name: str = ""

    @classmethod
    def of(cls, path: Path | str, name: str = "") -> LocalFile:
        resolved = Path(path).resolve()
        stat = resolved.stat()
        if not resolved.is_file():
            raise IsADirectoryError(f"{resolved} is not a regular file; upload files only.")
        return cls(resolved, stat.st_size, stat.st_mtime_ns, name or resolved.name)

    @classmethod
    def batch(cls, paths: Sequence[Path | str], names: Sequence[str] = ()) -> list[LocalFile]:
        """The files of one upload; ``names`` (when given, one per path) declare the names
        SES shows, independent of the local file names."""
        if names and len(names) != len(paths):
            raise ValueError(f"Give one name per file: {len(paths)} files, {len(names)} names.")
        chosen = list(names) or [""] * len(paths)
        return [cls.of(path, name) for path, name in zip(paths, chosen, strict=True)]


@dataclass(frozen=True, slots=True)
class ChunkRequest:
    """One ``UploadChunksRequest``; ``serialize`` is its gRPC request serializer."""

    upload_id: str
    file_id: str
    offset: int
    data: bytes

    def serialize(self) -> bytes:
        """Protobuf encodes every field but the data (field 4, the last one, so protobuf
        would write it last too); the data's tag and length are added by hand."""
        head = files_pb2.UploadChunksRequest(
            upload_id=self.upload_id, file_id=self.file_id, offset=self.offset
        ).SerializeToString()
        if not self.data:
            return head
        return b"".join((head, _DATA_TAG, _varint(len(self.data)), self.data))


_DATA_TAG = bytes([4 << 3 | 2])  # field 4, length-delimited


def _varint(value: int) -> bytes:
    encoded = bytearray()
    while value > 0x7F:
        encoded.append(value & 0x7F | 0x80)
        value >>= 7
    encoded.append(value)
    return bytes(encoded)


class _HashTrail:
    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self.position = 0
        self._snapshots: deque[tuple[int, Any]] = deque(maxlen=_TRAIL)

    def update(self, data: bytes) -> None:
        self._digest.update(data)
        self.position += len(data)
        self._snapshots.append((self.position, self._digest.copy()))

    def rewind(self, position: int, path: Path) -> None:
        """Be the hash of the file's first ``position`` bytes."""
        if position == self.position:
            return
        for at, snapshot in reversed(self._snapshots):
            if at == position:
                self._digest, self.position = snapshot.copy(), position
                return
        if position < self.position:
            self._digest, self.position = hashlib.sha256(), 0
            self._snapshots.clear()
        with path.open("rb") as handle:
            handle.seek(self.position)
            while self.position < position:
                data = handle.read(min(MIB, position - self.position))
                if not data:
                    raise RuntimeError(f"{path} shrank while it was being uploaded.")
                self.update(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


@dataclass
class TrackedFile:
    local: LocalFile
    file_id: str
    committed: int = 0

    def __post_init__(self) -> None:
        self.hash = _HashTrail()

    @property
    def name(self) -> str:
        return self.local.name or self.local.path.name


class UploadSession:
    """One upload batch on its way: ids, committed offsets, hashes, chunk size."""

    def __init__(
        self,
        upload_id: str,
        kind: AttachmentKind,
        files: Sequence[TrackedFile],
        chunk_size: int,
    ) -> None:
        self.upload_id = upload_id
        self.kind = kind
        self.files = list(files)
        self.chunk_size = chunk_size
        self._by_id = {tracked.file_id: tracked for tracked in self.files}

    @classmethod
    def started(
        cls,
        response: files_pb2.StartUploadResponse,
        kind: AttachmentKind,
        local: Sequence[LocalFile],
        chunk_size: int,
    ) -> UploadSession:
        declared = response.upload.files
        pairs = zip(local, declared, strict=True)
        tracked = [TrackedFile(file, entry.file_id) for file, entry in pairs]
        limit = response.max_chunk_bytes or chunk_size
        return cls(response.upload.upload_id, kind, tracked, min(chunk_size, limit))

    @property
    def size(self) -> int:
        return sum(tracked.local.size for tracked in self.files)

    @property
    def finished(self) -> bool:
        return all(tracked.committed == tracked.local.size for tracked in self.files)

    def committed(self) -> int:
        return sum(tracked.committed for tracked in self.files)

    def apply_progress(self, progress: Sequence[files_pb2.FileProgress]) -> None:
        for entry in progress:
            if entry.file_id in self._by_id:
                self._by_id[entry.file_id].committed = entry.committed_offset

    def apply_status(self, upload: files_pb2.Upload) -> None:
        for entry in upload.files:
            if entry.file_id in self._by_id:
                self._by_id[entry.file_id].committed = entry.committed_offset

    def digests(self) -> list[files_pb2.FileDigest]:
        for tracked in self.files:
            tracked.hash.rewind(tracked.local.size, tracked.local.path)
        return [
            files_pb2.FileDigest(file_id=tracked.file_id, sha256_hex=tracked.hash.hexdigest())
            for tracked in self.files
        ]

    def chunks(self) -> ChunkSource:
        return ChunkSource(self)


class ChunkSource:
    """The chunk requests still to send, read (and hashed) one at a time; blocking."""

    def __init__(self, session: UploadSession) -> None:
        self._session = session
        self._pending = [t for t in session.files if t.committed < t.local.size]
        self._handle: Any = None
        self._current: TrackedFile | None = None
        self._offset = 0
        self._sent_before = session.committed()
        self.progress: UploadProgress | None = None

    def next_request(self) -> ChunkRequest | None:
        while True:
            if self._current is None:
                if not self._pending:
                    return None
                self._open(self._pending.pop(0))
            assert self._current is not None
            tracked = self._current
            wanted = min(self._session.chunk_size, tracked.local.size - self._offset)
            data = self._handle.read(wanted)
            if data:
                break
            self._close()
        offset = self._offset
        tracked.hash.update(data)
        self._offset += len(data)
        self._sent_before += len(data)
        self.progress = UploadProgress(
            tracked.name,
            tracked.file_id,
            self._offset,
            tracked.local.size,
            self._sent_before,
            self._session.size,
        )
        return ChunkRequest(self._session.upload_id, tracked.file_id, offset, data)

    def close(self) -> None:
        self._close()

    def _open(self, tracked: TrackedFile) -> None:
        tracked.hash.rewind(tracked.committed, tracked.local.path)
        self._handle = tracked.local.path.open("rb")
        self._handle.seek(tracked.committed)
        self._current, self._offset = tracked, tracked.committed

    def _close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle, self._current = None, None


def start_request(
    files: Sequence[LocalFile], kind: AttachmentKind, content_types: Sequence[str] = ()
) -> files_pb2.StartUploadRequest:
    types = [*content_types, *[""] * (len(files) - len(content_types))][: len(files)]
    return files_pb2.StartUploadRequest(
        kind=common_pb2.AttachmentKind.ValueType(AttachmentKind(kind).value),
        files=[
            files_pb2.DeclaredFile(
                name=f.name or f.path.name, size_bytes=f.size, content_type=media
            )
            for f, media in zip(files, types, strict=True)
        ],
    )


def uploaded_files(
    session: UploadSession, response: files_pb2.CompleteUploadResponse
) -> list[UploadedFile]:
    by_id = {info.file_id: info for info in response.files}
    return [
        UploadedFile(
            path=t.local.path,
            file_id=t.file_id,
            name=by_id[t.file_id].name,
            size_bytes=by_id[t.file_id].size_bytes,
            sha256_hex=by_id[t.file_id].sha256_hex,
            attach_grant_token=by_id[t.file_id].attach_grant_token,
        )
        for t in session.files
        if t.file_id in by_id
    ]
