"""The local blob store's direct (O_DIRECT) writes keep files byte-identical.

Large chunks are written with O_DIRECT from an aligned buffer and an unaligned tail
goes through the ordinary descriptor; whatever mix of chunk sizes, syncs and reopenings
at a committed offset a stream produces, the partial file always ends exactly at the
committed offset and the published blob is the bytes that were sent.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from ses_files.blobstores.local import DIRECT_MIN_BYTES, LocalBlobStore

SIZES = [0, 1, 4095, 4096, 4097, 10_000, 3 * 1024 * 1024 + 17]


@pytest.mark.parametrize("seed", range(12))
def test_mixed_chunks_syncs_and_reopens_end_byte_identical(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    store = LocalBlobStore(tmp_path / "blobs")
    blob = f"{seed:032x}"
    total = SIZES[seed % len(SIZES)] if seed < len(SIZES) else rng.choice(SIZES)
    data = os.urandom(total)
    writer = store.open_partial(blob, 0)
    position = 0
    while position < total:
        size = min(total - position, rng.choice([1, 100, 4096, 5000, DIRECT_MIN_BYTES, 1 << 20]))
        writer.write(position, data[position : position + size])
        position += size
        if rng.random() < 0.2:
            writer.sync()
        if rng.random() < 0.1:
            writer.sync()
            writer.close()
            position = rng.randint(0, position)  # resume at some committed offset
            writer = store.open_partial(blob, position)
        assert store.partial_path(blob).stat().st_size == position
    writer.sync()
    writer.close()
    store.publish(blob, total)

    assert b"".join(store.read(blob)) == data


def test_large_chunks_use_the_direct_path_where_the_file_system_allows_it(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    writer = store.open_partial("a" * 32, 0)
    try:
        if writer._direct is None:
            pytest.skip("this file system refuses O_DIRECT; the buffered path is used instead")
        chunk = os.urandom(DIRECT_MIN_BYTES * 2 + 123)
        writer.write(0, chunk)
        writer.sync()
        assert store.partial_path("a" * 32).read_bytes() == chunk
    finally:
        writer.close()
