"""The SDK's public surface, pinned: integrators import these names."""

from __future__ import annotations

import importlib
import inspect
from enum import Enum

import ses_sdk as sdk

EXPECTED = {
    # clients and sign-in
    "SesClient",
    "AsyncSesClient",
    "Session",
    "AsyncSession",
    "TokenProvider",
    "AsyncTokenProvider",
    "StaticToken",
    "CallableToken",
    "AsyncCallableToken",
    "TokenSource",
    "RetryPolicy",
    "Money",
    "totp_code",
    "CHANNEL_OPTIONS",
    "open_channel",
    "open_aio_channel",
    # errors
    "SesError",
    "ErrorDetails",
    "FieldViolation",
    "Aborted",
    "AlreadyExists",
    "Cancelled",
    "DataLoss",
    "DeadlineExceeded",
    "FailedPrecondition",
    "Internal",
    "InvalidArgument",
    "NotFound",
    "OutOfRange",
    "PermissionDenied",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
    "Unimplemented",
    "Unknown",
    "UploadStalled",
    # files
    "DEFAULT_CHUNK_BYTES",
    "AsyncFilesClient",
    "FilesClient",
    "ProgressCallback",
    "UploadProgress",
    "UploadedFile",
    "upload_files",
    "upload_files_async",
    # webhooks
    "WEBHOOK_ID_HEADER",
    "WEBHOOK_SIGNATURE_HEADER",
    "WEBHOOK_TIMESTAMP_HEADER",
    "WebhookVerificationFailed",
    "new_webhook_secret",
    "sign_webhook",
    "verify_webhook",
}

CONTEXT_MODULES = ("common", "enrollment", "complaints", "files", "notify")


def test_the_sdk_exports_exactly_its_curated_names():
    assert set(sdk.__all__) == EXPECTED
    assert all(hasattr(sdk, name) for name in EXPECTED)


def test_every_error_family_derives_from_one_base_and_has_its_own_status():
    families = [
        value
        for value in vars(sdk).values()
        if inspect.isclass(value) and issubclass(value, sdk.SesError) and value is not sdk.SesError
    ]
    direct = [family for family in families if family.__bases__ == (sdk.SesError,)]
    assert len({family.code for family in direct}) == len(direct) == 16


def test_each_context_module_exports_its_types_and_clients():
    for name in CONTEXT_MODULES:
        module = importlib.import_module(f"ses_sdk.{name}")
        exported = {key for key in dir(module) if not key.startswith("_")}
        assert exported, name
        assert not any(key.endswith("_pb2") for key in exported), name
    from ses_sdk.common import AttachmentKind
    from ses_sdk.complaints import AsyncComplaintsServiceClient, ComplaintsServiceClient

    assert issubclass(AttachmentKind, Enum)
    assert AttachmentKind.RESPONSE.value == 1
    assert callable(ComplaintsServiceClient.get_complaint)
    assert inspect.iscoroutinefunction(AsyncComplaintsServiceClient.get_complaint)


def test_the_clients_wrap_the_generated_stub_instead_of_subclassing_it():
    from ses.files.v1 import files_pb2_grpc
    from ses_sdk.files import FilesServiceClient

    for client in (sdk.FilesClient, sdk.AsyncFilesClient, FilesServiceClient):
        assert not issubclass(client, files_pb2_grpc.FilesServiceStub)


def test_the_default_chunk_is_the_largest_the_service_accepts():
    assert sdk.DEFAULT_CHUNK_BYTES == 1024 * 1024


def test_the_package_ships_its_typing_marker():
    from importlib.resources import files

    assert (files("ses_sdk") / "py.typed").is_file()
