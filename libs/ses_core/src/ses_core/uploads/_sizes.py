"""Byte counts as people read them (binary units, as the limits are stated)."""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB")


def format_size(num_bytes: int) -> str:
    """``1288490189`` → ``"1.2 GiB"``; ``26214400`` → ``"25 MiB"``; ``512`` → ``"512 bytes"``.

    One decimal, truncated rather than rounded, so a size is never shown larger
    than it is (1,073,741,823 bytes is "1023.9 MiB", not "1 GiB").
    """
    if num_bytes < 0:
        raise ValueError(f"A size cannot be negative; got {num_bytes} bytes.")
    if num_bytes < KIB:
        return "1 byte" if num_bytes == 1 else f"{num_bytes} bytes"
    exponent = 1
    while exponent < len(_UNITS) and num_bytes >= KIB ** (exponent + 1):
        exponent += 1
    whole, tenths = divmod(num_bytes * 10 // KIB**exponent, 10)
    number = f"{whole:,}.{tenths}" if tenths else f"{whole:,}"
    return f"{number} {_UNITS[exponent - 1]}"


def format_size_against(size: int, limit: int) -> tuple[str, str]:
    """Sizes for a "too large" message, exact in bytes when rounding would hide the excess."""
    shown_size, shown_limit = format_size(size), format_size(limit)
    if shown_size == shown_limit:
        return f"{size:,} bytes", f"{shown_limit} ({limit:,} bytes)"
    return shown_size, shown_limit
