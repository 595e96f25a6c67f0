"""Human-readable sizes for limit messages."""

from __future__ import annotations

import pytest

from ses_core.uploads import format_size


@pytest.mark.parametrize(
    ("num_bytes", "shown"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (26_214_400, "25 MiB"),
        (1_073_741_823, "1,023.9 MiB"),  # truncated: never shown as the 1 GiB limit
        (1_073_741_824, "1 GiB"),
        (1_288_490_189, "1.2 GiB"),
        (5 * 1024**4, "5 TiB"),
        (3 * 1024**6, "3,072 PiB"),
    ],
)
def test_format_size(num_bytes: int, shown: str) -> None:
    assert format_size(num_bytes) == shown


def test_a_negative_size_cannot_be_formatted() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        format_size(-1)
