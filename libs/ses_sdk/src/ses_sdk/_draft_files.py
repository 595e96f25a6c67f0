"""``client.complaints.attach_files_to_draft``: any number of files onto a response draft,
uploaded and saved in batches of the server's limit (the generated ``ComplaintsService``
clients inherit it; see ``_draft_batches`` for the batching, the limit and the journal).

The files go through the client's ``files`` sub-client (its own address when the services
have one each), the saves through ``complaints``; ``SesClient`` connects the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ses_sdk._draft_batches import (
    DEFAULT_BATCH_SIZE,
    AttachedFiles,
    AttachProgressCallback,
    DraftBatches,
    server_batch_limit,
)
from ses_sdk._errors import SesError
from ses_sdk._file_transfers import AsyncFileTransfers, FileTransfers
from ses_sdk._generated.common import AttachmentKind
from ses_sdk._generated.complaints import AttachedFile, CompanyResponse
from ses_sdk._uploads import DEFAULT_CHUNK_BYTES, LocalFile, UploadedFile, UploadProgress

if TYPE_CHECKING:  # the generated clients this is mixed into (they import this module)
    from ses_sdk._generated.complaints_client import (
        AsyncComplaintsServiceClient,
        ComplaintsServiceClient,
    )

_NO_FILES_CLIENT = (
    "attach_files_to_draft uploads through a files client: use client.complaints of a "
    "SesClient/AsyncSesClient (or call use_files_client first)."
)


def _attachments(files: Sequence[UploadedFile]) -> list[AttachedFile]:
    # The attach grants prove the uploads are the caller's even before the complaints
    # service has heard of them (no FAILED_PRECONDITION race with the UploadCompleted event).
    return [
        AttachedFile(
            file_id=file.file_id,
            file_name=file.name,
            size_bytes=file.size_bytes,
            attach_grant_token=file.attach_grant_token,
        )
        for file in files
    ]


class DraftFiles:
    """``attach_files_to_draft`` for the synchronous ``ComplaintsServiceClient``."""

    _files_client: FileTransfers | None = None

    def use_files_client(self, files: FileTransfers) -> None:
        """Upload the files of ``attach_files_to_draft`` through ``files``."""
        self._files_client = files

    def attach_files_to_draft(
        self,
        *,
        complaint_id: str,
        information_request_id: str,
        paths: Sequence[Path | str],
        names: Sequence[str] = (),
        restricted: bool | None = None,
        progress: AttachProgressCallback | None = None,
        journal: Path | str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        chunk_size: int = DEFAULT_CHUNK_BYTES,
    ) -> AttachedFiles:
        """Upload ``paths`` and add them to the draft of the information request, one batch
        (at most the server's limit, 25 by default) at a time: upload, save, repeat.

        ``names`` declares the names SES shows, one per path (default: the local names).
        Each save names only the files it adds (and ``restricted`` when given), so the
        draft's text, comment, links and earlier files stay as they are. ``progress``
        receives an :class:`AttachProgress` after every chunk and every save. With
        ``journal`` (a file path) a call interrupted at any point (even by the process
        being killed) resumes when made again with the same files: saved batches are
        skipped, the batch under way resumes its upload. Errors of the calls are raised
        as they come (:class:`~ses_sdk.SesError`); what was saved before stays saved.
        """
        if self._files_client is None:
            raise RuntimeError(_NO_FILES_CLIENT)
        files = self._files_client
        state = DraftBatches(
            complaint_id,
            information_request_id,
            LocalFile.batch(paths, names),
            batch_size=batch_size,
            journal=journal,
        )

        def on_chunk(chunk: UploadProgress) -> None:
            if progress is not None:
                progress(state.progress(chunk))

        draft: CompanyResponse | None = None
        while not state.finished:
            if not state.uploaded:
                batch = state.next_batch()
                try:
                    uploaded = files.upload_files(
                        [file.path for file in batch],
                        AttachmentKind.RESPONSE,
                        names=[file.name for file in batch],
                        chunk_size=chunk_size,
                        progress=on_chunk,
                        journal=state.upload_journal,
                    )
                except SesError as error:
                    _shrink_or_raise(state, error)
                    continue
                state.batch_uploaded(uploaded)
            saving = state.uploaded[: state.batch_size]
            try:
                response = cast("ComplaintsServiceClient", self).save_response_draft(
                    complaint_id=complaint_id,
                    information_request_id=information_request_id,
                    add_file_ids=[file.file_id for file in saving],
                    add_attachments=_attachments(saving),
                    restricted=restricted,
                )
            except SesError as error:
                _shrink_or_raise(state, error)
                continue
            draft = response.draft
            state.saved(len(saving))
            if progress is not None:
                progress(state.progress(None, saving))
        return AttachedFiles(state.attached, draft)


class AsyncDraftFiles:
    """``attach_files_to_draft`` for the asyncio ``AsyncComplaintsServiceClient``."""

    _files_client: AsyncFileTransfers | None = None

    def use_files_client(self, files: AsyncFileTransfers) -> None:
        """Upload the files of ``attach_files_to_draft`` through ``files``."""
        self._files_client = files

    async def attach_files_to_draft(
        self,
        *,
        complaint_id: str,
        information_request_id: str,
        paths: Sequence[Path | str],
        names: Sequence[str] = (),
        restricted: bool | None = None,
        progress: AttachProgressCallback | None = None,
        journal: Path | str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        chunk_size: int = DEFAULT_CHUNK_BYTES,
    ) -> AttachedFiles:
        """Upload ``paths`` onto the draft in batches; see ``DraftFiles.attach_files_to_draft``
        (``progress`` is called on the event loop)."""
        if self._files_client is None:
            raise RuntimeError(_NO_FILES_CLIENT)
        files = self._files_client
        state = DraftBatches(
            complaint_id,
            information_request_id,
            LocalFile.batch(paths, names),
            batch_size=batch_size,
            journal=journal,
        )

        def on_chunk(chunk: UploadProgress) -> None:
            if progress is not None:
                progress(state.progress(chunk))

        draft: CompanyResponse | None = None
        while not state.finished:
            if not state.uploaded:
                batch = state.next_batch()
                try:
                    uploaded = await files.upload_files(
                        [file.path for file in batch],
                        AttachmentKind.RESPONSE,
                        names=[file.name for file in batch],
                        chunk_size=chunk_size,
                        progress=on_chunk,
                        journal=state.upload_journal,
                    )
                except SesError as error:
                    _shrink_or_raise(state, error)
                    continue
                state.batch_uploaded(uploaded)
            saving = state.uploaded[: state.batch_size]
            try:
                response = await cast("AsyncComplaintsServiceClient", self).save_response_draft(
                    complaint_id=complaint_id,
                    information_request_id=information_request_id,
                    add_file_ids=[file.file_id for file in saving],
                    add_attachments=_attachments(saving),
                    restricted=restricted,
                )
            except SesError as error:
                _shrink_or_raise(state, error)
                continue
            draft = response.draft
            state.saved(len(saving))
            if progress is not None:
                progress(state.progress(None, saving))
        return AttachedFiles(state.attached, draft)


def _shrink_or_raise(state: DraftBatches, error: SesError) -> None:
    """Go on with the server's smaller batch limit when ``error`` states one; else raise."""
    limit = server_batch_limit(error)
    if limit is None or limit >= state.batch_size:
        raise error
    state.shrink_to(limit)
