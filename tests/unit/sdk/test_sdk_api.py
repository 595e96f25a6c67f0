"""The SDK's public surface, pinned: integrators import these names."""

from __future__ import annotations

import ses_core.sdk as sdk

EXPECTED = {
    "CHANNEL_OPTIONS",
    "DEFAULT_CHUNK_BYTES",
    "ErrorDetails",
    "FieldViolation",
    "WEBHOOK_ID_HEADER",
    "WEBHOOK_SIGNATURE_HEADER",
    "WEBHOOK_TIMESTAMP_HEADER",
    "AsyncFilesClient",
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
    "upload_files",
    "upload_files_async",
    "sign_webhook",
    "verify_webhook",
}


def test_the_sdk_exports_exactly_its_curated_names():
    assert set(sdk.__all__) == EXPECTED
    assert all(hasattr(sdk, name) for name in EXPECTED)


def test_the_clients_wrap_the_generated_stub_instead_of_subclassing_it():
    from ses.files.v1 import files_pb2_grpc

    for client in (sdk.FilesClient, sdk.AsyncFilesClient):
        assert not issubclass(client, files_pb2_grpc.FilesServiceStub)


def test_the_default_chunk_is_the_largest_the_service_accepts():
    assert sdk.DEFAULT_CHUNK_BYTES == 1024 * 1024
