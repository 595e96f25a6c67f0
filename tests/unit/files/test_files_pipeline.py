"""The chunk pipeline: order, exact offsets after a bad chunk, bounded memory, durability."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Mapping

import pytest

from ses_core.errors import PreconditionFailed, UploadRejected
from ses_core.testing import eventually
from ses_files.hashing import RunningHash, crc32c
from ses_files.pipeline import Chunk, ChunkPipeline, Target


class MemoryWriter:
    def __init__(self, gate: threading.Event | None = None) -> None:
        self.data = bytearray()
        self.synced = 0
        self.gate = gate

    def write(self, offset: int, data: bytes) -> None:
        if self.gate is not None:
            self.gate.wait(10)
        assert offset == len(self.data)
        self.data += data

    def sync(self) -> None:
        self.synced = len(self.data)

    def close(self) -> None:
        pass


class Ledger:
    """Committed offsets, as the database would hold them; optionally refusing."""

    def __init__(self, refuse: bool = False) -> None:
        self.offsets: dict[str, int] = {}
        self.refuse = refuse
        self.released: list[str] = []

    def commit(self, advances: Mapping[str, tuple[int, int]]) -> list[str]:
        if self.refuse:
            return list(advances)
        for file_id, (old, new) in advances.items():
            assert self.offsets.get(file_id, 0) == old
            self.offsets[file_id] = new
        return []

    def finished(self, targets: list[Target]) -> None:
        self.released.extend(target.file_id for target in targets)


def target(writer: MemoryWriter, size: int = 100) -> Target:
    return Target("f", "a.pdf", size, writer, RunningHash(), accepted=0, durable=0)


async def test_chunks_are_written_in_order_hashed_and_committed():
    ledger, writer = Ledger(), MemoryWriter()
    pipeline = ChunkPipeline(ledger.commit, ledger.finished, sync_bytes=4)
    file = target(writer)
    pipeline.add_target(file)
    for offset in range(0, 30, 3):
        await pipeline.submit(Chunk(file, offset, bytes([offset]) * 3))
    await pipeline.settle()
    pipeline.close()
    await pipeline.wait_closed()

    expected = b"".join(bytes([offset]) * 3 for offset in range(0, 30, 3))
    assert bytes(writer.data) == expected
    assert ledger.offsets == {"f": 30}
    assert file.durable == 30
    assert writer.synced == 30
    assert file.running_hash is not None
    assert file.running_hash.hexdigest() == hashlib.sha256(expected).hexdigest()
    assert ledger.released == ["f"]


@pytest.mark.parametrize("check", ["crc32c", "sha256"])
async def test_a_bad_chunk_stops_the_offset_exactly_where_it_starts(check: str):
    ledger, writer = Ledger(), MemoryWriter()
    pipeline = ChunkPipeline(ledger.commit, ledger.finished)
    file = target(writer)
    pipeline.add_target(file)
    good = {"crc32c": crc32c(b"abc")} if check == "crc32c" else {}
    bad = {"crc32c": 12345} if check == "crc32c" else {"sha256": b"\0" * 32}

    await pipeline.submit(Chunk(file, 0, b"abc", **good))  # type: ignore[arg-type]
    await pipeline.submit(Chunk(file, 3, b"def", **bad))  # type: ignore[arg-type]
    await pipeline.submit(Chunk(file, 6, b"ghi"))
    await pipeline.settle()
    pipeline.close()
    await pipeline.wait_closed()

    assert isinstance(pipeline.failure, UploadRejected)
    assert pipeline.failure.reason == "chunk_checksum_mismatch"
    assert "from byte 3" in pipeline.failure.message
    assert bytes(writer.data) == b"abc"
    assert file.durable == 3
    assert ledger.offsets == {"f": 3}


async def test_no_more_than_depth_chunks_wait_in_memory():
    gate = threading.Event()
    ledger, writer = Ledger(), MemoryWriter(gate)
    pipeline = ChunkPipeline(ledger.commit, ledger.finished, depth=3)
    file = target(writer)
    pipeline.add_target(file)
    handed = 0

    async def feed() -> None:
        nonlocal handed
        for offset in range(10):
            await pipeline.submit(Chunk(file, offset, b"x"))
            handed += 1

    feeding = asyncio.create_task(feed())
    await eventually(lambda: handed == 3, timeout=10)
    await asyncio.sleep(0.1)  # room for a fourth, were the bound not enforced
    assert handed == 3  # the writer is stuck: the fourth chunk waits for room

    gate.set()
    await asyncio.wait_for(feeding, 10)
    await pipeline.settle()
    pipeline.close()
    await pipeline.wait_closed()
    assert file.durable == 10


async def test_a_file_that_stopped_accepting_bytes_fails_the_stream():
    ledger, writer = Ledger(refuse=True), MemoryWriter()
    pipeline = ChunkPipeline(ledger.commit, ledger.finished)
    file = target(writer)
    pipeline.add_target(file)

    await pipeline.submit(Chunk(file, 0, b"abc"))
    await pipeline.settle()
    pipeline.close()
    await pipeline.wait_closed()

    assert isinstance(pipeline.failure, PreconditionFailed)
    assert pipeline.failure.reason == "file_not_accepting"
    assert file.durable == 0
    with pytest.raises(PreconditionFailed):
        await pipeline.submit(Chunk(file, 3, b"def"))


async def test_closing_without_settling_still_commits_everything_accepted():
    ledger, writer = Ledger(), MemoryWriter()
    pipeline = ChunkPipeline(ledger.commit, ledger.finished, sync_bytes=1 << 30, sync_seconds=60)
    file = target(writer)
    pipeline.add_target(file)
    for offset in range(0, 12, 4):
        await pipeline.submit(Chunk(file, offset, b"abcd"))

    pipeline.close()  # as when the client vanished mid-stream
    await pipeline.wait_closed()

    assert ledger.offsets == {"f": 12}
    assert writer.synced == 12
