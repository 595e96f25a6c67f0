"""Events of the files context (``protos/ses/files/v1/events.proto``).

Raised by the files service; the complaints service reads ``UploadCompleted`` to learn
the verified size of a file before it is attached. ``tenant_id`` is the scope the file
is stored under: the uploader's agency, or their company for company users; except for
``FileAttached``, which belongs to the agency that owns the complaint.
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


class FileAttached(FilesEvent):
    """A file became part of a complaint and is kept for it.

    Raised once per file and complaint, when the files service learns of the complaints
    service's ``FilesAttached``. ``tenant_id`` is the agency that owns the complaint (the
    attachment is that agency's record; the file may be stored under the uploader's
    company). ``kind`` is what the file was uploaded for, ``attached_as`` where on the
    complaint it went (a ``complaint_events.FilePlacement`` value).
    """

    complaint_id: str
    kind: str
    attached_as: str
    actor_id: str = ""


class FileExpired(FilesEvent):
    """An unfinished file's upload expired and its storage was reclaimed."""

    upload_id: str
    name: str
    committed_offset: int


class FileScanned(FilesEvent):
    """The malware scan of a file finished: ``clean``, ``infected`` or ``unscanned``."""

    scan_status: str
