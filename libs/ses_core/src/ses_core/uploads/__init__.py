"""Upload, text and link limits (DESIGN §2), checked before a byte moves.

Every violation raises ``UploadRejected`` (files, names, batches) or
``ValidationFailed`` (response text, links), each with a stable ``reason``
code and a sentence a person can act on. Unusual formats are never refused;
``UploadPolicy.warnings_for`` says which files are not in a recommended one.
"""

from ses_core.uploads._names import normalize_filename
from ses_core.uploads._policy import (
    RECOMMENDED_EXTENSIONS,
    AttachmentKind,
    FileSpec,
    UploadPolicy,
)
from ses_core.uploads._sizes import GIB, KIB, MIB, format_size
from ses_core.uploads._text import normalize_response_text

__all__ = [
    "GIB",
    "KIB",
    "MIB",
    "RECOMMENDED_EXTENSIONS",
    "AttachmentKind",
    "FileSpec",
    "UploadPolicy",
    "format_size",
    "normalize_filename",
    "normalize_response_text",
]
