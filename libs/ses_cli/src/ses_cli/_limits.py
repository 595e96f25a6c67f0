"""The limit the command line checks before sending anything.

The SDK does not publish it and the command line may not import the domain library
(where it is ``ses_core.uploads.UploadPolicy.max_response_text_chars``), so it is stated
here with its source, DESIGN §2: "on-screen response text: at most 4,000 characters,
counted as Unicode code points after CRLF→LF". The server checks it again and has the last
word (a deployment may configure another limit: its refusal is shown as any other). The
files per batch are the SDK's business: ``attach_files_to_draft`` tries its
``DEFAULT_BATCH_SIZE`` (25) and learns the server's own limit from a refusal.
"""

from __future__ import annotations

RESPONSE_TEXT_LIMIT = 4000  # code points after CRLF -> LF


def response_text_length(text: str) -> int:
    """The length the limit counts: Unicode code points, line breaks normalised to LF."""
    return len(text.replace("\r\n", "\n"))
