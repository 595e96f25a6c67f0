"""Per-chunk CRC32C and the running SHA-256 registry."""

from __future__ import annotations

import hashlib

from ses_files.hashing import HashRegistry, crc32c


def test_crc32c_matches_the_published_check_values():
    # RFC 3720 B.4 and the "123456789" check value of CRC-32C (Castagnoli).
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(bytes(32)) == 0x8A9136AA
    assert crc32c(b"\xff" * 32) == 0x62A8AB43


def test_a_running_hash_continues_only_at_the_offset_it_reached():
    registry = HashRegistry()
    running = registry.take("f", 0)
    assert running is not None
    running.update(b"abc")
    registry.keep("f", running)

    assert registry.take("f", 2) is None  # not where it stopped: forgotten
    assert registry.take("f", 3) is None  # and gone for good

    again = registry.take("f", 0)
    assert again is not None
    assert again.position == 0


def test_a_kept_hash_is_the_sha256_of_what_it_saw():
    registry = HashRegistry()
    running = registry.take("f", 0)
    assert running is not None
    running.update(b"abc")
    registry.keep("f", running)
    resumed = registry.take("f", 3)
    assert resumed is not None
    resumed.update(b"def")

    assert resumed.hexdigest() == hashlib.sha256(b"abcdef").hexdigest()
