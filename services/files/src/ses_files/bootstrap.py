"""The files service's composition root: ``plugin`` is what ``ses up`` / ``ses serve files`` host.

Settings used (``SES_FILES__*`` unless noted): ``blob_store`` (``local`` under
``blob_dir``, or ``s3`` at ``s3_endpoint_url`` / ``s3_bucket`` / ``s3_region`` with the
usual AWS credential chain), ``grant_secret_path`` (shared with the complaints service;
created on first start), ``upload_expiry``, ``clamd_address`` (optional malware scan),
and ``SES_UPLOADS__*`` for the limits and the largest chunk accepted.

Events: it publishes ``ses.files.v1.*`` through its outbox and consumes the complaints
service's ``FilesAttached`` (durable ``files-attachments``) to keep attached files for
their complaints (``consumers``).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import grpc.aio

from ses_core.platform.grants import GrantSigner, load_or_create_grant_secret
from ses_core.platform.grpc import ServiceRegistration
from ses_core.platform.runtime import BackgroundLoop, ServiceContext, ServiceParts
from ses_core.platform.settings import FilesSettings
from ses_files.blobstores import BlobStore, load_blob_store
from ses_files.consumers import build_consumer
from ses_files.dependencies import FilesDependencies
from ses_files.expiry import run_expiry
from ses_files.scanning import ClamdScanner, run_scanner
from ses_files.servicer import FilesServicer, add_files_servicer

SERVICE_NAME = "ses.files.v1.FilesService"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass
class FilesPlugin:
    """``expiry_interval`` / ``scan_interval``: seconds between background passes (the
    expiry default is a twentieth of the upload lifetime, between 1 s and 60 s).
    ``blob_store`` replaces the store the settings name (tests)."""

    name: str = "files"
    migrations: Path = MIGRATIONS
    expiry_interval: float | None = None
    scan_interval: float = 30.0
    blob_store: Callable[[FilesSettings], BlobStore] | None = None
    dependencies: FilesDependencies | None = field(default=None, init=False)

    def build(self, context: ServiceContext) -> ServiceParts:
        settings = context.settings
        files = settings.files
        assert files.grant_secret_path is not None
        store = (self.blob_store or load_blob_store)(files)
        scanner = ClamdScanner(files.clamd_address) if files.clamd_address else None
        deps = FilesDependencies(
            engine=context.engine,
            sessions=context.sessions,
            codec=context.codec,
            clock=context.clock,
            policy=context.upload_policy,
            store=store,
            signer=GrantSigner(load_or_create_grant_secret(files.grant_secret_path)),
            settings=files,
            chunk_bytes=settings.uploads.chunk_bytes,
            scanning=scanner is not None,
            on_commit=context.outbox_committed,
        )
        self.dependencies = deps
        attachments = build_consumer(context, deps.unit_of_work, context.codec)
        background: list[BackgroundLoop] = [
            functools.partial(run_expiry, deps, self._expiry_interval(files)),
            attachments.run,
        ]
        if scanner is not None:
            wake = asyncio.Event()
            loop = asyncio.get_running_loop()

            def request_scan() -> None:
                loop.call_soon_threadsafe(wake.set)

            deps.scan_requested = request_scan
            background.append(
                functools.partial(run_scanner, deps, scanner, wake, self.scan_interval)
            )
        servicer = FilesServicer(deps)

        def register(server: grpc.aio.Server) -> None:
            add_files_servicer(servicer, server)  # UploadChunks parsed without copies

        return ServiceParts(
            services=[ServiceRegistration(SERVICE_NAME, register)], background=background
        )

    def _expiry_interval(self, files: FilesSettings) -> float:
        if self.expiry_interval is not None:
            return self.expiry_interval
        return max(1.0, min(60.0, files.upload_expiry.total_seconds() / 20))


plugin = FilesPlugin()
