"""A complaint's reference number: the name people read, quote and type.

``NY-DFS-2026-000123`` is the 123rd complaint agency ``NY-DFS`` recorded in 2026.
The complaints service draws the sequence from a counter per (prefix, year) in the
same transaction that records the complaint, so numbers have no gaps and no
repeats; the database refuses a repeat anyway.

Choices where the spec is silent:

- The prefix is the agency code (unique among agencies, ``ses_core.accounts``), so a
  reference is unique across SES, not only within its agency, and names its agency
  for as long as the complaint lives: a referral keeps it.
- The year is the year in US Eastern time when the complaint was recorded (a
  complaint recorded at 23:30 on 31 December in New York belongs to that year).
- The sequence restarts at 1 every year and is zero-padded to six digits; past
  999999 it simply grows (``NY-2026-1000000``).
- ``FALLBACK_PREFIX`` (``SES``) stands in for an agency whose code the service does
  not know, with a counter of its own: complaints recorded by such an agency still
  get a readable, unique reference.
- Complaints recorded before readable references existed keep the one they were
  given (``SES-`` and ten hexadecimal digits): it was printed in letters and
  e-mails, so it must keep naming the same complaint.
"""

from __future__ import annotations

from datetime import datetime

from ses_core.lifecycle._time import eastern_today

FALLBACK_PREFIX = "SES"
SEQUENCE_DIGITS = 6


def reference_year(recorded_at: datetime) -> int:
    """The year a complaint recorded at ``recorded_at`` is numbered in (US Eastern)."""
    return eastern_today(recorded_at).year


def legacy_reference_number(complaint_id: str) -> str:
    """The reference a complaint recorded before readable references was given.

    ``SES-`` and the first ten hexadecimal digits of its id, upper-cased; a reader that
    has not been told a complaint's reference (an event published before events carried
    one) can still name it the way its people knew it.
    """
    return "SES-" + complaint_id.replace("-", "")[:10].upper()


def format_reference_number(prefix: str, year: int, sequence: int) -> str:
    """``format_reference_number("NY-DFS", 2026, 123)`` → ``"NY-DFS-2026-000123"``."""
    if not prefix:
        raise ValueError("A reference number needs a prefix (the agency code).")
    if sequence < 1:
        raise ValueError(f"Reference sequences start at 1; got {sequence}.")
    return f"{prefix}-{year:04d}-{sequence:0{SEQUENCE_DIGITS}d}"


__all__ = [
    "FALLBACK_PREFIX",
    "SEQUENCE_DIGITS",
    "format_reference_number",
    "legacy_reference_number",
    "reference_year",
]
