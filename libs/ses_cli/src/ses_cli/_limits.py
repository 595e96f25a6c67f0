"""The platform's default limits the command line checks before sending anything.

The SDK does not publish them and the command line may not import the domain library
(``ses_core.uploads``), so the two the CLI needs are stated here, with DESIGN §2 as their
source; the server checks them again and has the last word (a deployment may configure
other limits: its refusal is shown as any other). Candidates to move into the SDK.
"""

from __future__ import annotations

RESPONSE_TEXT_LIMIT = 4000  # code points after CRLF -> LF
FILES_PER_BATCH = 25


def response_text_length(text: str) -> int:
    """The length the limit counts: Unicode code points, line breaks normalised to LF."""
    return len(text.replace("\r\n", "\n"))
