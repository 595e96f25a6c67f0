"""Resumable uploads and downloads on ``client.files`` (the generated ``FilesService``
clients inherit these methods).

They run ``FilesClient``/``AsyncFilesClient`` over the client's channel and token provider,
so a signed-in session's refreshed token is used by every chunk stream.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ses_sdk._files import FilesClient
from ses_sdk._files_async import AsyncFilesClient
from ses_sdk._generated.common import AttachmentKind
from ses_sdk._transport import SyncTransport
from ses_sdk._transport_async import AsyncTransport
from ses_sdk._uploads import DEFAULT_CHUNK_BYTES, ProgressCallback, UploadedFile


class FileTransfers:
    _transport: SyncTransport

    def _transfers(self) -> FilesClient:
        transport = self._transport
        return FilesClient(transport.channel, transport.access_token, retry=transport.config.retry)

    def upload_files(
        self,
        paths: Sequence[Path | str],
        kind: AttachmentKind = AttachmentKind.RESPONSE,
        *,
        names: Sequence[str] = (),
        chunk_size: int = DEFAULT_CHUNK_BYTES,
        progress: ProgressCallback | None = None,
        journal: Path | str | None = None,
        content_types: Sequence[str] = (),
    ) -> list[UploadedFile]:
        """Upload ``paths`` as one batch (at most 25 files) and return the verified files.

        ``names`` declares the names SES shows (default: each local file's name). See
        ``FilesClient.upload_files`` for resuming, ``journal`` and ``progress``.
        """
        return self._transfers().upload_files(
            paths,
            kind,
            names=names,
            chunk_size=chunk_size,
            progress=progress,
            journal=journal,
            content_types=content_types,
        )

    def download_to(self, file_id: str, grant_token: str, destination: Path | str) -> Path:
        """Download a file (with a grant from ``client.complaints.issue_file_grant``) to
        ``destination``, resuming after a cut connection; see ``FilesClient.download_file``."""
        return self._transfers().download_file(file_id, grant_token, destination)


class AsyncFileTransfers:
    _transport: AsyncTransport

    def _transfers(self) -> AsyncFilesClient:
        transport = self._transport
        return AsyncFilesClient(
            transport.channel, transport.access_token, retry=transport.config.retry
        )

    async def upload_files(
        self,
        paths: Sequence[Path | str],
        kind: AttachmentKind = AttachmentKind.RESPONSE,
        *,
        names: Sequence[str] = (),
        chunk_size: int = DEFAULT_CHUNK_BYTES,
        progress: ProgressCallback | None = None,
        journal: Path | str | None = None,
        content_types: Sequence[str] = (),
    ) -> list[UploadedFile]:
        """Upload ``paths`` as one batch; see ``FileTransfers.upload_files``."""
        return await self._transfers().upload_files(
            paths,
            kind,
            names=names,
            chunk_size=chunk_size,
            progress=progress,
            journal=journal,
            content_types=content_types,
        )

    async def download_to(self, file_id: str, grant_token: str, destination: Path | str) -> Path:
        """Download a file to ``destination``; see ``FileTransfers.download_to``."""
        return await self._transfers().download_file(file_id, grant_token, destination)
