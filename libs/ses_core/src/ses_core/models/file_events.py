"""Events of the files context (``protos/ses/files/v1/events.proto``).

Raised by the files service; the complaints service reads ``UploadCompleted`` to learn
the verified size of a file before it is attached. ``tenant_id`` is the scope the file
is stored under: the uploader's agency, or their company for company users.
"""

from __future__ import annotations

from typing import ClassVar

from ses_core.events import DomainEvent


class FilesEvent(DomainEvent):
    context: ClassVar[str] = "files"

    file_id: str


class UploadCompleted(FilesEvent):
    """A file's size and SHA-256 were verified; it is now available."""

    upload_id: str
    name: str
    size_bytes: int
    sha256_hex: str
    kind: str
    actor_id: str = ""


class FileExpired(FilesEvent):
    """An unfinished file's upload expired and its storage was reclaimed."""

    upload_id: str
    name: str
    committed_offset: int


class FileScanned(FilesEvent):
    """The malware scan of a file finished: ``clean``, ``infected`` or ``unscanned``."""

    scan_status: str
