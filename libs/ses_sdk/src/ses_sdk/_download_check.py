"""Verified downloads: the bytes written must hash to the SHA-256 the files service states.

The first message of every ``DownloadFile`` stream carries the file's ``FileInfo`` with its
``sha256_hex`` (computed by the service when the upload completed); the client hashes what
it writes, across the resumed streams of one download, and refuses a result that differs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ses_sdk._errors import DataLoss

DOWNLOAD_CORRUPTED = "download_corrupted"


class DownloadCheck:
    """The running SHA-256 of one download and the digest the service stated."""

    def __init__(self, file_id: str) -> None:
        self.file_id = file_id
        self._digest = hashlib.sha256()
        self.expected = ""

    def stated(self, sha256_hex: str) -> None:
        if sha256_hex:
            self.expected = sha256_hex.lower()

    def update(self, data: bytes) -> None:
        self._digest.update(data)

    def verify(self, partial: Path) -> None:
        """Raise :class:`DataLoss` (and delete ``partial``) when the bytes differ from the
        service's. A file without a stated digest (the service has none yet) passes."""
        actual = self._digest.hexdigest()
        if not self.expected or actual == self.expected:
            return
        partial.unlink(missing_ok=True)
        raise DataLoss(
            f"The downloaded bytes of file {self.file_id} hash to {actual}, not to the "
            f"{self.expected} the files service stated; nothing was kept: download it again.",
            reason=DOWNLOAD_CORRUPTED,
        )
