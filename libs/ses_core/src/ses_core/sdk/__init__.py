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

Receivers of the notify service's webhooks check each delivery with
:func:`verify_webhook` (Standard Webhooks signatures, replays refused past a tolerance)::

    from ses_core.sdk import verify_webhook

    payload = verify_webhook(request.headers, request.body, ["whsec_..."])
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
from ses_core.sdk._webhooks import (
    WEBHOOK_ID_HEADER,
    WEBHOOK_SIGNATURE_HEADER,
    WEBHOOK_TIMESTAMP_HEADER,
    WebhookVerificationFailed,
    new_webhook_secret,
    sign_webhook,
    verify_webhook,
)

__all__ = [
    "CHANNEL_OPTIONS",
    "DEFAULT_CHUNK_BYTES",
    "WEBHOOK_ID_HEADER",
    "WEBHOOK_SIGNATURE_HEADER",
    "WEBHOOK_TIMESTAMP_HEADER",
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
    "WebhookVerificationFailed",
    "new_webhook_secret",
    "open_aio_channel",
    "open_channel",
    "sign_webhook",
    "upload_files",
    "upload_files_async",
    "verify_webhook",
]
