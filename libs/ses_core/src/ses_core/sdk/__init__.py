"""The SES SDK for integrators: typed clients over the gRPC contract.

Its first piece is the files client: resumable uploads with progress and resumable
downloads, in a synchronous and an asyncio flavour that wrap the generated stubs::

    from ses_core.sdk import FilesClient, upload_files
    from ses_core.uploads import AttachmentKind

    files = upload_files("ses.example.gov:443", token, ["report.pdf"],
                         AttachmentKind.RESPONSE, progress=print)
    files[0].file_id, files[0].attach_grant_token

Uploads hash every file (SHA-256) while sending it, resume from the server's committed
offsets after a failure (UNAVAILABLE is retried with backoff), so at most the chunks in
flight are sent again, and with ``journal=`` also after the client process died.
"""

from ses_core.sdk._channel import CHANNEL_OPTIONS, TokenSource, open_aio_channel, open_channel
from ses_core.sdk._errors import (
    ErrorDetails,
    FieldViolation,
    RetryPolicy,
    SesApiError,
    UploadStalled,
)
from ses_core.sdk._files import FilesClient, upload_files
from ses_core.sdk._files_async import AsyncFilesClient, upload_files_async
from ses_core.sdk._uploads import (
    DEFAULT_CHUNK_BYTES,
    ProgressCallback,
    UploadedFile,
    UploadProgress,
)

__all__ = [
    "CHANNEL_OPTIONS",
    "DEFAULT_CHUNK_BYTES",
    "AsyncFilesClient",
    "ErrorDetails",
    "FieldViolation",
    "FilesClient",
    "ProgressCallback",
    "RetryPolicy",
    "SesApiError",
    "TokenSource",
    "UploadProgress",
    "UploadStalled",
    "UploadedFile",
    "open_aio_channel",
    "open_channel",
    "upload_files",
    "upload_files_async",
]
