"""The SES SDK: typed sync and asyncio clients for every RPC of the SES platform.

::

    from ses_sdk import SesClient, NotFound

    with SesClient("ses.example.gov:443") as client:  # TLS; insecure=True for 127.0.0.1
        client.sign_in(email="manager@agency.example", password="...", totp_secret="JBSW...")
        for complaint in client.complaints.iter_complaints():
            print(complaint.reference_number)
        try:
            client.complaints.get_complaint(complaint_id="nope")
        except NotFound as error:
            print(error.reason, error.message, error.request_id)

* :class:`SesClient` / :class:`AsyncSesClient`: one sub-client per gRPC service
  (``auth``, ``enrollment``, ``complaints``, ``files``, ``notify``), one method per RPC in
  snake_case, keyword arguments, results as frozen dataclasses (types in
  ``ses_sdk.<context>``: ``ses_sdk.complaints``, ``ses_sdk.enrollment``, ...); pagers
  ``iter_<items>(...)`` for the lists; deadlines, retries of what is safe to repeat,
  automatic idempotency keys, sign-in with refresh.
* Errors: :class:`SesError` and one subclass per status family, each with ``reason``,
  ``message``, ``request_id``, ``metadata`` and ``retry_delay``.
* Files: resumable uploads with progress and verified downloads (``client.files``, or
  :class:`FilesClient` on a channel of your own).
* Webhooks: :func:`verify_webhook` for receivers of the notify service's deliveries.

This package never imports the server platform; it needs only gRPC, protobuf, tenacity and
the generated stubs (``ses-protos``).
"""

from ses_sdk._channel import CHANNEL_OPTIONS, TokenSource, open_aio_channel, open_channel
from ses_sdk._client import SesClient
from ses_sdk._client_async import AsyncSesClient
from ses_sdk._errors import (
    Aborted,
    AlreadyExists,
    Cancelled,
    DataLoss,
    DeadlineExceeded,
    ErrorDetails,
    FailedPrecondition,
    FieldViolation,
    Internal,
    InvalidArgument,
    NotFound,
    OutOfRange,
    PermissionDenied,
    ResourceExhausted,
    SesError,
    Unauthenticated,
    Unavailable,
    Unimplemented,
    Unknown,
    UploadStalled,
)
from ses_sdk._files import FilesClient, upload_files
from ses_sdk._files_async import AsyncFilesClient, upload_files_async
from ses_sdk._retry import RetryPolicy
from ses_sdk._session import AsyncSession, Session
from ses_sdk._tokens import (
    AsyncCallableToken,
    AsyncTokenProvider,
    CallableToken,
    StaticToken,
    TokenProvider,
)
from ses_sdk._totp import totp_code
from ses_sdk._uploads import (
    DEFAULT_CHUNK_BYTES,
    ProgressCallback,
    UploadedFile,
    UploadProgress,
)
from ses_sdk._values import Money
from ses_sdk._webhooks import (
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
    "Aborted",
    "AlreadyExists",
    "AsyncCallableToken",
    "AsyncFilesClient",
    "AsyncSesClient",
    "AsyncSession",
    "AsyncTokenProvider",
    "CallableToken",
    "Cancelled",
    "DataLoss",
    "DeadlineExceeded",
    "ErrorDetails",
    "FailedPrecondition",
    "FieldViolation",
    "FilesClient",
    "Internal",
    "InvalidArgument",
    "Money",
    "NotFound",
    "OutOfRange",
    "PermissionDenied",
    "ProgressCallback",
    "ResourceExhausted",
    "RetryPolicy",
    "SesClient",
    "SesError",
    "Session",
    "StaticToken",
    "TokenProvider",
    "TokenSource",
    "Unauthenticated",
    "Unavailable",
    "Unimplemented",
    "Unknown",
    "UploadProgress",
    "UploadStalled",
    "UploadedFile",
    "WebhookVerificationFailed",
    "new_webhook_secret",
    "open_aio_channel",
    "open_channel",
    "sign_webhook",
    "totp_code",
    "upload_files",
    "upload_files_async",
    "verify_webhook",
]
